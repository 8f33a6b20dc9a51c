"""A generated warehouse for the hand-off tests: a small generated inbox ingested and the
whole dbt project run on it (no scoring model, no routing: the backtest rebuilds the
scoring and lifecycle models, which need neither), once per session."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from leadflow_dev.generator import generate
from models_ml import runs
from pipelines.activation.warehouse import ensure_tables
from pipelines.resources import open_duckdb
from tests.built_once import built_once
from tests.dbt.workspace import dbt, ingest


@pytest.fixture(scope="session")
def generated_warehouse(tmp_path_factory) -> Path:
    return built_once(tmp_path_factory, "handoff", _build)["warehouse"]


def _build(work: Path) -> dict[str, Path]:
    drop, inbox, warehouse = work / "drop", work / "inbox", work / "warehouse.duckdb"
    generate(drop, work / "truth.parquet", leads=800, days=240, seed=11,
             end_date=dt.date(2026, 6, 30))
    ingest(warehouse, drop, inbox)
    con = open_duckdb(warehouse)
    try:  # the tables the scoring and routing assets write, empty
        runs.ensure_tables(con)
        ensure_tables(con)
    finally:
        con.close()
    dbt(work, warehouse, "seed")
    dbt(work, warehouse, "run")
    return {"warehouse": warehouse}
