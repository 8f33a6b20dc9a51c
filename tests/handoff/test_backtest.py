"""`leadflow scoring backtest`: candidate scoring and lifecycle seeds replayed beside the
current ones on a generated warehouse, which stays as it was."""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import pytest

from pipelines.cli import main
from pipelines.project import DBT_PROJECT_DIR

SEEDS = DBT_PROJECT_DIR / "seeds"


@pytest.fixture
def warehouse(lf_paths, generated_warehouse):
    lf_paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(generated_warehouse, lf_paths.warehouse)
    return lf_paths


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def backtest(capsys, rules: Path, out: Path, *extra: str) -> tuple[int, str, str, list[dict]]:
    code = main(["scoring", "backtest", "--rules", str(rules), "--out", str(out), *extra])
    printed, err = capsys.readouterr()
    rows = list(csv.DictReader(out.open())) if code == 0 else []
    return code, printed, err, rows


def stricter_mql_rules(folder: Path) -> Path:
    """lifecycle_rules with the MQL rules raised: the engagement threshold from 20 to 40
    points and a high-intent form counting only with engagement (2 forms)."""
    folder.mkdir()
    text = (SEEDS / "lifecycle_rules.csv").read_text()
    lines = text.splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        if cells[0] == "engaged":
            cells[4] = "40"
        if cells[0] == "high_intent_form":
            cells[4] = "2"
        out.append(",".join(cells))
    (folder / "lifecycle_rules.csv").write_text("\n".join(out) + "\n")
    return folder


def test_a_stricter_mql_threshold_gives_fewer_mqls_converting_more(warehouse, capsys,
                                                                   tmp_path):
    before = digest(warehouse.warehouse)
    rules = stricter_mql_rules(tmp_path / "strict")
    code, printed, err, rows = backtest(capsys, rules, tmp_path / "out.csv")
    assert code == 0, err
    total = rows[-1]
    assert total["week"] == "all"
    assert 0 < int(total["mqls_candidate"]) < int(total["mqls_current"])
    assert (float(total["mql_customer_rate_candidate"])
            > float(total["mql_customer_rate_current"]) > 0)
    # fewer MQLs catch fewer of the eventual customers
    assert float(total["recall_candidate"]) <= float(total["recall_current"])
    assert int(total["leads_changed"]) > 0
    # the scoring seeds did not change: the rule score ranks the same
    assert total["rule_score_auc_current"] == total["rule_score_auc_candidate"]
    assert 0.5 < float(total["rule_score_auc_current"]) <= 1
    # every week's MQLs add up to the total
    assert sum(int(r["mqls_current"]) for r in rows[:-1]) == int(total["mqls_current"])
    assert "leads change stage" in printed and "all weeks" in printed
    assert digest(warehouse.warehouse) == before


def test_identical_rules_give_identical_columns(warehouse, capsys, tmp_path):
    rules = tmp_path / "same"
    rules.mkdir()
    for name in ("scoring_rules", "scoring_groups", "scoring_grades", "scoring_parameters",
                 "lifecycle_rules", "lifecycle_rule_gates"):
        shutil.copy(SEEDS / f"{name}.csv", rules / f"{name}.csv")
    code, _, err, rows = backtest(capsys, rules, tmp_path / "out.csv")
    assert code == 0, err
    assert len(rows) > 10
    for row in rows:
        for column in ("mqls", "mql_customer_rate", "recall", "rule_score_auc",
                       "top_decile_lift"):
            assert row[f"{column}_current"] == row[f"{column}_candidate"], (row, column)
        assert row["leads_changed"] == "0"
    assert int(rows[-1]["mqls_current"]) > 0


