"""How a build's checkpoints treat deleted rows (dbt_project/macros/storage.sql): a daily
build leaves the rows a lead refresh deletes marked in place, the builds that test every
row compact the row groups again."""

from __future__ import annotations

import duckdb
import pytest

from tests.dbt.workspace import invoke


def hook_sql(tmp_path, *args: str) -> str:
    """The on-run-start statement a build with these arguments runs."""
    result = invoke(tmp_path, tmp_path / "warehouse.duckdb", "compile", "--inline",
                    "{{ set_row_group_compaction() }}", *args, "--quiet")
    assert result.success, result.exception
    return result.result.results[0].node.compiled_code.strip()


def test_a_daily_build_does_not_vacuum(tmp_path):
    assert hook_sql(tmp_path) == "set max_vacuum_tasks = 0"


@pytest.mark.parametrize("variables", ["{test_all_rows: true}", "{compact_storage: true}"])
def test_the_sunday_run_and_a_compacting_build_vacuum(tmp_path, variables):
    assert hook_sql(tmp_path, "--vars", variables) == "reset max_vacuum_tasks"


def test_a_compacting_checkpoint_merges_row_groups_that_daily_builds_left(tmp_path):
    """What the weekly compaction relies on: DuckDB's vacuum also merges the row groups
    whose rows were deleted by earlier checkpoints that did not vacuum."""
    con = duckdb.connect(str(tmp_path / "vacuum.duckdb"))
    row_groups = ("SELECT count(DISTINCT row_group_id) "
                  "FROM pragma_storage_info('lead_rows')")
    con.execute("CREATE TABLE lead_rows AS SELECT i, md5(i::varchar) AS lead_id "
                "FROM range(10 * 122880) AS r(i)")
    con.execute("CHECKPOINT")
    assert con.execute(row_groups).fetchone() == (10,)
    con.execute("SET max_vacuum_tasks = 0")
    for day in range(6):  # six daily refreshes, each deleting 6% of the rows
        con.execute(f"DELETE FROM lead_rows WHERE hash(i) % 100 BETWEEN {day * 6} "
                    f"AND {day * 6 + 5}")
        con.execute("CHECKPOINT")
    assert con.execute(row_groups).fetchone() == (10,)
    con.execute("RESET max_vacuum_tasks")
    con.execute("DELETE FROM lead_rows WHERE i = 7")
    con.execute("CHECKPOINT")
    assert con.execute(row_groups).fetchone()[0] < 10
    con.close()
