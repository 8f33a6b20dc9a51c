"""A warehouse holding a person in every source, built by dbt, for the erasure tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.built_once import built_once
from tests.data_dir import point_at
from tests.dbt.workspace import FIXTURE, dbt, ingest
from tests.privacy.person import BUILD, load_all, malformed_line, python_rows, write_person_files


@pytest.fixture(scope="session")
def person_data(tmp_path_factory) -> Path:
    """The data directory, built once: the fixture's day 1, then the person's files, built
    by dbt; ml and ops rows. Its files name each other by paths relative to it."""
    return built_once(tmp_path_factory, "person", _build)["data"]


def _build(root: Path) -> dict[str, Path]:
    with pytest.MonkeyPatch.context() as mp:
        where = point_at(mp, root / "data")
        where.inbox.mkdir(parents=True)
        ingest(where.warehouse, FIXTURE / "day1", where.inbox)
        write_person_files(where.inbox)
        malformed_line(where.inbox)
        load_all(where.warehouse, where.inbox)
        python_rows(where.warehouse)
        dbt(root / "dbt", where.warehouse, *BUILD)
    return {"data": where.data}


@pytest.fixture
def with_person(person_data, lf_paths):
    """A copy of ``person_data`` as this test's data directory (the tests erase from it)."""
    shutil.copytree(person_data, lf_paths.data, dirs_exist_ok=True)
    return lf_paths
