"""One place for every path Leadflow reads or writes.

All locations derive from two settings: the project root (where dbt_project/ and
dagster.yaml live) and the data directory (``LEADFLOW_DATA_DIR``, default ``<root>/data``).
The inbox and the warehouse file can be moved on their own with ``LEADFLOW_INBOX`` and
``LEADFLOW_WAREHOUSE``. Nothing else in the code builds a path from ``__file__``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class LeadflowPaths:
    """The directories and files of one Leadflow installation."""

    root: Path
    data: Path
    inbox: Path
    warehouse: Path

    @property
    def generated(self) -> Path:
        return self.data / "generated"

    @property
    def truth(self) -> Path:
        return self.generated / "truth.parquet"

    @property
    def reports(self) -> Path:
        return self.data / "reports"

    @property
    def exports(self) -> Path:
        return self.data / "exports"

    @property
    def models(self) -> Path:
        return self.data / "models"

    @property
    def dagster_home(self) -> Path:
        return self.root

    @property
    def duckdb_temp(self) -> Path:
        return self.data / "tmp"

    @property
    def warehouse_lock(self) -> Path:
        return self.warehouse.with_name(self.warehouse.name + ".lock")

    @classmethod
    def from_env(cls, environ: os._Environ | dict | None = None) -> LeadflowPaths:
        env = os.environ if environ is None else environ
        root = Path(env.get("LEADFLOW_HOME", PROJECT_ROOT)).resolve()
        data = Path(env.get("LEADFLOW_DATA_DIR", root / "data")).resolve()
        inbox = Path(env.get("LEADFLOW_INBOX", data / "inbox")).resolve()
        warehouse = Path(env.get("LEADFLOW_WAREHOUSE", data / "warehouse.duckdb")).resolve()
        return cls(root=root, data=data, inbox=inbox, warehouse=warehouse)


def paths() -> LeadflowPaths:
    """The paths in force for this process (read from the environment on each call)."""
    return LeadflowPaths.from_env()


DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"


def dbt_project():
    """The one DbtProject of Leadflow (imported lazily: dagster-dbt is heavy)."""
    from dagster_dbt import DbtProject

    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
