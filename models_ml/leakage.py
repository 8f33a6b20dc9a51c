"""The analyst's mistakes in a labelled lead table, found before any model is fitted
(``leadflow model evaluate --csv``): identifier columns and suspected leaks.

An identifier is unique per row (a text key, a whole-number key) or runs monotonically
through the file with (almost) a distinct value per row (a sequence number, an export
time). It ranks nothing that generalises, so it is left out.

A suspected leak is a column whose values were most likely written after the outcome was
known. Each column alone is turned into a score by its conversion rate per value (numbers
in 20 equal-count bins, missing as a value of its own), learned on four fifths of the rows
and scored on the fifth left out (5 stratified folds), so a column does not look good by
memorising rows. A column is flagged when

- alone it ranks the outcome almost perfectly: out-of-fold ROC AUC >= ``PERFECT_AUC``; or
- it is *filled after the outcome*: missing on at least ``MIN_MISSING`` of the rows, far
  more often for one class than the other (``MISSING_SKEW`` times), and where filled its
  values rank the outcome very well (out-of-fold ROC AUC on the filled rows >=
  ``FILLED_AUC``): a field sales fill in once they know how the lead ended.

The thresholds were set by measurement on X Education's leads (../shared/datasets): its
"Tags" (filled on 64% of rows, missing for 44% of non-converters and 23% of converters,
AUC 0.97 where filled) and "Lead Quality" (48%, 66% vs 29%, 0.85) are flagged; the best
honest columns stay under them (Total Time Spent on Website 0.77 on all rows; the sparsely
filled Asymmetrique Activity Score 0.73 where filled, with no missing skew; Lead Profile
0.67 where filled). A leak filled on every row with a moderate AUC (X Education's "Last
Notable Activity", 0.70) cannot be told from an honest column by measurement: drop it with
``--drop``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

PERFECT_AUC = 0.95
FILLED_AUC = 0.80
MIN_MISSING = 0.10
MISSING_SKEW = 1.5
MONOTONIC_DISTINCT = 0.9  # share of distinct values of a monotonic identifier
BINS = 20
SMOOTHING = 20  # rows of prior (the base rate) mixed into each value's conversion rate
FOLDS = 5


@dataclass(frozen=True)
class Finding:
    column: str
    kind: str  # identifier | leak
    reason: str


def find_identifiers(table: pd.DataFrame, exclude: list[str]) -> list[Finding]:
    """Columns unique per row, or monotonic in file order with a value per row."""
    found = []
    n = len(table)
    for name in table.columns:
        if name in exclude or n < 2:
            continue
        column = table[name]
        if column.isna().any():
            continue
        distinct = column.nunique()
        numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(
            column)
        whole = numeric and bool(np.all(np.mod(column.to_numpy(dtype=np.float64), 1) == 0))
        if distinct == n and (not numeric or whole):
            found.append(Finding(name, "identifier", "unique per row"))
        elif (numeric or pd.api.types.is_datetime64_any_dtype(column)) \
                and distinct >= MONOTONIC_DISTINCT * n \
                and (column.is_monotonic_increasing or column.is_monotonic_decreasing):
            found.append(Finding(name, "identifier",
                                 "monotonic through the file, a value per row"))
    return found


def value_codes(column: pd.Series) -> pd.Series:
    """Each row's value as a code: numbers with many values in equal-count bins, missing
    as "(missing)"."""
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column) \
            and column.nunique() > BINS:
        ranks = column.rank(method="first")
        bins = pd.qcut(ranks, BINS, labels=False, duplicates="drop")
        return bins.astype("Int64").astype("string").fillna("(missing)")
    return column.astype("string").fillna("(missing)")


def out_of_fold_rate(codes: pd.Series, y: np.ndarray, seed: int) -> np.ndarray:
    """Each row's value's conversion rate, learned without the row's fold."""
    base = float(y.mean())
    score = np.full(len(y), base)
    folds = min(FOLDS, int(np.bincount(y).min()))
    if folds < 2:
        return score
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    values = codes.to_numpy()
    for fit_idx, test_idx in splitter.split(np.zeros(len(y)), y):
        counts = pd.DataFrame({"v": values[fit_idx], "y": y[fit_idx]}).groupby("v")["y"].agg(
            ["sum", "count"])
        rate = (counts["sum"] + SMOOTHING * base) / (counts["count"] + SMOOTHING)
        score[test_idx] = pd.Series(values[test_idx]).map(rate).fillna(base).to_numpy()
    return score


def _auc(y: np.ndarray, score: np.ndarray) -> float:
    return float(roc_auc_score(y, score)) if len(np.unique(y)) == 2 else float("nan")


def find_leaks(table: pd.DataFrame, y: np.ndarray, columns: list[str], seed: int = 42
               ) -> list[Finding]:
    """The columns of ``columns`` that look written after the outcome (see the module)."""
    y = np.asarray(y, dtype=np.int8)
    found = []
    for name in columns:
        column = table[name]
        score = out_of_fold_rate(value_codes(column), y, seed)
        auc = _auc(y, score)
        if auc >= PERFECT_AUC:
            found.append(Finding(name, "leak", f"alone it ranks the outcome almost perfectly "
                                 f"(out-of-fold ROC AUC {auc:.3f})"))
            continue
        missing = column.isna().to_numpy()
        if missing.mean() < MIN_MISSING or missing.all():
            continue
        rates = sorted((missing[y == 0].mean(), missing[y == 1].mean()))
        if rates[0] * MISSING_SKEW > rates[1]:
            continue
        filled_auc = _auc(y[~missing], score[~missing])
        if filled_auc >= FILLED_AUC:
            found.append(Finding(name, "leak", (
                f"filled mostly after the outcome? missing for {missing[y == 0].mean():.0%} "
                f"of negatives and {missing[y == 1].mean():.0%} of positives, and where "
                f"filled it ranks the outcome with ROC AUC {filled_auc:.3f}")))
    return found
