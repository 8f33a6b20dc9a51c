"""`leadflow model train | evaluate | score` and `evaluate --csv` on small inputs."""

from __future__ import annotations

from pathlib import Path

import duckdb
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
    assert "the candidate is the first" in out and "rule score" in out
    version = (lf_paths.models / "current").read_text().strip()
    assert (lf_paths.models / version / "metadata.json").exists()

    assert main(["model", "score"]) == 0
    out = capsys.readouterr().out
    assert "scored 400 open leads" in out and "population stability" in out
    assert main(["model", "evaluate", "--version", version]) == 0
    assert "ROC AUC" in capsys.readouterr().out
    assert main(["model", "evaluate", "--version", "19990101-nothing"]) == 2
    assert "no model '19990101-nothing'" in capsys.readouterr().err


def test_list_promote_rollback(lf_paths, capsys):
    from models_ml.registry import Registry

    con = warehouse_with(lf_paths.warehouse, lead_frame(3000, seed=14))
    con.close()
    assert main(["model", "list"]) == 0
    assert "no model" in capsys.readouterr().out
    assert main(["model", "rollback"]) == 2
    assert "nothing to roll back" in capsys.readouterr().err
    assert main(["model", "train", "--threads", "1"]) == 0
    first = Registry(lf_paths.models).current()
    with duckdb.connect(str(lf_paths.warehouse)) as con:
        con.register("more", lead_frame(500, seed=15))
        con.execute("INSERT INTO marts.fct_lead_features SELECT * FROM more")
    capsys.readouterr()
    # a gate no model passes: refused, exit 2, the first model stays in service
    assert main(["model", "train", "--threads", "1", "--rule-margin", "1"]) == 2
    assert f"{first} stays in service" in capsys.readouterr().err
    refused = next(v for v in Registry(lf_paths.models).versions() if v != first)
    assert main(["model", "list"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line.split()[1] for line in out.splitlines()[1:]
             if line and not line.startswith(" ")}
    assert lines == {first: "served", refused: "refused"}
    assert "does not beat the rule score" in out and "ROC AUC" in out
    assert main(["model", "promote", refused]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["model", "promote", refused, "--force"]) == 0
    assert f"model {refused} is now served (was {first})" in capsys.readouterr().out
    assert main(["model", "rollback"]) == 0
    assert f"model {first} is served again" in capsys.readouterr().out
    assert Registry(lf_paths.models).current() == first
    assert main(["model", "promote", "19990101-nothing"]) == 2
    with duckdb.connect(str(lf_paths.warehouse), read_only=True) as con:
        rows = dict(con.execute("SELECT model_version, status FROM ml.model_runs").fetchall())
    assert rows == {first: "served", refused: "retired"}
