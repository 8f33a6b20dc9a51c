"""Reasons match the model's contributions; scores, tiers and ranks; drift."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from models_ml import drift, runs
from models_ml.explain import contributions, reason_groups, render, top_reasons
from models_ml.features import LABEL, META_COLUMNS, detect_spec
from models_ml.registry import Registry
from models_ml.score import (
    SCORE_COLUMNS,
    ScaleError,
    assign_tiers,
    scale,
    score_breakpoints,
    score_leads,
    tier_bands,
)
from models_ml.train import TrainConfig, fit_candidate, train
from pipelines.activation.segments import FORMULA_START
from tests.ml.conftest import lead_frame, phrases, score_tiers
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
    direction = np.where(effect > 0, "Raises the score: ", "Lowers the score: ")
    assert [r.startswith(d) for r, d in zip(reasons["reason_1"], direction, strict=True)] \
        == [True] * len(reasons)
    assert (reasons["reason_1_effect"].abs() >= reasons["reason_2_effect"].abs()).all()
    # a heavy pricing visitor: pricing is a positive reason, in words with the count
    heavy = int(np.argmax(frame["pricing_page_views_7d"].to_numpy()))
    row = reasons.iloc[heavy][["reason_1", "reason_2", "reason_3"]].tolist()
    count = frame["pricing_page_views_7d"].iloc[heavy]
    assert f"Raises the score: visited the pricing page {count} times this week" \
        in " ".join(row)
    # free-mail lowers the score and says so
    free = reasons[frame["is_free_email"].to_numpy()]
    said = free[["reason_1", "reason_2", "reason_3"]].apply(lambda r: " ".join(r.dropna()), axis=1)
    assert said.str.contains("Lowers the score: free-mail address", regex=False).mean() > 0.5
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
    scores = score_leads(model, today, phrases(), score_tiers(), "v1", batch_rows=120)
    assert list(scores.columns) == list(SCORE_COLUMNS)
    assert len(scores) == 500 and scores["lead_id"].is_unique
    assert sorted(scores["priority_rank"]) == list(range(1, 501))
    best = scores.sort_values("priority_rank")
    assert best["probability"].is_monotonic_decreasing
    # higher score, never a lower probability; the scale spans 1-99
    assert best["score"].is_monotonic_decreasing
    assert scores["score"].between(1, 99).all()
    assert scores["score"].min() <= 10 and scores["score"].max() >= 90
    # every tier is a band of the score: A's lowest above B's highest, and so on
    bands = scores.groupby("tier")["score"].agg(["min", "max"])
    assert list(bands.index) == ["A", "B", "C", "D"]
    assert (bands["min"].to_numpy()[:-1] > bands["max"].to_numpy()[1:]).all()
    assert bands.loc["A", "min"] >= 75 and bands.loc["D", "max"] <= 24
    assert scores.loc[scores["tier"] == "A", "score"].median() >= 80
    assert scores["reason_1"].str.match(r"^(Raises|Lowers) the score: ").all()


def test_the_score_scale_is_fixed_at_training_not_by_the_day(frame, fast_config):
    y = frame[LABEL].to_numpy(dtype=np.int8)
    model = train(frame, y, detect_spec(frame, META_COLUMNS), fast_config).model
    assert len(model.score_breakpoints) == 98
    today = lead_frame(400, seed=9, kind="scoring")
    alone = score_leads(model, today.head(7), phrases(), score_tiers(), "v1")
    among = score_leads(model, today, phrases(), score_tiers(), "v1")
    # a lead's score does not depend on who else is scored that day
    assert alone.set_index("lead_id")["score"].equals(
        among.set_index("lead_id")["score"].loc[alone["lead_id"]])


def test_a_model_saved_before_the_scale_still_scores(frame, fast_config, caplog):
    y = frame[LABEL].to_numpy(dtype=np.int8)
    model = train(frame, y, detect_spec(frame, META_COLUMNS), fast_config).model
    del model.score_breakpoints  # as unpickled from an older artifact: the class default
    assert model.score_breakpoints is None
    today = lead_frame(400, seed=9, kind="scoring")
    with caplog.at_level("WARNING"):
        scores = score_leads(model, today, phrases(), score_tiers(), "old")
    assert "no stored score scale" in caplog.text
    # the day's own percentiles: a quarter of the day's leads in each tier, roughly
    shares = scores["tier"].value_counts(normalize=True)
    assert shares.between(0.2, 0.3).all() and scores["score"].between(1, 99).all()


def test_score_scale_and_bands():
    breakpoints = score_breakpoints(np.arange(990, dtype=float))
    assert len(breakpoints) == 98
    assert scale(np.array([-1.0, 0.0, 495.0, 989.0, 5000.0]), breakpoints).tolist() \
        == [1, 1, 50, 99, 99]
    bands = tier_bands(score_tiers())
    assert assign_tiers(np.array([99, 75, 74, 50, 49, 25, 24, 1]), bands).tolist() \
        == ["A", "A", "B", "B", "C", "C", "D", "D"]
    gap = score_tiers().assign(min_score=[76, 50, 25, 1])
    with pytest.raises(ScaleError, match="without gap or overlap"):
        tier_bands(gap)
    with pytest.raises(ScaleError, match="end at 98"):
        tier_bands(score_tiers().assign(max_score=[98, 74, 49, 24]))


def test_no_reason_starts_like_a_formula(frame, fitted):
    """Seed phrases and the words made of them never start with = + - @ (or a fullwidth or
    space-led variant): exports carry them as they are, without the formula guard's '."""
    guard = duckdb.connect()

    def formula(texts) -> list[str]:
        texts = pd.DataFrame({"t": list(texts)})
        return guard.execute(f"SELECT t FROM texts WHERE regexp_matches(t, '{FORMULA_START}')"
                             ).df()["t"].tolist()

    seed = phrases()
    assert formula(seed["positive_phrase"]) == [] and formula(seed["negative_phrase"]) == []
    for model in fitted.values():
        groups = reason_groups(seed, model.spec.columns)
        contrib = contributions(model, model.transform(frame), groups)
        reasons = top_reasons(frame, contrib, groups)
        said = pd.concat([reasons[f"reason_{k}"] for k in (1, 2, 3)]).dropna()
        assert len(said) > 0 and formula(said) == []
    # the guard still catches a formula (the check itself can fail)
    assert formula(["=1+1", " -2", "Raises the score: x"]) == ["=1+1", " -2"]


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
