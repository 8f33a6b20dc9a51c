"""The report's Python selects from the dbt report tables only: every figure is defined
in dbt (marts.rpt_*), none is binned, rolled up or re-derived in pipelines/report."""

from __future__ import annotations

import re
from pathlib import Path

from pipelines.assets.reports import REPORT_MODELS
from pipelines.project import PROJECT_ROOT

REPORT_CODE = PROJECT_ROOT / "pipelines" / "report"
# a relation after an upper-case FROM or JOIN of the SQL (Python's imports are lower-case)
RELATION = re.compile(r"\b(?:FROM|JOIN)\s+([a-z_]+\.[a-z_]+)")


def relations(path: Path) -> set[str]:
    """The warehouse tables a module's SQL reads (the catalog aside)."""
    return {r for r in RELATION.findall(path.read_text())
            if not r.startswith("information_schema.")}


def test_the_report_reads_rpt_tables_only():
    read = set().union(*(relations(p) for p in REPORT_CODE.glob("*.py")))
    assert read, "no query found: the pattern no longer matches the code"
    assert {r for r in read if not r.startswith("marts.rpt_")} == set()


def test_the_report_asset_depends_on_every_table_it_reads():
    read = set().union(*(relations(p) for p in REPORT_CODE.glob("*.py")))
    assert {r.split(".")[1] for r in read} == set(REPORT_MODELS)
