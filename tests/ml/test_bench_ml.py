"""The ML benchmark's targets and report lines (the phase itself runs in `make bench`)."""

from __future__ import annotations

from leadflow_dev.bench.ml import ml_report_lines, ml_targets


def result(train_seconds: float = 60.0, model_auc: float = 0.84) -> dict:
    figures = {"roc_auc": model_auc, "pr_auc": 0.2, "brier": 0.025,
               "top_decile_precision": 0.15, "top_decile_lift": 5.0}
    rule = {**figures, "roc_auc": 0.81, "brier": 0.026}
    return {
        "train": {"train_seconds": train_seconds, "train_cpu_seconds": 50.0,
                  "training_rows": 500_000, "labelled_rows": 700_000, "labelled_leads": 150_000,
                  "kind": "logistic_regression", "peak_rss_bytes": 2 * 2**30,
                  "validation_rows": 100_000, "model": figures, "rule": rule,
                  "vs_truth": {"rows": 100_000, "model": model_auc, "truth": 0.86},
                  "vs_truth_at_creation": {"rows": 25_000, "model": 0.80, "truth": 0.86,
                                           "truth_fit": 0.75}},
        "score": {"rows": 1_000_000, "distinct_feature_rows": 600_000, "open_leads": 50_000,
                  "score_seconds": 20.0, "score_cpu_seconds": 19.0, "write_seconds": 3.0,
                  "load_average": [1.0, 1.0, 1.0], "peak_rss_bytes": 3 * 2**30},
    }


def test_targets_pass_and_fail_on_their_limits():
    passed = {t["target"]: t["passed"] for t in ml_targets("M", result())}
    assert all(passed.values()), passed
    failed = {t["target"]: t["passed"]
              for t in ml_targets("M", result(train_seconds=200.0, model_auc=0.80))}
    assert not failed["training time"]
    assert not failed["model ROC AUC / hidden truth's"]  # 0.80 / 0.86 < 0.95
    assert not failed["model ROC AUC - rule score's"]


def test_report_names_the_repetition_and_the_truth_share():
    text = "\n".join(ml_report_lines(result(), "S"))
    assert "repeated" in text and "97.7% of it" in text and "(set for scale M)" in text
    assert "the truth's fit alone 0.7500" in text
    assert "FAIL" not in text
