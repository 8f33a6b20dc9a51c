"""Building the dbt project in tests: copy a day of the hand-made fixture into an inbox,
ingest it into a temp DuckDB file and run dbt on that file, in-process."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from dbt.cli.main import dbtRunner, dbtRunnerResult

from pipelines.analyses import release_dbt_duckdb
from pipelines.dbt_target import with_saved_parse
from pipelines.ingest import ingest_source
from pipelines.project import PROJECT_ROOT
from pipelines.resources import open_duckdb
from pipelines.sources import SOURCES

DBT_DIR = PROJECT_ROOT / "dbt_project"
FIXTURE = PROJECT_ROOT / "data" / "sample" / "dbt"
LAYERS = ("staging", "intermediate", "marts")


def ingest(warehouse: Path, drop: Path, inbox: Path) -> None:
    """Copy one day's files into the inbox and load every source into raw."""
    shutil.copytree(drop, inbox, dirs_exist_ok=True)
    con = open_duckdb(warehouse)
    try:
        for src in SOURCES.values():
            ingest_source(con, src, inbox)
    finally:
        con.close()


def invoke(work: Path, warehouse: Path, *args: str) -> dbtRunnerResult:
    """One in-process dbt invocation on ``warehouse``, its target and logs under ``work``
    (the first one starts from the project's parse, as a new warehouse's steps do)."""
    target = with_saved_parse(work / "target", warehouse)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEADFLOW_WAREHOUSE", str(Path(warehouse).resolve()))
        mp.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
        result = dbtRunner().invoke([
            *args, "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
            "--target-path", str(target), "--log-path", str(work / "logs"),
            "--no-use-colors",
        ])
    release_dbt_duckdb()
    return result


def dbt(work: Path, warehouse: Path, *args: str) -> None:
    result = invoke(work, warehouse, *args)
    if not result.success:
        failed = [f"{r.node.name}: {r.status} {r.message}" for r in (result.result or [])
                  if str(r.status) in ("error", "fail")]
        pytest.fail(f"dbt {' '.join(args)} failed: {result.exception or failed}")


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()
