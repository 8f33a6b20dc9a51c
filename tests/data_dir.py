"""Pointing Leadflow at a data directory of the test's own: the one place tests set the
environment that pipelines/project.py reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.project import LeadflowPaths


def point_at(mp: pytest.MonkeyPatch, data: Path) -> LeadflowPaths:
    """Every Leadflow path under ``data`` (the inbox, the warehouse, Dagster's storage), set
    through ``mp`` so that the environment is restored after."""
    mp.setenv("LEADFLOW_DATA_DIR", str(data))
    mp.delenv("LEADFLOW_INBOX", raising=False)
    mp.delenv("LEADFLOW_WAREHOUSE", raising=False)
    mp.setenv("LEADFLOW_DAGSTER_STORAGE", str(data / "dagster"))
    mp.setenv("LEADFLOW_DAGSTER_COMPUTE_LOGS", str(data / "dagster" / "logs"))
    return LeadflowPaths.from_env()
