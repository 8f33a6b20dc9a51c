"""Daily scoring: probability, 0-100 score, tier, priority rank and three signed reasons for
every open lead, in the columns of ``ml.lead_scores``."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from models_ml.explain import contributions, reason_groups, top_reasons
from models_ml.model import LeadModel

SCORE_COLUMNS = (
    "score_date", "lead_id", "model_version", "probability", "score", "tier", "priority_rank",
    "reason_1", "reason_1_effect", "reason_2", "reason_2_effect", "reason_3", "reason_3_effect",
    "as_of_at", "scored_at",
)


def score_leads(model: LeadModel, frame: pd.DataFrame, phrases: pd.DataFrame, version: str,
                scored_at: dt.datetime | None = None, batch_rows: int = 250_000) -> pd.DataFrame:
    """Score the rows of ``frame`` (scoring snapshots of fct_lead_features) in batches.

    score is the calibrated probability in percent (0-100, rounded); priority_rank orders
    the day's leads best first (ties broken by the uncalibrated margin, then lead_id)."""
    groups = reason_groups(phrases, model.spec.columns)
    parts = []
    for start in range(0, len(frame), batch_rows):
        chunk = frame.iloc[start:start + batch_rows]
        matrix = model.transform(chunk)
        margin = model.margin(matrix)
        reasons = top_reasons(chunk, contributions(model, matrix, groups, margin), groups)
        parts.append(pd.DataFrame({
            "lead_id": chunk["lead_id"].to_numpy(),
            "probability": model.calibrate(margin),
            "margin": margin,
            "as_of_at": chunk["as_of_at"].reset_index(drop=True),  # stays tz-aware datetime
        }).join(reasons.reset_index(drop=True)))
    if not parts:
        return pd.DataFrame(columns=list(SCORE_COLUMNS))
    out = pd.concat(parts, ignore_index=True)
    out["score"] = np.rint(100 * out["probability"]).astype(np.int16)
    out["tier"] = model.tiers(out["margin"].to_numpy())
    lead_rank = pd.Series(out["lead_id"]).rank(method="first").to_numpy()
    order = np.lexsort((lead_rank, -out["margin"].to_numpy(), -out["probability"].to_numpy()))
    rank = np.empty(len(out), dtype=np.int64)
    rank[order] = np.arange(1, len(out) + 1)
    out["priority_rank"] = rank
    out["model_version"] = version
    # one scoring day per run: the date (UTC) of the snapshot's as-of moment
    out["score_date"] = out["as_of_at"].max().date()
    out["scored_at"] = pd.Timestamp(scored_at or dt.datetime.now(dt.UTC))
    return out[list(SCORE_COLUMNS)]
