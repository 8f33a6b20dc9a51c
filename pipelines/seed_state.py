"""Whether the warehouse holds the project's current seeds.

Seeds (dbt_project/seeds: the rules analysts edit) change now and then, not daily. A daily
build whose seed files are the ones the warehouse last loaded skips loading them again and
skips their data tests (160 tests on small, unchanged tables); it still runs every model
and every test on a model, including a model's relationships to a seed. The fingerprint of
the loaded seed files is kept in the warehouse itself (state.loaded_seed_files), so a new or
replaced warehouse file always gets its seeds.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from pipelines.project import DBT_PROJECT_DIR

TABLE = "state.loaded_seed_files"
# dbt arguments that leave seeds and the tests on them out of a build when the warehouse has
# these seeds already; "buildable" keeps the tests of models that also read a seed
# (relationships to a seed)
SKIP_LOADED_SEEDS = ["--exclude", "path:seeds", "--indirect-selection", "buildable"]


def seed_files_fingerprint(project_dir: Path = DBT_PROJECT_DIR) -> str:
    """sha256 over every file under seeds/ (CSVs and their YAML) and dbt_project.yml (seed
    configs, column types), names included."""
    digest = hashlib.sha256()
    files = [project_dir / "dbt_project.yml", *sorted((project_dir / "seeds").rglob("*"))]
    for path in files:
        if path.is_file():
            digest.update(path.relative_to(project_dir).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def seeds_are_loaded(warehouse: Path, fingerprint: str) -> bool:
    """The warehouse's last successful build loaded exactly these seed files."""
    if not warehouse.exists():
        return False
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        found = con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = 'state' AND table_name = 'loaded_seed_files'").fetchone()[0]
        if not found:
            return False
        return con.execute(f"SELECT fingerprint FROM {TABLE}").fetchone() == (fingerprint,)
    finally:
        con.close()


def record_loaded_seeds(warehouse: Path, fingerprint: str) -> None:
    """Remember that a successful build loaded (and tested) these seed files."""
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("CREATE SCHEMA IF NOT EXISTS state")
        con.execute(f"CREATE OR REPLACE TABLE {TABLE} AS "
                    "SELECT ? AS fingerprint, now() AS loaded_at", [fingerprint])
    finally:
        con.close()
