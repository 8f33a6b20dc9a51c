"""One build of the hand-made fixture (data/sample/dbt) shared by every dbt test module:
day 1 loaded and built from scratch, day 2 loaded and built incrementally, and a copy of
the result rebuilt with --full-refresh. The tests only read these files, or copy them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.built_once import built_once
from tests.dbt.workspace import FIXTURE, dbt, ingest


@pytest.fixture(scope="session")
def warehouses(tmp_path_factory) -> dict[str, Path]:
    return built_once(tmp_path_factory, "dbt", _build)


def _build(work: Path) -> dict[str, Path]:
    warehouse, inbox = work / "warehouse.duckdb", work / "inbox"
    ingest(warehouse, FIXTURE / "day1", inbox)
    dbt(work, warehouse, "build")
    day1 = work / "day1.duckdb"
    shutil.copy(warehouse, day1)

    ingest(warehouse, FIXTURE / "day2", inbox)
    dbt(work, warehouse, "build")

    full = work / "full_refresh.duckdb"
    shutil.copy(warehouse, full)
    dbt(work, full, "run", "--full-refresh")
    return {"day1": day1, "incremental": warehouse, "full": full}
