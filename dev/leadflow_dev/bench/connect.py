"""The one way both sides of the comparison open their fresh DuckDB file."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.resources import WarehouseResource, open_duckdb

# the warehouse resource's own default, so ingestion runs as it does in production
MEMORY_LIMIT = WarehouseResource.model_fields["memory_limit"].default


def fresh_duckdb(db: Path, temp_dir: Path) -> duckdb.DuckDBPyConnection:
    """A new, empty DuckDB file with Leadflow's session settings (UTC, memory limit)."""
    for leftover in (db, db.with_name(db.name + ".wal")):
        leftover.unlink(missing_ok=True)
    return open_duckdb(db, memory_limit=MEMORY_LIMIT, temp_dir=temp_dir)


def file_bytes(db: Path) -> int:
    return sum(p.stat().st_size for p in (db, db.with_name(db.name + ".wal")) if p.exists())
