"""Which columns of a lead table are features, and of which kind.

The feature table itself is SQL (dbt model ``marts.fct_lead_features``: one row per lead
and snapshot, point in time). Here we only read it and sort its columns: identifiers,
label and baseline are set apart, text and yes/no columns are categorical, numbers numeric.
The same detection serves any labelled CSV (``leadflow model evaluate --csv``).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

FEATURE_TABLE = "marts.fct_lead_features"
LABEL = "converted_within_horizon"
BASELINE = "rule_score"
# the training snapshot that takes each lead at the moment it was created (age 0 in dbt var
# ml_snapshot_ages_days): the figures on these rows say how well a lead is ranked on what
# is known at first contact, without the help of its age
AT_CREATION = "age_0"
# columns of fct_lead_features that describe a row but must never be learned from
META_COLUMNS = (
    "lead_feature_id", "lead_id", "snapshot_name", "snapshot_kind", "as_of_at", "as_of_date",
    "created_at", "is_outcome_known", LABEL, BASELINE,
)


class FeatureError(ValueError):
    """The input cannot be turned into features (missing column, no rows, one class...)."""


@dataclass(frozen=True)
class FeatureSpec:
    """The columns a model learns from: numeric ones and categorical ones, in order."""

    numeric: tuple[str, ...]
    categorical: tuple[str, ...]

    @property
    def columns(self) -> list[str]:
        return [*self.numeric, *self.categorical]

    def to_dict(self) -> dict:
        return {"numeric": list(self.numeric), "categorical": list(self.categorical)}

    @classmethod
    def from_dict(cls, data: dict) -> FeatureSpec:
        return cls(tuple(data["numeric"]), tuple(data["categorical"]))


def detect_spec(frame: pd.DataFrame, exclude: tuple[str, ...] | list[str] = ()) -> FeatureSpec:
    """Numeric columns (numbers and booleans) and categorical columns (everything else),
    leaving out ``exclude`` and columns that hold a single value or nothing at all."""
    numeric, categorical = [], []
    for name in frame.columns:
        if name in exclude:
            continue
        column = frame[name]
        if column.nunique(dropna=False) <= 1:
            continue
        if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
            numeric.append(name)
        elif pd.api.types.is_datetime64_any_dtype(column):
            continue
        else:
            categorical.append(name)
    if not numeric and not categorical:
        raise FeatureError("no usable feature column (every column is constant or excluded)")
    return FeatureSpec(tuple(numeric), tuple(categorical))


def prepare(frame: pd.DataFrame, spec: FeatureSpec) -> pd.DataFrame:
    """The feature columns of ``frame`` in a form every model of train.py accepts: numbers
    as float64 (NaN for missing), categories as object strings (NaN for missing)."""
    missing = [c for c in spec.columns if c not in frame.columns]
    if missing:
        raise FeatureError(f"missing feature columns: {', '.join(missing)}")
    out = {}
    for name in spec.numeric:
        out[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    for name in spec.categorical:
        text = frame[name].astype("string")
        out[name] = text.astype("object").where(text.notna(), np.nan)
    return pd.DataFrame(out, index=frame.index)


def binary_target(values: pd.Series, positive: str | None = None) -> np.ndarray:
    """A label column as 0/1: booleans, 0/1 numbers, or two distinct values (the positive
    class is ``positive``, else the larger one when sorted)."""
    values = values.dropna() if values.isna().any() else values
    distinct = sorted(values.unique(), key=str)
    if len(distinct) != 2:
        raise FeatureError(f"the target must have exactly two values, found {len(distinct)}")
    if positive is None:
        positive = distinct[-1]
        if pd.api.types.is_bool_dtype(values) or set(map(str, distinct)) <= {"0", "1"}:
            positive = distinct[[str(v) for v in distinct].index("True" if
                                pd.api.types.is_bool_dtype(values) else "1")]
        return (values == positive).to_numpy(dtype=np.int8)
    if str(positive).lower() not in {str(v).lower() for v in distinct}:
        raise FeatureError(f"the target has no value {positive!r} (values: "
                           f"{', '.join(map(str, distinct))})")
    as_text = values.astype("string").str.lower()
    return (as_text == str(positive).lower()).to_numpy(dtype=np.int8)


def feature_rows_sql(kind: str, ordered: bool = True) -> str:
    """The query of the ``training`` (labelled) or ``scoring`` rows of fct_lead_features,
    in SQL both engines read: DuckDB (``load_features``) and Spark
    (models_ml/spark_scoring.py), whose databases carry the DuckDB schemas' names.
    ``ordered`` sorts by creation (the order the time split and the DuckDB scores keep);
    Spark scoring leaves it out, a global sort it does not need."""
    if kind not in ("training", "scoring"):
        raise ValueError(f"unknown snapshot kind {kind!r}")
    order = " ORDER BY created_at, lead_id, snapshot_name" if ordered else ""
    return f"SELECT * FROM {FEATURE_TABLE} WHERE snapshot_kind = '{kind}'{order}"


def load_features(con: duckdb.DuckDBPyConnection, kind: str) -> pd.DataFrame:
    """The ``training`` (labelled) or ``scoring`` rows of fct_lead_features."""
    sql = feature_rows_sql(kind)
    try:
        frame = con.execute(sql).df()
    except duckdb.CatalogException:
        raise FeatureError(f"{FEATURE_TABLE} does not exist: build the dbt project first") from None
    for name in ("as_of_at", "created_at"):
        frame[name] = pd.to_datetime(frame[name], utc=True)
    return frame
