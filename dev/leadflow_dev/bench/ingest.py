"""Phase: Leadflow's ingestion of a whole inbox, source by source, timed.

Each source is ``ingest_source`` of all its files into a fresh warehouse file, followed by
a ``CHECKPOINT`` so that writing the source's rows to disk is charged to that source
(the bare read does the same).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from leadflow_dev.bench.connect import file_bytes, fresh_duckdb
from pipelines.ingest import ingest_source
from pipelines.sources import SOURCES

ConnectionWrapper = Callable[[duckdb.DuckDBPyConnection], object]


def measure_ingest(inbox: Path, db: Path, temp_dir: Path, sources: list[str] | None = None,
                   wrap: ConnectionWrapper | None = None,
                   after_source: Callable[[str, dict], None] | None = None) -> dict:
    """Ingest ``inbox`` into a fresh ``db``; per source: seconds, files and rows.

    ``wrap`` stands a proxy in for the connection and ``after_source`` sees each source's
    figures as soon as they are in: the profiler's hooks."""
    con = fresh_duckdb(db, temp_dir)
    timed_con = wrap(con) if wrap else con
    per_source: dict[str, dict] = {}
    try:
        for name in sources or list(SOURCES):
            started = time.perf_counter()
            result = ingest_source(timed_con, SOURCES[name], inbox)
            timed_con.execute("CHECKPOINT")
            seconds = time.perf_counter() - started
            per_source[name] = {
                "seconds": seconds,
                "files": len(result.files),
                "rows": sum(f.rows_read for f in result.files),
                "rows_loaded": result.rows_loaded,
                "rows_quarantined": result.rows_quarantined,
                "files_quarantined": result.files_quarantined,
                "files_duplicate": sum(f.status == "duplicate" for f in result.files),
            }
            if after_source:
                after_source(name, per_source[name])
    finally:
        con.close()
    return {"sources": per_source, "db_bytes": file_bytes(db)}


def run_task(inbox: str, db: str, temp_dir: str, sources: list[str] | None = None) -> dict:
    return measure_ingest(Path(inbox), Path(db), Path(temp_dir), sources)
