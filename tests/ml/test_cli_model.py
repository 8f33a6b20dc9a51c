"""`leadflow model train | evaluate | score` and `evaluate --csv` on small inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.cli import main
from tests.ml.conftest import lead_frame
from tests.ml.test_registry_gate import warehouse_with

X_EDUCATION = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "x_education" / \
    "Leads.csv"


@pytest.fixture
def leads_csv(tmp_path) -> Path:
    table = lead_frame(1200, seed=11)[[
        "lead_id", "seniority", "is_free_email", "pricing_page_views_7d",
        "pricing_page_views_30d", "web_sessions_30d", "rule_score", "converted_within_horizon"]]
    table = table.assign(converted=table.pop("converted_within_horizon").map(
        {True: "yes", False: "no"}))
    path = tmp_path / "crm_history.csv"
    table.to_csv(path, index=False, sep=";")
    return path


def test_evaluate_csv_prints_the_figures(leads_csv, capsys):
    code = main(["model", "evaluate", "--csv", str(leads_csv), "--target", "converted",
                 "--positive", "yes", "--drop", "lead_id", "--baseline", "rule_score",
                 "--folds", "3", "--threads", "1"])
    out = capsys.readouterr().out
    assert code == 0
    assert "1,200 rows" in out and "3-fold stratified cross-validation" in out
    assert "categorical: seniority" in out and "lead_id" not in out
    for figure in ("ROC AUC", "PR AUC", "Brier score", "precision in the top decile",
                   "lift in the top decile", "calibration by score band", "conversion by tier"):
        assert figure in out
    assert "rule score" in out
    model_auc = float(next(line for line in out.splitlines()
                           if line.startswith("ROC AUC")).split()[2])
    assert model_auc > 0.7


@pytest.mark.parametrize("args, message", [
    (["--target", "nope"], "no column 'nope'"),
    (["--target", "seniority"], "exactly two values"),
    ([], "--csv needs --target"),
])
def test_evaluate_csv_bad_input_is_one_line(leads_csv, capsys, args, message):
    assert main(["model", "evaluate", "--csv", str(leads_csv), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_evaluate_csv_missing_file(tmp_path, capsys):
    assert main(["model", "evaluate", "--csv", str(tmp_path / "x.csv"), "--target", "y"]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.skipif(not X_EDUCATION.exists(), reason="X Education leads not in ../shared")
def test_evaluate_csv_on_x_education(capsys):
    code = main(["model", "evaluate", "--csv", str(X_EDUCATION), "--target", "Converted",
                 "--drop", "Prospect ID,Lead Number,Tags,Lead Quality,Last Notable Activity",
                 "--folds", "3", "--threads", "1"])
    out = capsys.readouterr().out
    assert code == 0 and "9,240 rows" in out
    auc = float(next(line for line in out.splitlines() if line.startswith("ROC AUC")).split()[2])
    assert auc > 0.85


def test_train_score_evaluate_on_the_warehouse(lf_paths, capsys):
    assert main(["model", "score"]) == 2
    assert "no warehouse" in capsys.readouterr().err
    con = warehouse_with(lf_paths.warehouse, lead_frame(3000, seed=12),
                         lead_frame(400, seed=13, kind="scoring"))
    con.close()
    assert main(["model", "score"]) == 2
    assert "no model in service" in capsys.readouterr().err

    assert main(["model", "train", "--threads", "1"]) == 0
    out = capsys.readouterr().out
    assert "gate: no current model" in out and "rule score" in out
    version = (lf_paths.models / "current").read_text().strip()
    assert (lf_paths.models / version / "metadata.json").exists()

    assert main(["model", "score"]) == 0
    out = capsys.readouterr().out
    assert "scored 400 open leads" in out and "population stability" in out
    assert main(["model", "evaluate", "--version", version]) == 0
    assert "ROC AUC" in capsys.readouterr().out
    assert main(["model", "evaluate", "--version", "19990101-nothing"]) == 2
    assert "no model '19990101-nothing'" in capsys.readouterr().err


def test_evaluate_csv_baseline_prints_the_model_beside_a_default_boosting(leads_csv, capsys):
    code = main(["model", "evaluate", "--csv", str(leads_csv), "--target", "converted",
                 "--drop", "lead_id,rule_score", "--baseline", "--folds", "3", "--threads", "1"])
    out = capsys.readouterr().out
    assert code == 0
    model = next(line for line in out.splitlines() if line.startswith("model: ROC AUC"))
    plain = next(line for line in out.splitlines() if line.startswith(
        "baseline HistGradientBoostingClassifier (default): ROC AUC"))
    for line in (model, plain):
        mean, sd = line.split("ROC AUC ")[1].split(" ")[0], line.split("± ")[1][:5]
        assert 0.6 < float(mean) < 1.0 and 0.0 <= float(sd) < 0.1
    assert len(plain.split("per fold: ")[1].split(", ")) == 3
    assert "rule score" not in out  # a bare --baseline names no score column


def test_evaluate_baseline_without_csv_is_refused(capsys):
    assert main(["model", "evaluate", "--baseline"]) == 2
    assert "go with --csv" in capsys.readouterr().err


def test_evaluate_csv_baseline_with_a_score_column_and_without_baseline(leads_csv, capsys):
    assert main(["model", "evaluate", "--csv", str(leads_csv), "--target", "converted",
                 "--drop", "lead_id", "--baseline", "rule_score", "--folds", "3",
                 "--threads", "1"]) == 0
    out = capsys.readouterr().out
    assert "rule score" in out and "baseline HistGradientBoostingClassifier" in out
    assert main(["model", "evaluate", "--csv", str(leads_csv), "--target", "converted",
                 "--drop", "lead_id", "--folds", "3", "--threads", "1"]) == 0
    assert "HistGradientBoostingClassifier" not in capsys.readouterr().out
