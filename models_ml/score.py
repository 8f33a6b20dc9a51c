"""Daily scoring: probability, a 1-99 score, tier, priority rank and three reasons for every
open lead, in the columns of ``ml.lead_scores``.

The score is the lead's place on a fixed scale, not a percentage: at training the model
stores the 98 breakpoints that cut its validation leads' margins (log-odds, the order of the
calibrated probability without its ties) into 99 equal shares (``score_breakpoints``); a
lead scores 1 + the number of breakpoints its margin reaches. Score 75 therefore means
"ranks above about three quarters of the leads the model was validated on", the same
tomorrow as today and the same for every lead, whatever else is scored that day. Higher
always means at least as likely to convert (the probability never falls as the margin
rises). Tiers are bands of the score (seed ``score_tiers``: A 75-99, B 50-74, ...).

A model saved before the scale existed carries no breakpoints: its leads are placed among
the day's own scored leads instead (a percentile of the batch), with a warning.
"""

from __future__ import annotations

import datetime as dt
import logging

import numpy as np
import pandas as pd

from models_ml.explain import contributions, reason_groups, top_reasons
from models_ml.model import LeadModel

log = logging.getLogger(__name__)

SCORE_COLUMNS = (
    "score_date", "lead_id", "model_version", "probability", "score", "tier", "priority_rank",
    "reason_1", "reason_1_effect", "reason_2", "reason_2_effect", "reason_3", "reason_3_effect",
    "as_of_at", "scored_at",
)
LOWEST, HIGHEST = 1, 99


class ScaleError(ValueError):
    """Score tiers (seed score_tiers) that do not cut 1-99 into bands."""


def score_breakpoints(margin: np.ndarray) -> tuple[float, ...]:
    """The 98 margins that cut ``margin`` into 99 equal shares (the k/99 quantiles)."""
    margin = np.asarray(margin, dtype=np.float64)
    margin = margin[np.isfinite(margin)]
    if not len(margin):
        raise ValueError("no finite margin to fix the score scale on")
    shares = np.arange(LOWEST, HIGHEST) / HIGHEST
    return tuple(float(q) for q in np.quantile(margin, shares))


def scale(margin: np.ndarray, breakpoints) -> np.ndarray:
    """Scores 1-99: 1 + the number of breakpoints each margin reaches."""
    points = np.asarray(breakpoints, dtype=np.float64)
    score = LOWEST + np.searchsorted(points, np.asarray(margin, dtype=np.float64), side="right")
    return np.clip(score, LOWEST, HIGHEST).astype(np.int16)


def stored_scale(model: LeadModel) -> tuple[float, ...] | None:
    """The model's own 1-99 scale, None for a model saved before it existed."""
    stored = getattr(model, "score_breakpoints", None)
    return tuple(stored) if stored is not None and len(stored) == HIGHEST - LOWEST else None


def model_scale(model: LeadModel, margin: np.ndarray, version: str) -> tuple[float, ...]:
    """The model's stored breakpoints; for a model saved without them, the day's own."""
    stored = stored_scale(model)
    if stored is not None:
        return stored
    log.warning("model %s has no stored score scale (saved before it existed): today's "
                "scores place each lead among today's scored leads; retrain for a stable "
                "scale", version)
    return score_breakpoints(margin)


def tier_bands(tiers: pd.DataFrame) -> pd.DataFrame:
    """The bands of seed score_tiers (tier, min_score, max_score), checked: together they
    cover 1-99 once, without gap or overlap. Highest band first."""
    missing = {"tier", "min_score", "max_score"} - set(tiers.columns)
    if missing:
        raise ScaleError(f"score tiers lack the column(s) {', '.join(sorted(missing))}")
    bands = tiers[["tier", "min_score", "max_score"]].astype(
        {"min_score": "int64", "max_score": "int64"}).sort_values("min_score")
    expected = LOWEST
    for row in bands.itertuples(index=False):
        if row.min_score != expected or row.max_score < row.min_score:
            raise ScaleError(f"score tier {row.tier} ({row.min_score}-{row.max_score}) does "
                             f"not start at {expected}: the bands must cut {LOWEST}-{HIGHEST} "
                             "without gap or overlap")
        expected = row.max_score + 1
    if expected != HIGHEST + 1:
        raise ScaleError(f"score tiers end at {expected - 1}, not {HIGHEST}")
    return bands.iloc[::-1].reset_index(drop=True)


def assign_tiers(score: np.ndarray, bands: pd.DataFrame) -> np.ndarray:
    """Each score's band (``tier_bands``)."""
    score = np.asarray(score)
    return np.select([(score >= b.min_score) & (score <= b.max_score)
                      for b in bands.itertuples(index=False)],
                     bands["tier"].tolist(), default=None).astype(object)


