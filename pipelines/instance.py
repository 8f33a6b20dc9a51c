"""The Dagster instance used by the `leadflow` command: dagster.yaml at the project root,
storage under the data directory."""

from __future__ import annotations

import os

import dagster as dg

from pipelines.project import LeadflowPaths


def dagster_environment(where: LeadflowPaths) -> dict[str, str]:
    """Environment variables dagster.yaml reads, defaulted from Leadflow's paths."""
    storage = where.data / "dagster"
    return {
        "DAGSTER_HOME": str(where.dagster_home),
        "LEADFLOW_DAGSTER_STORAGE": str(storage),
        "LEADFLOW_DAGSTER_COMPUTE_LOGS": str(storage / "compute_logs"),
    }


def get_instance(where: LeadflowPaths) -> dg.DagsterInstance:
    for key, value in dagster_environment(where).items():
        os.environ.setdefault(key, value)
    return dg.DagsterInstance.get()
