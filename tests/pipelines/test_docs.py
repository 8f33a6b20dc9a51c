"""`make docs` builds the dbt docs from the configured warehouse, from any directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from pipelines.docs import DOCS_TARGET
from pipelines.project import PROJECT_ROOT
from pipelines.resources import open_duckdb

pytestmark = pytest.mark.e2e


def test_docs_build_from_another_directory_read_the_configured_warehouse(lf_paths, tmp_path):
    con = open_duckdb(lf_paths.warehouse)
    con.execute("CREATE SCHEMA marts; CREATE TABLE marts.dim_leads (lead_id VARCHAR)")
    con.close()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = subprocess.run([sys.executable, "-m", "pipelines.docs", "--no-serve"], cwd=elsewhere,
                          env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    catalog = json.loads((DOCS_TARGET / "catalog.json").read_text())
    assert "lead_id" in catalog["nodes"]["model.leadflow.dim_leads"]["columns"]
    assert (DOCS_TARGET / "index.html").exists()
    assert list(elsewhere.iterdir()) == []  # no warehouse made where dbt was started


def test_docs_without_a_warehouse_say_so_in_one_line(lf_paths):
    done = subprocess.run([sys.executable, "-m", "pipelines.docs", "--no-serve"],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip().startswith("leadflow docs: no warehouse at ")