def test_a_shorter_half_life_changes_the_rule_score_not_the_mqls(warehouse, capsys,
                                                                 tmp_path):
    rules = tmp_path / "decay"
    rules.mkdir()
    (rules / "scoring_parameters.csv").write_text(
        (SEEDS / "scoring_parameters.csv").read_text().replace(
            "engagement_half_life_days,14,", "engagement_half_life_days,1,"))
    code, _, err, rows = backtest(capsys, rules, tmp_path / "out.csv", "--score-age", "30")
    assert code == 0, err
    total = rows[-1]
    assert total["mqls_current"] == total["mqls_candidate"]
    assert total["rule_score_auc_current"] != total["rule_score_auc_candidate"]


@pytest.mark.parametrize("files, reason", [
    ({"routing_rules.csv": "rule_order\n1\n"}, "not a rule seed"),
    ({"lifecycle_rules.csv": "rule,stage\nx,mql\n"}, "missing column(s) signal"),
    ({}, "holds no candidate rule file"),
    # the seed's own tests: a threshold must be positive
    ({"lifecycle_rules.csv": "rule,stage,signal,points,threshold,window_days,description\n"
                             "engaged,mql,web_session,1,0,30,x\n"},
     "lifecycle_rules_points_and_threshold_are_positive"),
    ({"scoring_parameters.csv": "parameter,value,description\n"
                                "engagement_half_life_days,soon,x\nas_of,latest_event,x\n"},
     "scoring_parameters_are_valid"),
])
def test_bad_candidate_files_are_refused_in_one_line(warehouse, capsys, tmp_path, files,
                                                      reason):
    rules = tmp_path / "bad"
    rules.mkdir()
    for name, text in files.items():
        (rules / name).write_text(text)
    before = digest(warehouse.warehouse)
    code, _, err, _ = backtest(capsys, rules, tmp_path / "out.csv")
    assert code == 2
    line = err.strip().splitlines()[-1]
    assert line.startswith("leadflow: error:") and reason in line, err
    assert digest(warehouse.warehouse) == before
    assert not (tmp_path / "out.csv").exists()


def test_no_warehouse_is_one_line(lf_paths, capsys, tmp_path):
    rules = stricter_mql_rules(tmp_path / "strict")
    code, _, err, _ = backtest(capsys, rules, tmp_path / "out.csv")
    assert code == 2 and "run `leadflow run` first" in err


def test_the_current_side_is_the_warehouse_as_built(generated_warehouse, tmp_path):
    """The throwaway build of the seeds as they stand reproduces the warehouse's own
    stages and rule scores: the backtest compares with what the daily run computes."""
    from pipelines.handoff.rebuild import BuildOptions, rebuilt
    from pipelines.resources import open_duckdb

    rules = stricter_mql_rules(tmp_path / "strict")
    with rebuilt(generated_warehouse, {"lifecycle_rules": rules / "lifecycle_rules.csv"},
                 BuildOptions(), tmp_path / "tmp") as work:
        con = open_duckdb(work.warehouse, read_only=True)
        try:
            con.execute(f"ATTACH '{generated_warehouse}' AS built (READ_ONLY)")
            for side, table, query in (
                    ("current", "lead_stages",
                     "SELECT lead_id, stage, stage_order, entered_at, entered_via "
                     "FROM built.marts.fct_lead_stages"),
                    ("current", "lead_rule_scores",
                     "SELECT lead_id, fit_score, fit_grade, engagement_score, engagement_band "
                     "FROM built.marts.fct_lead_rule_scores")):
                kept = f"SELECT * FROM rules_{side}.{table}"
                assert con.execute(f"SELECT count(*) FROM ({kept})").fetchone()[0] > 0
                assert con.execute(f"({kept} EXCEPT ALL {query}) UNION ALL "
                                   f"({query} EXCEPT ALL {kept})").fetchall() == []
            # and the candidate differs where the MQL threshold bites
            assert con.execute("SELECT count(*) FROM rules_candidate.lead_stages "
                               "WHERE stage = 'mql'").fetchone()[0] < con.execute(
                "SELECT count(*) FROM rules_current.lead_stages WHERE stage = 'mql'"
            ).fetchone()[0]
        finally:
            con.close()
