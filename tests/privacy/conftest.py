"""A warehouse holding a person in every source, built by dbt, for the erasure tests."""

from __future__ import annotations

import pytest

from tests.dbt.workspace import FIXTURE, dbt, ingest
from tests.privacy.person import BUILD, load_all, malformed_line, python_rows, write_person_files


@pytest.fixture
def with_person(lf_paths, tmp_path):
    """The fixture's day 1, then the person's files, built by dbt; ml and ops rows."""
    ingest(lf_paths.warehouse, FIXTURE / "day1", lf_paths.inbox)
    write_person_files(lf_paths.inbox)
    malformed_line(lf_paths.inbox)
    load_all(lf_paths.warehouse, lf_paths.inbox)
    python_rows(lf_paths.warehouse)
    dbt(tmp_path / "dbt", lf_paths.warehouse, *BUILD)
    return lf_paths


