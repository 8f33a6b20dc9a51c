"""How a build's checkpoints treat deleted rows (dbt_project/macros/storage.sql): a daily
build leaves the rows a lead refresh deletes marked in place, the builds that test every
row compact the row groups again."""

from __future__ import annotations

import pytest
from dbt.cli.main import dbtRunner

from tests.dbt.workspace import DBT_DIR, release_dbt_duckdb


def hook_sql(tmp_path, *args: str) -> str:
    """The on-run-start statement a build with these arguments runs."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEADFLOW_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
        mp.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
        result = dbtRunner().invoke([
            "compile", "--inline", "{{ set_row_group_compaction() }}", *args,
            "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
            "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
            "--quiet"])
    release_dbt_duckdb()
    assert result.success, result.exception
    return result.result.results[0].node.compiled_code.strip()


def test_a_daily_build_does_not_vacuum(tmp_path):
    assert hook_sql(tmp_path) == "set max_vacuum_tasks = 0"


@pytest.mark.parametrize("variables", ["{test_all_rows: true}", "{compact_storage: true}"])
def test_the_sunday_run_and_a_compacting_build_vacuum(tmp_path, variables):
    assert hook_sql(tmp_path, "--vars", variables) == "reset max_vacuum_tasks"
