"""Every floor of the benchmark (dev/leadflow_dev/bench/floors/) gives the rows of its
model: checked on the shared generated warehouse (the generator's files, as the
benchmark's scales are: the floors read their columns literally), with the model's SQL as
dbt compiles it for a full build, so a model that changes without its floor fails here rather
than as "ROWS DIFFER" at the end of a long `make bench`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from leadflow_dev.bench.floors import SCRATCH, compare_model, floor_models
from pipelines.resources import open_duckdb
from tests.dbt.workspace import dbt


@pytest.fixture(scope="module")
def compiled(generated_warehouse: Path, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """(a copy of the generated warehouse, {model: its full-build SQL compiled on it})."""
    work = tmp_path_factory.mktemp("floors")
    warehouse = work / "warehouse.duckdb"  # the floors write a scratch schema: a copy
    shutil.copyfile(generated_warehouse, warehouse)
    models = floor_models()
    dbt(work, warehouse, "compile", "--full-refresh", "--quiet", "--select", *models)
    # a model's own file (a unit test's input fixtures are named after the models they stand for)
    found = {p.stem: p.read_text() for p in (work / "target" / "compiled").rglob("*.sql")
             if p.stem in models and p.parent.suffix != ".yml"}
    return warehouse, found


@pytest.mark.parametrize("model", floor_models())
def test_the_floor_gives_the_models_rows(compiled, model):
    warehouse, sql = compiled
    con = open_duckdb(warehouse)
    try:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCRATCH}")
        result = compare_model(con, model, sql[model], repeat=1)
    finally:
        con.close()
    assert result["rows"] > 0, model
    assert result["same_rows"], result
