"""The leakage guard: fct_lead_features' dbt unit tests (a pricing view and a demo view
after the snapshot, a job title from a later form, a first touch after creation) pass on
the real model, and one of them fails on a copy whose point-in-time cut was removed, so a
feature computed from a later event cannot slip through."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from dbt.cli.main import dbtRunner

from tests.dbt.workspace import DBT_DIR, FIXTURE, ingest, release_dbt_duckdb

MODEL = Path("models/marts/ml/fct_lead_features.sql")
UNIT_TEST = "fct_lead_features,test_type:unit"
LEAKS = {
    "later events counted": ("and events.occurred_at <= snapshots.as_of_at", ""),
    "later job title known": ("when snapshots.job_title_known_at <= snapshots.as_of_at then "
                              "snapshots.seniority", "when true then snapshots.seniority"),
    "later first touch known": ("when snapshots.original_touch_at <= snapshots.as_of_at then "
                                "snapshots.original_landing_page_path",
                                "when true then snapshots.original_landing_page_path"),
}


def unit_statuses(result) -> list[str]:
    """The statuses of the unit tests a dbt invocation ran (hooks and operations left out)."""
    return sorted(str(r.status) for r in result.result
                  if str(getattr(r.node, "resource_type", "")) == "unit_test")


def invoke(project: Path, warehouse: Path, *args: str):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEADFLOW_WAREHOUSE", str(warehouse))
        mp.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
        result = dbtRunner().invoke([*args, "--project-dir", str(project), "--profiles-dir",
                                     str(project), "--no-use-colors", "--quiet"])
    release_dbt_duckdb()
    return result


def unit_test_statuses(result) -> list[str]:
    """The unit tests' outcomes (the project's on-run-end hook is a result of its own)."""
    return sorted(str(r.status) for r in result.result if r.node.resource_type == "unit_test")


@pytest.fixture(scope="module")
def empty_build(tmp_path_factory):
    """A copy of the dbt project and a warehouse where every model upstream of the feature
    model exists, empty (unit tests need the relations, not their rows)."""
    work = tmp_path_factory.mktemp("leakage")
    project = work / "dbt_project"
    shutil.copytree(DBT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    warehouse = work / "warehouse.duckdb"
    ingest(warehouse, FIXTURE / "day1", work / "inbox")
    assert invoke(project, warehouse, "build", "--empty", "--select", "+fct_lead_features",
                  "--exclude-resource-type", "test", "--exclude-resource-type",
                  "unit_test").success
    return project, warehouse


def test_the_unit_test_passes_on_the_model(empty_build):
    project, warehouse = empty_build
    result = invoke(project, warehouse, "test", "--select", UNIT_TEST)
    assert result.success and unit_statuses(result) == ["pass", "pass"]


@pytest.mark.parametrize("leak", list(LEAKS))
def test_the_unit_test_fails_when_a_later_fact_leaks_in(empty_build, leak):
    project, warehouse = empty_build
    sql = project / MODEL
    original = sql.read_text()
    cut, leaky = LEAKS[leak]
    assert cut in original
    sql.write_text(original.replace(cut, leaky))
    try:
        result = invoke(project, warehouse, "test", "--select", UNIT_TEST)
        # a unit test ran and found other rows: a failure, not a compile error
        assert unit_statuses(result) == ["fail", "pass"]
    finally:
        sql.write_text(original)
