"""The Spark suite (`make test-spark`, marker `spark`): one local Spark session for the
suite (for each worker under pytest-xdist), its warehouse and Derby catalog in a temp
directory. Skipped as a whole where the `spark` dependency group is not installed (`make
venv` does not install it)."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

from tests.spark.timings import TIMINGS

if importlib.util.find_spec("pyspark") is None:
    collect_ignore_glob = ["test_*.py"]

# Spark's Python workers (mapInPandas) must run this interpreter, not the first python3
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)


def pytest_sessionfinish(session):
    # a pytest-xdist worker hands its timings to the controller, which prints them
    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["timings"] = dict(TIMINGS)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    TIMINGS.update(getattr(node, "workeroutput", {}).get("timings", {}))


def pytest_terminal_summary(terminalreporter):
    if TIMINGS:
        terminalreporter.section("timings of the fixture builds (s)")
        for step, seconds in TIMINGS.items():
            terminalreporter.write_line(f"{step:<40} {seconds:8.1f}")


@pytest.fixture(scope="session")
def spark_dir(tmp_path_factory) -> Path:
    """LEADFLOW_SPARK_DIR for the session: the Parquet warehouse, raw tables and catalog."""
    where = tmp_path_factory.mktemp("spark")
    os.environ["LEADFLOW_SPARK_DIR"] = str(where)
    return where


@pytest.fixture(scope="session")
def spark(spark_dir: Path):
    """The one Spark session of the suite, configured as the dbt `spark` target's."""
    from pipelines.spark_session import spark_session

    session = spark_session(spark_dir)
    yield session
    session.stop()

