"""`leadflow model train | evaluate | score` and `evaluate --csv` on small inputs."""

from __future__ import annotations

import io
import os
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from pipelines.cli import main
from pipelines.project import PROJECT_ROOT
from tests.ml.conftest import lead_frame
from tests.ml.test_registry_gate import warehouse_with

# the public datasets as tests/importer/test_real_datasets.py finds them
DATASETS = Path(os.environ.get("LEADFLOW_DATASETS", PROJECT_ROOT.parent / "shared" / "datasets"))
X_EDUCATION = DATASETS / "x_education" / "Leads.csv"


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


@pytest.fixture
def analyst_csv(tmp_path) -> Path:
    """A labelled table with the analyst's usual mistakes: a text key, a sequence number,
    a near-perfect copy of the outcome and a field filled after it (mostly for one class,
    decisive where filled), beside honest features."""
    rng = np.random.default_rng(3)
    table = lead_frame(1500, seed=16)[["seniority", "is_free_email", "pricing_page_views_7d",
                                        "web_sessions_30d", "converted_within_horizon"]]
    y = table.pop("converted_within_horizon").to_numpy(dtype=bool)
    n = len(table)
    table.insert(0, "crm_key", [f"K{rng.integers(1e9):09d}-{i}" for i in range(n)])
    table.insert(1, "row_number", np.arange(1000, 1000 + n))
    table.insert(2, "exported_at", np.sort(rng.uniform(1.7e9, 1.8e9, n)).round(1))
    table["deal_stage_now"] = np.where(rng.random(n) < 0.98, np.where(y, "won", "lost"),
                                       np.where(y, "lost", "won"))
    filled = rng.random(n) < np.where(y, 0.8, 0.3)
    table["sales_note"] = np.where(filled, np.where(y, "signed", "no budget"), None)
    table["converted"] = np.where(y, "yes", "no")
    path = tmp_path / "analyst.csv"
    table.to_csv(path, index=False)
    return path


def test_evaluate_csv_excludes_identifiers_and_suspected_leaks(analyst_csv, capsys):
    args = ["model", "evaluate", "--csv", str(analyst_csv), "--target", "converted",
            "--folds", "3", "--threads", "1"]
    assert main(args) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert ("excluded as identifiers: crm_key (unique per row); row_number (unique per row); "
            "exported_at (monotonic through the file, a value per row)") in out
    leaks = out.split("excluded as suspected leaks")[1].split("  numeric:")[0]
    assert "deal_stage_now: alone it ranks the outcome almost perfectly" in leaks
    assert "sales_note: filled mostly after the outcome?" in leaks
    features = out.split("  numeric:")[1].split("fold stratified")[0]
    for excluded in ("crm_key", "row_number", "exported_at", "deal_stage_now", "sales_note"):
        assert excluded not in features
    for honest in ("seniority", "is_free_email", "pricing_page_views_7d", "web_sessions_30d"):
        assert honest in features and honest not in leaks
    # the folds' progress on stderr, plain lines (not a terminal here)
    assert [line for line in captured.err.splitlines() if "done" in line][-1].startswith(
        "cross-validation: fold 3/3 done, ROC AUC")
    honest_auc = float(next(line for line in out.splitlines()
                            if line.startswith("ROC AUC")).split()[2])
    assert honest_auc < 0.9

    assert main([*args, "--keep", "sales_note", "--keep", "row_number"]) == 0
    out = capsys.readouterr().out
    assert "kept on request (--keep): sales_note, row_number" in out
    features = out.split("  numeric:")[1].split("fold stratified")[0]
    assert "sales_note" in features and "row_number" in features
    assert "deal_stage_now" not in features
    assert main([*args, "--keep", "nope"]) == 2
    assert "--keep: no column 'nope'" in capsys.readouterr().err


@pytest.mark.skipif(not X_EDUCATION.exists(),
                    reason=f"X Education leads not found at {X_EDUCATION} (set LEADFLOW_DATASETS)")
def test_evaluate_csv_on_x_education_names_its_ids_and_leaks(capsys):
    code = main(["model", "evaluate", "--csv", str(X_EDUCATION), "--target", "Converted",
                 "--folds", "2", "--threads", "2"])
    out = capsys.readouterr().out
    assert code == 0
    identifiers = next(line for line in out.splitlines() if "excluded as identifiers" in line)
    assert "Prospect ID" in identifiers and "Lead Number" in identifiers
    leaks = out.split("excluded as suspected leaks")[1].split("  numeric:")[0]
    assert "Tags:" in leaks and "Lead Quality:" in leaks
    features = out.split("  numeric:")[1].split("fold stratified")[0]
    for excluded in ("Prospect ID", "Lead Number", "Tags", "Lead Quality"):
        assert excluded not in features
    assert "Total Time Spent on Website" in features and "Lead Origin" in features


def test_score_csv_with_the_served_model(lf_paths, tmp_path, capsys):
    con = warehouse_with(lf_paths.warehouse, lead_frame(3000, seed=17))
    con.close()
    bought = lead_frame(60, seed=18, kind="scoring").drop(
        columns=["lead_feature_id", "snapshot_name", "snapshot_kind", "as_of_at", "as_of_date",
                 "created_at", "is_outcome_known", "converted_within_horizon", "rule_score"])
    bought = bought.rename(columns={"pricing_page_views_7d": "Pricing Page Views 7d",
                                    "lead_id": "Email"})
    path = tmp_path / "bought.csv"
    bought.to_csv(path, index=False)
    assert main(["model", "score", "--csv", str(path)]) == 2
    assert "no model in service" in capsys.readouterr().err
    assert main(["model", "train", "--threads", "1"]) == 0
    capsys.readouterr()

    out_path = tmp_path / "scored.csv"
    assert main(["model", "score", "--csv", str(path), "--out", str(out_path),
                 "--id", "Email"]) == 0
    out = capsys.readouterr().out
    assert "scored 60 rows of bought.csv" in out
    assert "Pricing Page Views 7d -> pricing_page_views_7d" in out
    scored = pd.read_csv(out_path)
    assert len(scored) == 60 and scored["Email"].tolist() == bought["Email"].tolist()
    assert {"probability", "score", "tier", "priority_rank", "reason_1"} <= set(scored.columns)
    assert scored["probability"].between(0, 1).all() and set(scored["tier"]) <= set("ABCD")
    assert sorted(scored["priority_rank"]) == list(range(1, 61))
    # the same model on the same rows scores as the daily scoring does
    best = scored.loc[scored["priority_rank"] == 1, "probability"].iloc[0]
    assert best == scored["probability"].max()

    path.write_text(bought.drop(columns=["seniority", "web_sessions_30d"]).to_csv(index=False))
    assert main(["model", "score", "--csv", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "missing model columns: " in err
    assert "seniority" in err and "web_sessions_30d" in err
    assert main(["model", "score", "--csv", str(path), "--allow-missing"]) == 0
    captured = capsys.readouterr()
    assert "unknown for every row (not in the CSV): " in captured.err
    assert len(pd.read_csv(io.StringIO(captured.out))) == 60


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
