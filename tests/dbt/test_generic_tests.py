"""The project's own generic data tests (dbt_project/tests/generic) fail on a poisoned copy of
the fixture warehouse and say what is wrong: not_null_columns names the column that lost
values, primary_key the key value that is missing or repeated."""

from __future__ import annotations

import shutil

import duckdb
from dbt.cli.main import dbtRunner

from tests.dbt.workspace import DBT_DIR, release_dbt_duckdb


def failures_of(warehouse, tmp_path, monkeypatch, select: str) -> tuple[str, int, list]:
    """Run the selected test on every row, keeping its failing rows: status, count, rows."""
    monkeypatch.setenv("LEADFLOW_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    result = dbtRunner().invoke([
        "test", "--select", select, "--vars", "{test_all_rows: true}", "--store-failures",
        "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
        "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
        "--quiet"])
    release_dbt_duckdb()
    [test] = [r for r in result.result if r.node.resource_type == "test"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(f"SELECT * FROM {test.node.relation_name}").fetchall()
    return str(test.status), test.failures, rows


def poisoned(warehouses, tmp_path, sql: str):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouses["incremental"], warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(sql)
    return warehouse


def test_not_null_columns_names_the_column_that_lost_values(warehouses, tmp_path, monkeypatch):
    warehouse = poisoned(warehouses, tmp_path, "UPDATE marts.dim_leads SET is_free_email = NULL "
                                               "WHERE email = 'ann.lee@acme.com'")
    assert failures_of(warehouse, tmp_path, monkeypatch,
                       "dim_leads,test_name:not_null_columns") == (
        "fail", 1, [("is_free_email", 1)])


def test_primary_key_reports_a_repeated_and_a_missing_key(warehouses, tmp_path, monkeypatch):
    warehouse = poisoned(warehouses, tmp_path,
                         "INSERT INTO marts.fct_deals SELECT * FROM marts.fct_deals "
                         "WHERE deal_id = 'd1'; "
                         "INSERT INTO marts.fct_deals SELECT * REPLACE (NULL AS deal_id) "
                         "FROM marts.fct_deals LIMIT 1")
    status, count, rows = failures_of(warehouse, tmp_path, monkeypatch,
                                      "fct_deals,test_name:primary_key")
    assert (status, count) == ("fail", 2)
    assert sorted(rows, key=str) == sorted([("d1", 2), (None, 1)], key=str)
