"""The activation tests build their dbt models on hand-made warehouses: one dbt work
folder for the session (stable target path, so dbt parses the project once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.activation import fixtures as fx


@pytest.fixture(scope="session")
def dbt_work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("dbt-activation")


@pytest.fixture
def wh(lf_paths, dbt_work):
    """An empty hand-made warehouse (marts, seeds, ml and ops tables)."""
    warehouse = fx.Warehouse(lf_paths.warehouse, dbt_work)
    fx.create(warehouse.con)
    yield warehouse
    warehouse.close()
