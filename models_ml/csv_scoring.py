"""Score a lead table from elsewhere (a bought list, another CRM's export) with a registered
model (``leadflow model score --csv``): its columns are matched to the model's feature
columns by name, and each row gets the same probability, score, tier, priority rank and
reasons as the daily scoring (models_ml.score.score_leads)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models_ml.features import FeatureError
from models_ml.model import LeadModel
from models_ml.score import score_leads

OUTPUT_COLUMNS = ("probability", "score", "tier", "priority_rank", "reason_1", "reason_2",
                  "reason_3")


def name_key(name: str) -> str:
    """A column name as compared: lower case, runs of anything but letters and digits as
    one underscore ("Pricing Page Views 7d" matches pricing_page_views_7d)."""
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


@dataclass
class CsvScores:
    table: pd.DataFrame  # the input rows, in order, with the score columns appended
    matched: dict[str, str]  # feature column -> CSV column
    unknown: list[str]  # feature columns absent from the CSV, scored as unknown
    not_numbers: dict[str, int]  # numeric feature -> count of values that are not numbers


def match_columns(columns: list[str], features: list[str]) -> dict[str, str]:
    """Feature column -> the CSV column of the same name (exact first, then by name_key)."""
    by_key: dict[str, str] = {}
    for column in columns:
        by_key.setdefault(name_key(column), column)
    return {f: f if f in columns else by_key[name_key(f)] for f in features
            if f in columns or name_key(f) in by_key}


def score_csv(model: LeadModel, table: pd.DataFrame, phrases: pd.DataFrame,
              tiers: pd.DataFrame, version: str, id_column: str | None = None,
              allow_missing: bool = False,
              scored_at: dt.datetime | None = None) -> CsvScores:
    """Score every row of ``table``. Feature columns the CSV lacks are an error naming them,
    unless ``allow_missing`` (then they are unknown for every row, as a missing value)."""
    features = model.spec.columns
    matched = match_columns(list(table.columns), features)
    unknown = [f for f in features if f not in matched]
    if unknown and not allow_missing:
        raise FeatureError(f"missing model columns: {', '.join(unknown)} (--allow-missing "
                           "scores them as unknown)")
    if id_column is not None and id_column not in table.columns:
        raise FeatureError(f"no column {id_column!r} for --id")
    frame = pd.DataFrame({f: table[c].to_numpy() for f, c in matched.items()},
                         index=table.index)
    for name in unknown:
        frame[name] = np.nan
    not_numbers = {}
    for name in model.spec.numeric:
        if name in matched:
            values = frame[name]
            if values.dtype == object:
                values = values.replace({"true": 1, "false": 0, "True": 1, "False": 0})
            numbers = pd.to_numeric(values, errors="coerce")
            bad = int((numbers.isna() & values.notna()).sum())
            if bad:
                not_numbers[name] = bad
            frame[name] = numbers
    ids = table[id_column].astype(str) if id_column else pd.Series(
        [f"row {i}" for i in range(1, len(table) + 1)], index=table.index)
    frame["lead_id"] = ids.to_numpy()
    frame["as_of_at"] = pd.Timestamp(scored_at or dt.datetime.now(dt.UTC))
    frame = frame.reset_index(drop=True)
    scores = score_leads(model, frame, phrases, tiers, version, scored_at)
    # score_leads keeps the rows' order; a CSV column of the same name stays as it was
    out = table.reset_index(drop=True).copy()
    for column in OUTPUT_COLUMNS:
        out[column if column not in table.columns else f"model_{column}"] = \
            scores[column].to_numpy()
    return CsvScores(out, matched, unknown, not_numbers)
