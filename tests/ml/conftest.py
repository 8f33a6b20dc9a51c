"""Small labelled lead frames shaped like marts.fct_lead_features, with a known signal:
pricing page views and seniority raise the odds of converting, free-mail lowers them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models_ml.train import TrainConfig

SENIORITIES = np.array(["individual_contributor", "manager", "director", "vp"])


def lead_frame(n: int = 3000, seed: int = 0, kind: str = "training") -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    created = pd.Timestamp("2026-01-01", tz="UTC") + pd.to_timedelta(
        np.sort(rng.uniform(0, 200, n)), unit="D")
    age = rng.uniform(0, 60, n)
    pricing_7d = rng.poisson(0.6, n)
    pricing_30d = pricing_7d + rng.poisson(0.8, n)
    sessions_30d = rng.poisson(2.0, n) + pricing_30d
    free = rng.random(n) < 0.3
    seniority = SENIORITIES[rng.integers(0, 4, n)]
    logit = (-3.2 + 0.9 * pricing_7d + 0.3 * pricing_30d - 1.2 * free
             + np.select([seniority == "vp", seniority == "director"], [1.0, 0.6], 0.0))
    converted = rng.random(n) < 1 / (1 + np.exp(-logit))
    as_of = created + pd.to_timedelta(age, unit="D")
    if kind == "scoring":  # one as-of moment for all open leads, as in the warehouse
        as_of = pd.DatetimeIndex([created.max() + pd.Timedelta(days=1)] * n)
        age = ((as_of - created) / pd.Timedelta(days=1)).to_numpy()
    lead_ids = [f"L{seed}-{i:05d}" for i in range(n)]
    return pd.DataFrame({
        "lead_feature_id": [f"{lead}-{kind}" for lead in lead_ids],
        "lead_id": lead_ids,
        "snapshot_name": np.where(np.arange(n) % 4 == 0, "age_0", "random_1")
        if kind == "training" else "scoring",
        "snapshot_kind": kind,
        "as_of_at": as_of,
        "as_of_date": as_of.date,
        "created_at": created,
        "is_outcome_known": kind == "training",
        "converted_within_horizon": converted if kind == "training" else None,
        "rule_score": 5.0 * pricing_30d + np.where(free, -10, 10) + rng.normal(0, 8, n),
        "lead_age_days": age.round(2),
        "is_free_email": free,
        "seniority": seniority,
        "pricing_page_views_7d": pricing_7d,
        "pricing_page_views_30d": pricing_30d,
        "web_sessions_30d": sessions_30d,
        "days_since_web_session": np.where(sessions_30d > 0, rng.uniform(0, 30, n), np.nan),
    })


@pytest.fixture
def frame() -> pd.DataFrame:
    return lead_frame()


@pytest.fixture
def fast_config() -> TrainConfig:
    return TrainConfig(seed=7, max_iter=60, threads=1)


def phrases() -> pd.DataFrame:
    from pipelines.project import PROJECT_ROOT

    return pd.read_csv(PROJECT_ROOT / "dbt_project" / "seeds" / "ml_reason_phrases.csv")


def score_tiers() -> pd.DataFrame:
    from pipelines.project import PROJECT_ROOT

    return pd.read_csv(PROJECT_ROOT / "dbt_project" / "seeds" / "score_tiers.csv")
