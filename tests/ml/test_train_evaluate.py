"""Training, calibration and the evaluation figures on small frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models_ml.evaluate import by_tier, calibration_table, metrics, quartile_tiers, top_decile
from models_ml.features import LABEL, META_COLUMNS, FeatureError, binary_target, detect_spec
from models_ml.train import TrainConfig, time_split, train


def test_detect_spec_sorts_columns_and_leaves_out_meta_and_constants(frame):
    frame = frame.assign(constant=1)
    spec = detect_spec(frame, META_COLUMNS)
    assert "seniority" in spec.categorical
    assert {"is_free_email", "pricing_page_views_7d", "days_since_web_session"} <= set(spec.numeric)
    assert not set(spec.columns) & {*META_COLUMNS, "constant"}


def test_time_split_keeps_the_newest_leads_for_validation(frame):
    split = time_split(frame["created_at"], 0.15, 0.2)
    assert not (split.train & split.validation).any()
    assert (split.train | split.calibration | split.validation).all()
    assert frame["created_at"][split.train].max() < frame["created_at"][split.validation].min()
    assert split.validation.mean() == pytest.approx(0.2, abs=0.01)


def test_training_is_reproducible_and_beats_chance(frame, fast_config):
    y = frame[LABEL].to_numpy(dtype=np.int8)
    spec = detect_spec(frame, META_COLUMNS)
    first = train(frame, y, spec, fast_config)
    second = train(frame, y, spec, fast_config)
    valid = frame[first.split.validation]
    p1, p2 = first.model.predict_proba(valid), second.model.predict_proba(valid)
    np.testing.assert_array_equal(p1, p2)
    assert set(first.candidate_auc) == {"logistic_regression", "gradient_boosting"}
    assert first.model.kind == max(first.candidate_auc, key=first.candidate_auc.get)
    figures = metrics(y[first.split.validation], p1)
    assert figures["roc_auc"] > 0.75
    assert 0 <= p1.min() and p1.max() <= 1
    # calibrated: the mean prediction is close to the observed rate
    assert p1.mean() == pytest.approx(y[first.split.validation].mean(), abs=0.05)
    cut_a, cut_b, cut_c = first.model.tier_cutoffs
    assert cut_a >= cut_b >= cut_c


def test_tiers_are_quarters_even_when_isotonic_steps_tie_the_probabilities(frame):
    # a rare outcome: isotonic calibration maps most leads to the same low step, and
    # quartiles of that probability once put every lead in tier A
    y = (frame[LABEL].to_numpy(dtype=np.int8)
         & (np.arange(len(frame)) % 4 == 0)).astype(np.int8)
    spec = detect_spec(frame, META_COLUMNS)
    cfg = TrainConfig(calibration="isotonic", kinds=("logistic_regression",), threads=1)
    result = train(frame, y, spec, cfg)
    valid = frame[result.split.validation]
    margin = result.model.margin(result.model.transform(valid))
    probability = result.model.calibrate(margin)
    # tiers by quartiles of the stepped probability would be lopsided
    a, b, c = np.quantile(probability, [0.75, 0.5, 0.25])
    by_probability = np.select([probability >= a, probability >= b, probability >= c],
                               ["A", "B", "C"], default="D")
    lopsided = pd.Series(by_probability).value_counts(normalize=True)
    assert len(lopsided) < 4 or not lopsided.between(0.2, 0.3).all(), lopsided
    shares = pd.Series(result.model.tiers(margin)).value_counts(normalize=True)
    assert set(shares.index) == set("ABCD")
    assert shares.between(0.2, 0.3).all(), shares


def test_sigmoid_calibration_and_single_family(frame):
    y = frame[LABEL].to_numpy(dtype=np.int8)
    spec = detect_spec(frame, META_COLUMNS)
    cfg = TrainConfig(calibration="sigmoid", kinds=("logistic_regression",), threads=1)
    result = train(frame, y, spec, cfg)
    assert result.model.kind == "logistic_regression"
    assert list(result.candidate_auc) == ["logistic_regression"]


def test_one_class_is_refused(frame, fast_config):
    y = np.zeros(len(frame), dtype=np.int8)
    with pytest.raises(FeatureError, match="single class"):
        train(frame, y, detect_spec(frame, META_COLUMNS), fast_config)


def test_metrics_by_hand():
    y = np.array([1, 0, 0, 0, 0, 0, 0, 0, 0, 1])
    p = np.array([0.9, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2])
    m = metrics(y, p)
    assert m["roc_auc"] == 1.0
    assert m["top_decile_precision"] == 1.0  # one row in the top tenth, a conversion
    assert m["top_decile_lift"] == pytest.approx(1.0 / 0.2)
    assert m["brier"] == pytest.approx(((0.1 ** 2) + 8 * 0.01 + 0.8 ** 2) / 10)
    assert top_decile(p, 10).sum() == 1


def test_calibration_table_and_tiers():
    y = np.array([0, 0, 0, 1, 0, 1, 1, 1])
    p = np.linspace(0.1, 0.8, 8)
    table = calibration_table(y, p, bands=4)
    assert table["rows"].tolist() == [2, 2, 2, 2]
    assert table["observed"].tolist() == [0.0, 0.5, 0.5, 1.0]
    tiers = quartile_tiers(p)
    assert tiers.tolist() == ["D", "D", "C", "C", "B", "B", "A", "A"]
    assert by_tier(y, tiers)["conversion_rate"].tolist() == [1.0, 0.5, 0.5, 0.0]
    # whole conversions (a tier with one conversion printed as 1.0000 once)
    assert by_tier(y, tiers)["conversions"].tolist() == [2, 1, 1, 0]


def test_binary_target_reads_common_label_spellings():
    assert binary_target(pd.Series([0, 1, 1])).tolist() == [0, 1, 1]
    assert binary_target(pd.Series(["No", "Yes"]), "yes").tolist() == [0, 1]
    assert binary_target(pd.Series([True, False])).tolist() == [1, 0]
    with pytest.raises(FeatureError, match="exactly two"):
        binary_target(pd.Series(["a", "b", "c"]))
    with pytest.raises(FeatureError, match="no value"):
        binary_target(pd.Series(["no", "yes"]), "maybe")


def test_evaluation_reports_the_rows_taken_at_creation_apart(frame, fast_config):
    from models_ml.evaluation_text import evaluation_lines
    from models_ml.runs import evaluate_on

    y = frame[LABEL].to_numpy(dtype=np.int8)
    spec = detect_spec(frame, META_COLUMNS)
    result = train(frame, y, spec, fast_config)
    evaluation = evaluate_on(result.model, frame, y, result.split)
    valid = frame[result.split.validation]
    at_creation = (valid["snapshot_name"] == "age_0").to_numpy()
    section = evaluation["at_creation"]
    assert section["model"]["rows"] == at_creation.sum() < len(valid)
    assert section["model"]["positives"] == y[result.split.validation][at_creation].sum()
    assert section["rule"]["rows"] == section["model"]["rows"]
    assert sum(t["rows"] for t in section["tiers"]) == at_creation.sum()
    evaluation.pop("_probability")
    lines = evaluation_lines(evaluation, "title")
    assert any(line.startswith("at creation only") for line in lines)
    # a table without snapshots (a labelled CSV) has no such section
    plain = evaluate_on(result.model, frame.drop(columns="snapshot_name"), y, result.split)
    assert "at_creation" not in plain


def test_count_log_takes_the_log_of_counts_only():
    from models_ml.train import CountLog

    X = np.array([[0, 0.5, -1, 3], [3, 2.25, 2, np.nan], [99, 10.0, 0, 1]], dtype=float)
    out = CountLog().fit(X).transform(X)
    np.testing.assert_allclose(out[:, 0], np.log1p([0, 3, 99]))  # a count
    np.testing.assert_array_equal(out[:, 1], X[:, 1])  # not whole numbers: an age, a span
    np.testing.assert_array_equal(out[:, 2], X[:, 2])  # negative: not a count
    assert np.isnan(out[1, 3]) and out[2, 3] == np.log1p(1)  # NaN stays NaN
    # the columns learned at fit hold at transform, whatever new values come
    again = CountLog().fit(X).transform(np.array([[4, 3.0, 5, 2]], dtype=float))
    np.testing.assert_allclose(again, [[np.log1p(4), 3.0, 5, np.log1p(2)]])


def test_logistic_features_keep_their_names_through_the_count_log(frame):
    from models_ml.features import prepare
    from models_ml.model import column_features
    from models_ml.train import preprocessor

    spec = detect_spec(frame, META_COLUMNS)
    pre = preprocessor("logistic_regression", spec)
    pre.fit(prepare(frame, spec))
    owners = column_features(pre, spec)
    assert set(owners) == set(spec.columns)
