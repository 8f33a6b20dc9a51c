"""Shared fixtures: every test gets its own data directory, inbox and DuckDB file."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from pipelines.project import LeadflowPaths
from pipelines.resources import open_duckdb
from tests.built_once import built_once
from tests.data_dir import point_at

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "true")

# A pytest-xdist worker's __main__ has neither a spec nor a file. Where pyspark is installed
# (the spark dependency group), its Connect module takes that for its own doctest runner and
# exits the process when imported, as Great Expectations imports it: name the worker's main.
_main = sys.modules["__main__"]
if getattr(_main, "__spec__", None) is None and not hasattr(_main, "__file__"):
    _main.__file__ = "<pytest-xdist worker>"


def pytest_configure(config: pytest.Config) -> None:
    """The dbt manifest parsed once, before pytest-xdist starts its workers: each worker's
    import of the dbt assets would otherwise parse it into the same target folder."""
    if not hasattr(config, "workerinput"):
        from pipelines.assets.dbt import ensure_manifest

        ensure_manifest()


# `make test` hands whole modules to its two workers in collection order
# (--dist loadfile --no-loadscope-reorder): the longest modules first (their measured times,
# `pytest --durations`), so that the run does not end with one worker busy for minutes on a
# long module while the other has nothing left. Shared builds alternate (the erasure tests'
# person, the hand-off warehouse, the dbt fixture), so neither worker waits on the other.
LONGEST_FIRST = (  # measured 2026-12-07 (s, both workers busy): the modules over a minute
    "tests/pipelines/test_set_aside.py",       # 543
    "tests/test_end_to_end.py",                # 399
    "tests/privacy/test_forget.py",            # 273
    "tests/dbt/test_pinned_tables.py",         # 260
    "tests/pipelines/test_cli.py",             # 241
    "tests/pipelines/test_poison_row.py",      # 241
    "tests/activation/test_simulate.py",       # 205
    "tests/pipelines/test_writer_lock.py",     # 201
    "tests/activation/test_routing.py",        # 200
    "tests/handoff/test_backtest.py",          # 197
    "tests/alerts/test_sensor.py",             # 187
    "tests/privacy/test_erase_files.py",       # 172
    "tests/dbt/test_lead_refresh.py",          # 165
    "tests/ml/test_demo_model_gate.py",        # 134
    "tests/dbt/test_generic_tests.py",         # 133
    "tests/dbt/test_activation.py",            # 114
    "tests/ml/test_scoring_assets.py",         # 112
    "tests/handoff/test_simulate.py",          # 104
    "tests/importer/test_real_datasets.py",    # 102
    "tests/activation/test_assets.py",         # 82
    "tests/activation/test_capacity.py",       # 76
    "tests/dbt/test_layers.py",                # 71
    "tests/ml/test_cli_model.py",              # 69
    "tests/dbt/test_storage.py",               # 62
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {module: i for i, module in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))  # stable


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory after one `leadflow run` over the sample inbox, made once for the
    test run: tests copy it (``shutil.copytree(sample_run, lf_paths.data, ...)``) to start
    from a built warehouse with its run history instead of building one each."""
    return built_once(tmp_path_factory, "sample_run", _run_the_sample)["data"]


@pytest.fixture(scope="session")
def sample_run_output(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """(stdout, stderr) of the ``sample_run`` fixture's `leadflow run --log-level ERROR`."""
    built = built_once(tmp_path_factory, "sample_run", _run_the_sample)
    return built["out"].read_text(), built["err"].read_text()


def _run_the_sample(root: Path) -> dict[str, Path]:
    import contextlib
    import io
    import shutil

    from pipelines.cli import main
    from pipelines.project import PROJECT_ROOT

    with pytest.MonkeyPatch.context() as mp:
        where = point_at(mp, root / "data")
        shutil.copytree(PROJECT_ROOT / "data" / "sample" / "inbox", where.inbox)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["run", "--log-level", "ERROR"])
        assert code == 0, out.getvalue() + err.getvalue()
    (root / "run.out").write_text(out.getvalue())  # beside the data directory, not in it
    (root / "run.err").write_text(err.getvalue())
    return {"data": where.data, "out": root / "run.out", "err": root / "run.err"}


@pytest.fixture(scope="session")
def generated_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated warehouse (``warehouse.duckdb``, the catalog name compiled SQL uses): a
    small generated inbox ingested and the whole dbt project run on it (no scoring model,
    no routing: the tables those steps write are there, empty), once per test run. The
    hand-off tests rebuild their models on it; the benchmark's floors are checked on it."""
    return built_once(tmp_path_factory, "generated_warehouse", _build_generated)["warehouse"]


def _build_generated(work: Path) -> dict[str, Path]:
    import datetime as dt

    from leadflow_dev.generator import generate
    from models_ml import runs
    from pipelines.activation.warehouse import ensure_tables
    from tests.dbt.workspace import dbt, ingest

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


@pytest.fixture
def lf_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LeadflowPaths:
    """Point every Leadflow path at a fresh temp data directory."""
    where = point_at(monkeypatch, tmp_path / "data")
    where.inbox.mkdir(parents=True)
    return where


@pytest.fixture
def inbox(lf_paths: LeadflowPaths) -> Path:
    return lf_paths.inbox


@pytest.fixture
def con(lf_paths: LeadflowPaths):
    connection = open_duckdb(lf_paths.warehouse)
    yield connection
    connection.close()
