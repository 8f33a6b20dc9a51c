"""Reasons match the model's contributions; scores, tiers and ranks; drift."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models_ml import drift, runs
from models_ml.explain import contributions, reason_groups, render, top_reasons
from models_ml.features import LABEL, META_COLUMNS, detect_spec
from models_ml.registry import Registry
from models_ml.score import SCORE_COLUMNS, score_leads
from models_ml.train import TrainConfig, fit_candidate, train
from tests.ml.conftest import lead_frame, phrases
from tests.ml.test_registry_gate import warehouse_with


@pytest.fixture
def fitted(frame):
    y = frame[LABEL].to_numpy(dtype=np.int8)
    spec = detect_spec(frame, META_COLUMNS)
    cfg = TrainConfig(seed=3, max_iter=40, threads=1)
    return {kind: fit_candidate(kind, frame, y, spec, cfg) for kind in
            ("logistic_regression", "gradient_boosting")}


def test_logistic_contributions_are_the_linear_terms(frame, fitted):
    model = fitted["logistic_regression"]
    groups = reason_groups(phrases(), model.spec.columns)
    matrix = model.transform(frame.head(50))
    contrib = contributions(model, matrix, groups)
    coef = np.ravel(model.classifier.coef_)
    owner = np.array(model.column_features)
    pricing = next(g for g, group in enumerate(groups) if group.name == "pricing")
    idx = np.isin(owner, groups[pricing].features)
    expected = (matrix[:, idx] - model.reference[idx]) @ coef[idx]
    np.testing.assert_allclose(contrib[:, pricing], expected)
    # groups add up to the margin's distance from the reference lead
    reference_margin = model.margin(model.reference.reshape(1, -1))[0]
    np.testing.assert_allclose(contrib.sum(axis=1), model.margin(matrix) - reference_margin)


def test_boosting_contributions_are_occlusions(frame, fitted):
    model = fitted["gradient_boosting"]
    groups = reason_groups(phrases(), model.spec.columns)
    rows = frame.head(20)
    matrix = model.transform(rows)
    contrib = contributions(model, matrix, groups)
    margin = model.margin(matrix)
    owner = np.array(model.column_features)
    for g, group in enumerate(groups):
        idx = np.isin(owner, group.features)
        occluded = matrix.copy()
        occluded[:, idx] = model.reference[idx]
        np.testing.assert_allclose(contrib[:, g], margin - model.margin(occluded), atol=1e-12)


def test_reasons_follow_the_largest_contributions_with_their_sign(frame, fitted):
    model = fitted["logistic_regression"]
    groups = reason_groups(phrases(), model.spec.columns)
    matrix = model.transform(frame)
    contrib = contributions(model, matrix, groups)
    reasons = top_reasons(frame, contrib, groups)
    top = np.argmax(np.abs(contrib), axis=1)
    effect = contrib[np.arange(len(frame)), top]
    np.testing.assert_allclose(reasons["reason_1_effect"], np.round(effect, 4))
    assert (reasons["reason_1"].str[0] == np.where(effect > 0, "+", "-")).all()
    assert (reasons["reason_1_effect"].abs() >= reasons["reason_2_effect"].abs()).all()
    # a heavy pricing visitor: pricing is a positive reason, in words with the count
    heavy = int(np.argmax(frame["pricing_page_views_7d"].to_numpy()))
    row = reasons.iloc[heavy][["reason_1", "reason_2", "reason_3"]].tolist()
    count = frame["pricing_page_views_7d"].iloc[heavy]
    assert f"+ pricing page visits: {count} this week" in " ".join(row)
    # free-mail lowers the score and says so
    free = reasons[frame["is_free_email"].to_numpy()]
    said = free[["reason_1", "reason_2", "reason_3"]].apply(lambda r: " ".join(r.dropna()), axis=1)
    assert said.str.contains("- free-mail address", regex=False).mean() > 0.5
    assert not reasons.loc[~frame["is_free_email"].to_numpy(), "reason_1"].str.contains(
        "free-mail", regex=False).any()


def test_render_fills_values_per_row():
    frame = pd.DataFrame({"n": [3, np.nan], "s": ["vp", None], "b": [True, False]})
    out = render("x {n} y {s} z {b}", frame)
    assert out.tolist() == ["x 3 y vp z yes", "x none y unknown z no"]


def test_score_leads_columns_ranks_and_tiers(frame, fast_config):
    y = frame[LABEL].to_numpy(dtype=np.int8)
    model = train(frame, y, detect_spec(frame, META_COLUMNS), fast_config).model
    today = lead_frame(500, seed=9, kind="scoring")
    scores = score_leads(model, today, phrases(), "v1", batch_rows=120)
    assert list(scores.columns) == list(SCORE_COLUMNS)
    assert len(scores) == 500 and scores["lead_id"].is_unique
    assert sorted(scores["priority_rank"]) == list(range(1, 501))
    best = scores.sort_values("priority_rank")
    assert best["probability"].is_monotonic_decreasing
    assert scores["score"].between(0, 100).all()
    assert (scores["score"] == np.rint(100 * scores["probability"])).all()
    assert set(scores["tier"]) <= set("ABCD")
    assert best["tier"].iloc[0] == "A" and best["tier"].iloc[-1] == "D"
    assert scores["reason_1"].str.match(r"^[+-] ").all()


def test_scores_are_kept_per_day(tmp_path):
    training = lead_frame(3000, seed=4)
    day1 = lead_frame(300, seed=5, kind="scoring")
    con = warehouse_with(tmp_path / "w.duckdb", training, day1)
    registry = Registry(tmp_path / "models")
    outcome = runs.train_and_gate(con, registry, TrainConfig(seed=4, threads=1, max_iter=40))
    first = runs.score_open_leads(con, registry, outcome.version)
    runs.write_scores(con, first)
    runs.write_scores(con, first)  # a re-run of the day replaces the day
    # the next day: other as-of moment, the same leads
    con.execute("UPDATE marts.fct_lead_features SET as_of_at = as_of_at + INTERVAL 1 DAY "
                "WHERE snapshot_kind = 'scoring'")
    runs.write_scores(con, runs.score_open_leads(con, registry, outcome.version))
    per_day = con.execute("SELECT count(DISTINCT score_date), count(*) FROM ml.lead_scores"
                          ).fetchone()
    assert per_day[0] >= 2 and per_day[1] == 2 * 300
    assert con.execute("SELECT count(*) FROM ml.score_drift").fetchone()[0] > 0


def test_drift_flags_a_shifted_feature():
    rng = np.random.default_rng(0)
    reference = pd.DataFrame({"x": rng.normal(0, 1, 5000), "c": rng.choice(["a", "b"], 5000)})
    profile = drift.profiles(reference, ["x", "c"], rng.uniform(0, 1, 5000))
    same = pd.DataFrame({"x": rng.normal(0, 1, 5000), "c": rng.choice(["a", "b"], 5000)})
    shifted = pd.DataFrame({"x": rng.normal(1.5, 1, 5000), "c": rng.choice(["a", "z"], 5000)})
    calm = drift.drift_table(profile, same, rng.uniform(0, 1, 5000))
    assert not calm["is_drifted"].any()
    moved = drift.drift_table(profile, shifted, rng.uniform(0, 1, 5000))
    assert set(moved.loc[moved["is_drifted"], "column"]) == {"x", "c"}
    assert moved["column"].iloc[0] == "probability"
