"""Per-lead reasons: which groups of features push a lead's score up or down, in words.

A reason group (seed ``ml_reason_phrases``: e.g. ``pricing`` = the pricing page view
features) contributes, in log-odds of the uncalibrated model, the difference its values make
against a typical lead (the model's reference row):

- logistic regression: exactly ``coef . (x - reference)`` over the group's columns;
- gradient boosting: ``margin(x) - margin(x with the group set to the reference)``
  (occlusion), computed only for rows whose group differs from the reference.

The three largest contributions by size become the reasons, their direction in words
("Raises the score: visited the pricing page 3 times this week, 5 in 30 days", "Lowers the
score: free-mail address"), worded by the seed's phrases filled with the lead's own values.
A reason always starts with its direction: plain text that no spreadsheet or marketing tool
reads as a formula (it never starts with = + - @), so exports need not guard it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models_ml.model import LeadModel

PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)\}")
TOP = 3
RAISES, LOWERS = "Raises the score: ", "Lowers the score: "


@dataclass(frozen=True)
class ReasonGroup:
    name: str
    features: tuple[str, ...]
    positive: str
    negative: str


def reason_groups(phrases: pd.DataFrame, features: list[str]) -> list[ReasonGroup]:
    """Groups of the seed limited to the model's features; a feature no group names becomes
    a group of its own worded "<feature> <value>"."""
    groups, covered = [], set()
    for row in phrases.itertuples(index=False):
        members = tuple(f for f in str(row.features).split() if f in features)
        if members:
            groups.append(ReasonGroup(row.reason_group, members, row.positive_phrase,
                                      row.negative_phrase))
            covered.update(members)
    for name in features:
        if name not in covered:
            text = f"{name.replace('_', ' ')} {{{name}}}"
            groups.append(ReasonGroup(name, (name,), text, text))
    return groups


def contributions(model: LeadModel, matrix: np.ndarray, groups: list[ReasonGroup],
                  margin: np.ndarray | None = None) -> np.ndarray:
    """Rows x groups: each group's push on the log-odds against the reference row."""
    owner = np.array(model.column_features)
    reference = model.reference
    out = np.zeros((matrix.shape[0], len(groups)), dtype=np.float64)
    if model.kind == "logistic_regression":
        # one product: coefficient-weighted distances, summed per group by a 0/1 matrix
        membership = np.zeros((len(owner), len(groups)))
        for g, group in enumerate(groups):
            membership[np.isin(owner, group.features), g] = 1.0
        weights = np.ravel(model.classifier.coef_)[:, None] * membership
        return matrix @ weights - reference @ weights
    if margin is None:
        margin = model.margin(matrix)
    for g, group in enumerate(groups):
        idx = np.flatnonzero(np.isin(owner, group.features))
        if not len(idx):
            continue
        block, ref = matrix[:, idx], reference[idx]
        same = (block == ref) | (np.isnan(block) & np.isnan(ref))
        rows = np.flatnonzero(~same.all(axis=1))
        if not len(rows):
            continue
        occluded = matrix[rows].copy()
        occluded[:, idx] = ref
        out[rows, g] = margin[rows] - model.margin(occluded)
    return out


def _text(values: pd.Series) -> pd.Series:
    """Values as words: whole numbers without decimals (missing: "none"), text with spaces
    for underscores (missing: "unknown")."""
    if pd.api.types.is_bool_dtype(values):
        return values.map({True: "yes", False: "no"}).astype("object").fillna("none")
    if pd.api.types.is_numeric_dtype(values):
        rounded = pd.to_numeric(values, errors="coerce").round(0).astype("Int64")
        return rounded.astype("string").fillna("none").astype("object")
    return values.astype("string").str.replace("_", " ").fillna("unknown").astype("object")


def render(template: str, frame: pd.DataFrame) -> pd.Series:
    """Fill ``template``'s ``{column}`` placeholders with each row's values: each distinct
    combination of the shown values is worded once, then spread to its rows."""
    parts = PLACEHOLDER.split(template)
    columns = [c for c in dict.fromkeys(parts[1::2]) if c in frame.columns]
    if not columns:
        return pd.Series(_fill(parts, frame), index=frame.index, dtype="object")
    shown = pd.DataFrame({c: _shown(frame[c]) for c in columns}, index=frame.index)
    codes = shown.groupby(columns, dropna=False, sort=False).ngroup().to_numpy()
    first = pd.Series(np.arange(len(shown))).groupby(codes).first().to_numpy()
    words = np.asarray(_fill(parts, shown.iloc[first]), dtype=object)
    return pd.Series(words[codes], index=frame.index, dtype="object")


def _shown(values: pd.Series) -> pd.Series:
    """Values as they will be shown (numbers rounded), so equal words share one group."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return pd.to_numeric(values, errors="coerce").round(0)
    return values


def _fill(parts: list[str], frame: pd.DataFrame) -> pd.Series:
    out = pd.Series(parts[0], index=frame.index, dtype="object")
    for i in range(1, len(parts), 2):
        column = parts[i]
        values = _text(frame[column]) if column in frame.columns else "?"
        out = out + values + parts[i + 1]
    return out


def top_reasons(frame: pd.DataFrame, contrib: np.ndarray, groups: list[ReasonGroup],
                top: int = TOP) -> pd.DataFrame:
    """reason_1..top (words led by their direction, RAISES or LOWERS) and
    reason_1_effect..top (log-odds, signed) per row, the largest contributions by size
    first; a reason is left empty when its effect is 0."""
    n = contrib.shape[0]
    shown = [c for g in groups for t in (g.positive, g.negative)
             for c in PLACEHOLDER.findall(t) if c in frame.columns]
    frame = pd.DataFrame({  # only the columns the words show; text as plain objects
        c: frame[c] if pd.api.types.is_numeric_dtype(frame[c]) else frame[c].astype(object)
        for c in dict.fromkeys(shown)}, index=frame.index)
    order = np.argsort(-np.abs(contrib), axis=1, kind="stable")[:, :top]
    out = pd.DataFrame(index=frame.index)
    for k in range(min(top, contrib.shape[1])):
        chosen = order[:, k]
        effect = contrib[np.arange(n), chosen]
        words = np.full(n, None, dtype=object)
        for g in np.unique(chosen):
            for sign, template in ((1, groups[g].positive), (-1, groups[g].negative)):
                rows = (chosen == g) & (np.sign(effect) == sign)
                if rows.any():
                    prefix = RAISES if sign > 0 else LOWERS
                    words[rows] = (prefix + render(template, frame[rows])).to_numpy()
        out[f"reason_{k + 1}"] = words
        out[f"reason_{k + 1}_effect"] = np.round(effect, 4)
    return out
