"""The project's own generic data test not_null_columns (dbt_project/tests/generic) fails on a
warehouse where a listed column lost its value, and names the column."""

from __future__ import annotations

import shutil

import duckdb
from dbt.cli.main import dbtRunner

from tests.dbt.workspace import DBT_DIR, release_dbt_duckdb


def test_not_null_columns_names_the_column_that_lost_values(warehouses, tmp_path, monkeypatch):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouses["incremental"], warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("UPDATE marts.dim_leads SET is_free_email = NULL "
                    "WHERE email = 'ann.lee@acme.com'")
    monkeypatch.setenv("LEADFLOW_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    result = dbtRunner().invoke([
        "test", "--select", "dim_leads,test_name:not_null_columns",
        "--vars", "{test_all_rows: true}", "--store-failures",
        "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
        "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
        "--quiet"])
    release_dbt_duckdb()
    [test] = [r for r in result.result if r.node.resource_type == "test"]
    assert str(test.status) == "fail" and test.failures == 1
    with duckdb.connect(str(warehouse), read_only=True) as con:
        failures = con.execute(
            f"SELECT column_name, null_rows FROM {test.node.relation_name}").fetchall()
    assert failures == [("is_free_email", 1)]