# the per-row part of a score (``score_rows``): everything but the day and the rank
ROW_COLUMNS = (
    "lead_id", "model_version", "probability", "margin", "score", "tier",
    "reason_1", "reason_1_effect", "reason_2", "reason_2_effect", "reason_3", "reason_3_effect",
    "as_of_at", "scored_at",
)


def score_rows(model: LeadModel, frame: pd.DataFrame, phrases: pd.DataFrame,
               tiers: pd.DataFrame, version: str, scored_at: dt.datetime,
               breakpoints: tuple[float, ...] | None = None) -> pd.DataFrame:
    """The per-row part of scoring, in ``ROW_COLUMNS``: probability, the uncalibrated margin,
    score and tier, three reasons, for the rows of ``frame`` (scoring snapshots of
    fct_lead_features).

    Each row's values depend on that row and the model alone, so any split of the rows
    gives the same scores: the DuckDB path's batches and the Spark path's partitions
    (models_ml/spark_scoring.py) both call this. The score is on ``breakpoints``, else the
    model's stored scale; without either, score and tier stay empty for ``place``."""
    bands = tier_bands(tiers)
    groups = reason_groups(phrases, model.spec.columns)
    matrix = model.transform(frame)
    margin = model.margin(matrix)
    reasons = top_reasons(frame, contributions(model, matrix, groups, margin), groups)
    out = pd.DataFrame({
        "lead_id": frame["lead_id"].to_numpy(),
        "model_version": version,
        "probability": model.calibrate(margin),
        "margin": margin,
    }).join(reasons.reset_index(drop=True))
    out["as_of_at"] = frame["as_of_at"].reset_index(drop=True)  # stays tz-aware datetime
    out["scored_at"] = pd.Timestamp(scored_at)
    points = breakpoints if breakpoints is not None else stored_scale(model)
    if points is None:
        out["score"] = pd.array([pd.NA] * len(out), dtype="Int16")
        out["tier"] = None
    else:
        out["score"] = scale(margin, points)
        out["tier"] = assign_tiers(out["score"].to_numpy(), bands)
    return out[list(ROW_COLUMNS)]


def place(scores: pd.DataFrame, model: LeadModel, tiers: pd.DataFrame, version: str
          ) -> pd.DataFrame:
    """Score and tier of rows ``score_rows`` left without a scale (a model saved before the
    scale existed): the day's own scale, from the margins of all of the day's leads."""
    if not scores["score"].isna().any():
        return scores
    margin = scores["margin"].to_numpy()
    scores["score"] = scale(margin, model_scale(model, margin, version))
    scores["tier"] = assign_tiers(scores["score"].to_numpy(), tier_bands(tiers))
    return scores


def priority_ranks(probability: np.ndarray, margin: np.ndarray, lead_id: pd.Series
                   ) -> np.ndarray:
    """1 for the day's best lead: probability, ties broken by the uncalibrated margin, then
    lead_id, all over the whole day (Spark: a window with the same order)."""
    lead_rank = pd.Series(lead_id).rank(method="first").to_numpy()
    order = np.lexsort((lead_rank, -np.asarray(margin), -np.asarray(probability)))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(1, len(order) + 1)
    return rank


def score_leads(model: LeadModel, frame: pd.DataFrame, phrases: pd.DataFrame,
                tiers: pd.DataFrame, version: str, scored_at: dt.datetime | None = None,
                batch_rows: int = 250_000) -> pd.DataFrame:
    """Score the rows of ``frame`` (scoring snapshots of fct_lead_features) in batches.

    score is the 1-99 scale of the model (module doc), tier its band of ``tiers`` (seed
    score_tiers); priority_rank orders the day's leads best first (ties broken by the
    uncalibrated margin, then lead_id)."""
    tier_bands(tiers)  # bad bands fail before any row is scored
    scored_at = scored_at or dt.datetime.now(dt.UTC)
    parts = [score_rows(model, frame.iloc[start:start + batch_rows], phrases, tiers, version,
                        scored_at) for start in range(0, len(frame), batch_rows)]
    if not parts:
        return pd.DataFrame(columns=list(SCORE_COLUMNS))
    out = place(pd.concat(parts, ignore_index=True), model, tiers, version)
    out["priority_rank"] = priority_ranks(out["probability"].to_numpy(),
                                          out["margin"].to_numpy(), out["lead_id"])
    # one scoring day per run: the date (UTC) of the snapshot's as-of moment
    out["score_date"] = out["as_of_at"].max().date()
    return out[list(SCORE_COLUMNS)]
