"""Dagster's run storage, event logs and compute logs under the data directory
(dagster.yaml: ``LEADFLOW_DAGSTER_STORAGE``, ``LEADFLOW_DAGSTER_COMPUTE_LOGS``, by default
``data/dagster``). Leadflow logs no row values: its log lines name files, sources and row
counts, never an address (docs/privacy.md). The erasure scans these files as bytes all the
same, and a hit is reported as not erased."""

from __future__ import annotations

import os
from pathlib import Path

from pipelines.instance import dagster_environment
from pipelines.project import LeadflowPaths

VARIABLES = ("LEADFLOW_DAGSTER_STORAGE", "LEADFLOW_DAGSTER_COMPUTE_LOGS")


def dagster_folders(where: LeadflowPaths) -> list[Path]:
    defaults = dagster_environment(where)
    folders = {Path(os.environ.get(v, defaults[v])) for v in VARIABLES} | {where.data / "dagster"}
    return sorted(f for f in folders if f.is_dir())


def dagster_files(where: LeadflowPaths) -> list[Path]:
    """Every regular file of Dagster's storage (SQLite databases, logs)."""
    return sorted({p for folder in dagster_folders(where) for p in folder.rglob("*")
                   if p.is_file() and not p.is_symlink()})
