"""Issue 15 regression: on the demo's generated data (make demo's size and seed, a fixed end
date) the learned model beats the rule score by a clear margin on the same validation
snapshots, ranking and probabilities, and comes within 95% of the hidden truth's ROC AUC.

Before the fix the logistic model (balanced class weights, C=0.5) learned the noise of the
first landing pages, and the baseline counted fit points from forms submitted after the
snapshot: the model was refused (ROC AUC 0.824 against 0.837)."""

from __future__ import annotations

import pytest

from leadflow_dev.bench.ml import prepare_task, train_task
from pipelines.cli import main

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def demo_training(tmp_path_factory):
    work = tmp_path_factory.mktemp("demo_gate")
    inbox, truth = work / "inbox", work / "truth.parquet"
    assert main(["generate", "--leads", "10000", "--days", "365", "--seed", "42",
                 "--end-date", "2026-12-01", "--inbox", str(inbox), "--truth", str(truth)]) == 0
    db = work / "warehouse.duckdb"
    prepare_task(str(inbox), str(db), str(work / "tmp"), str(work / "target"))
    return train_task(str(db), str(work / "models"), str(truth))


def test_the_model_beats_the_rule_score_by_a_clear_margin(demo_training):
    model, rule = demo_training["model"], demo_training["rule"]
    assert model["rows"] == rule["rows"] > 5000
    assert model["roc_auc"] > rule["roc_auc"] + 0.04
    assert model["brier"] < rule["brier"]


def test_the_model_reaches_95_percent_of_the_hidden_truth(demo_training):
    truth = demo_training["vs_truth"]
    assert truth["rows"] == demo_training["validation_rows"]
    assert truth["model"] >= 0.95 * truth["truth"]
