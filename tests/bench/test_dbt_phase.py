"""The dbt phase of the benchmark, piece by piece: holding back and releasing the last
day, replaying dbt's SQL without dbt, and the medians and ratios. (A whole dbt build of a
generated inbox is what `make bench` does; it is too slow for a unit test.)"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from leadflow_dev.bench.dbt_phase import DbtBench
from leadflow_dev.bench.dbt_tasks import EVENT_TIME, direct_task, prepare_task, release_day_task
from leadflow_dev.bench.results import dbt_targets, summarise_dbt
from leadflow_dev.bench.summary import _dbt
from pipelines.project import PROJECT_ROOT

SAMPLE_INBOX = PROJECT_ROOT / "data" / "sample" / "inbox"


def counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: con.execute(f"SELECT count(*) FROM raw.{t}").fetchone()[0]
                for t in EVENT_TIME}


def test_the_last_day_is_held_back_then_released_as_new_files(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    held = prepare_task(str(SAMPLE_INBOX), str(db), str(tmp_path / "tmp"))
    with duckdb.connect(str(db), read_only=True) as con:
        old_max = con.execute("SELECT max(file_id) FROM raw._files").fetchone()[0]
        for table, when in EVENT_TIME.items():
            left = con.execute(f"SELECT count(*) FROM raw.{table} "
                               f"WHERE {when} >= '{held['cutoff']}'").fetchone()[0]
            assert left == 0, table  # nothing of the last day is left in raw
        before = {t: con.execute(f"SELECT count(*) FROM raw.{t}").fetchone()[0] + n
                  for t, n in held["rows_held_back"].items()}
    assert sum(held["rows_held_back"].values()) > 0

    released = release_day_task(str(db))["rows_released"]
    assert released == held["rows_held_back"]
    assert counts(db) == before
    with duckdb.connect(str(db), read_only=True) as con:
        new_files = con.execute("SELECT count(*), min(file_id) FROM raw._files "
                                "WHERE file_id > ?", [old_max]).fetchone()
        day_ids = con.execute(f"SELECT min(_file_id) FROM raw.web_events "
                              f"WHERE occurred_at >= '{held['cutoff']}'").fetchone()[0]
    assert new_files == (len(EVENT_TIME), old_max + 1)
    assert day_ids > old_max  # the incremental models see the day as new files


def _node(kind: str, name: str, sql: str, materialized: str = "table") -> dict:
    return {"resource_type": kind, "name": name, "schema": "marts",
            "relation_name": f'"warehouse"."marts"."{name}"',
            "config": {"materialized": materialized}, "compiled_code": sql}


def test_dbts_sql_is_replayed_in_run_order_without_dbt(tmp_path):
    bench = DbtBench(tmp_path, tmp_path / "inbox", tmp_path / "scratch", tmp_path / "tmp", {})
    bench.target.mkdir(parents=True)
    nodes = {
        "model.a": _node("model", "a", "SELECT 1 AS x", "view"),
        "model.b": _node("model", "b", 'SELECT x + 1 AS y FROM "warehouse"."marts"."a"',
                         "incremental"),
        "test.b_not_null": _node("test", "b_not_null",
                                 'SELECT * FROM "warehouse"."marts"."b" WHERE y IS NULL'),
        "seed.s": {"resource_type": "seed", "name": "s"},
    }
    (bench.target / "manifest.json").write_text(json.dumps({"nodes": nodes}))
    (bench.target / "run_results.json").write_text(json.dumps({"results": [
        {"unique_id": u} for u in ("seed.s", "model.a", "model.b", "test.b_not_null")]}))

    statements = bench.executed_sql()
    assert [(s["kind"], s["name"]) for s in statements] == [
        ("model", "a"), ("model", "b"), ("test", "b_not_null")]
    assert statements[0]["sql"].startswith('CREATE OR REPLACE VIEW "warehouse"."marts"."a"')
    assert statements[1]["sql"].startswith('CREATE OR REPLACE TABLE "warehouse"."marts"."b"')

    db = tmp_path / "direct" / "warehouse.duckdb"
    db.parent.mkdir()
    (tmp_path / "statements.json").write_text(json.dumps(statements))
    ran = direct_task(str(db), str(tmp_path / "statements.json"), str(tmp_path / "tmp"))
    assert (ran["models"], ran["tests"]) == (2, 1) and ran["seconds"] > 0
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT y FROM marts.b").fetchall() == [(2,)]


def test_dbt_medians_ratios_and_report():
    runs = {
        "base": {"cutoff": "2026-06-30T00:00:00+00:00", "rows_held_back": {"web_events": 9}},
        "builds": [{"full_seconds": f, "daily_seconds": d, "peak_rss_bytes": 1, "models": 3,
                    "tests": 4} for f, d in [(100.0, 5.0), (120.0, 15.0), (110.0, 10.0)]],
        "direct": [{"seconds": s, "peak_rss_bytes": 2} for s in (80.0, 100.0, 90.0)],
    }
    dbt = summarise_dbt(runs)
    assert dbt["overhead_ratio"] == pytest.approx(110 / 90)
    assert dbt["daily_ratio"] == pytest.approx(10 / 110)
    assert [t["passed"] for t in dbt_targets("M", dbt)] == [True, True, True]
    slower = summarise_dbt({**runs, "builds": [{**b, "daily_seconds": 12.0}
                                               for b in runs["builds"]]})
    assert [t["passed"] for t in dbt_targets("L", slower)] == [True, False, True]  # > 0.1
    assert "3 models and 4 data tests" in "\n".join(_dbt(dbt))


def test_a_floor_is_timed_beside_its_model_and_checked_for_the_same_rows(tmp_path):
    from leadflow_dev.bench.floors import SCRATCH, compare_model

    con = duckdb.connect(str(tmp_path / "floors.duckdb"))
    con.execute(f"CREATE SCHEMA {SCRATCH}")
    con.execute("CREATE TABLE events AS SELECT range AS id, range % 7 AS k, range / 3 AS v "
                "FROM range(1000)")
    model = "SELECT k, count(*) AS n, sum(v) AS total FROM events GROUP BY k ORDER BY k"
    # same rows in another order and column order, the float summed otherwise: equal
    same = compare_model(con, "m", model, 2, floor_sql="SELECT k, sum(v) AS total, "
                         "count(*) AS n FROM events GROUP BY k ORDER BY k DESC")
    assert same["same_rows"] and same["rows"] == same["floor_rows"] == 7
    assert len(same["model_runs"]) == len(same["floor_runs"]) == 2
    assert same["ratio"] == pytest.approx(same["model_seconds"] / same["floor_seconds"])
    # one row less, or one value off: not the same rows
    fewer = compare_model(con, "m", model, 1, floor_sql=model.replace("FROM events",
                                                                      "FROM events WHERE k > 0"))
    assert not fewer["same_rows"] and fewer["floor_rows"] == 6
    other = compare_model(con, "m", model, 1, floor_sql=model.replace("sum(v)", "sum(v) + 1"))
    assert not other["same_rows"] and other["floor_rows"] == 7
    renamed = compare_model(con, "m", model, 1, floor_sql=model.replace("AS n", "AS events"))
    assert not renamed["same_rows"] and renamed["columns_missing_in_floor"] == ["n"]
    assert con.execute(f"SELECT count(*) FROM duckdb_tables() WHERE schema_name = "
                       f"'{SCRATCH}'").fetchone()[0] == 0  # scratch tables dropped


def test_every_floor_names_a_model_and_the_report_flags_other_rows():
    from leadflow_dev.bench.floors import floor_models

    models = {p.stem for p in (PROJECT_ROOT / "dbt_project" / "models").rglob("*.sql")}
    assert {"stg_web__events", "int_web_sessions"} <= set(floor_models()) <= models
    floor = {"model": "m", "rows": 7, "same_rows": True, "model_seconds": 3.0,
             "floor_seconds": 2.0, "target": 1.5}
    runs = {
        "base": {"cutoff": "2026-06-30T00:00:00+00:00", "rows_held_back": {"web_events": 9}},
        "builds": [{"full_seconds": 100.0, "daily_seconds": 5.0, "peak_rss_bytes": 1,
                    "models": 3, "tests": 4, "model_seconds": {"m": 9.0},
                    "floors": [floor, {**floor, "model": "w", "same_rows": False}]}],
        "direct": [],
    }
    dbt = summarise_dbt(runs)
    assert dbt["floors"][0]["ratio"] == pytest.approx(1.5)
    assert dbt["floors"][0]["dbt_node_seconds"] == 9.0
    found = {t["target"]: t["passed"] for t in dbt_targets("M", dbt)}
    assert found["m / its floor"] and not found["w / its floor"]
    assert "dbt build / same SQL in one connection" not in found  # not run, not judged
    report = "\n".join(_dbt(dbt))
    assert "not run" in report and "DIFFER" in report
