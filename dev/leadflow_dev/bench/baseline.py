"""Phase: the baseline, the same inbox files read by DuckDB alone, as a user would.

Every file becomes its own table through ``CREATE TABLE t AS SELECT * FROM
read_csv|read_json|read_parquet('<file>')`` with DuckDB's auto-detection, chosen by the
file name as DuckDB itself would (gzip too is detected by DuckDB from the name). CSV and
JSON reads pass ``ignore_errors = true`` so the dirty files can finish; a file DuckDB
cannot read at all (a gzip-compressed Parquet file, a truncated gzip, an empty file)
counts the time of its failed attempt. Each source ends with a ``CHECKPOINT``, as in
the ingestion phase.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from leadflow_dev.bench.connect import file_bytes, fresh_duckdb
from pipelines.ingest.inbox import inbox_files
from pipelines.sources import SOURCES

JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def reader_sql(path: Path) -> str:
    """The table function a user would pick for ``path``, from its name."""
    name = path.name.lower().removesuffix(".gz").removesuffix(".gzip")
    quoted = _sql_str(str(path))
    if name.endswith(".parquet"):
        return f"read_parquet({quoted})"
    if name.endswith(JSON_SUFFIXES):
        return f"read_json({quoted}, ignore_errors = true)"
    return f"read_csv({quoted}, ignore_errors = true)"


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def measure_bare(inbox: Path, db: Path, temp_dir: Path,
                 sources: list[str] | None = None) -> dict:
    """Read every file of ``inbox`` into a fresh ``db``; per source: seconds, files, rows."""
    con = fresh_duckdb(db, temp_dir)
    per_source: dict[str, dict] = {}
    try:
        for name in sources or list(SOURCES):
            rows, failures = 0, []
            files = inbox_files(inbox / name)
            started = time.perf_counter()
            for i, path in enumerate(files, start=1):
                try:
                    rows += con.execute(
                        f'CREATE TABLE "{name}_{i:05d}" AS SELECT * FROM {reader_sql(path)}'
                    ).fetchone()[0]
                except duckdb.Error as exc:
                    failures.append(f"{path.relative_to(inbox).as_posix()}: {_first_line(exc)}")
            con.execute("CHECKPOINT")
            seconds = time.perf_counter() - started
            per_source[name] = {"seconds": seconds, "files": len(files), "rows": rows,
                                "files_failed": len(failures), "failures": failures}
    finally:
        con.close()
    return {"sources": per_source, "db_bytes": file_bytes(db)}


def run_task(inbox: str, db: str, temp_dir: str, sources: list[str] | None = None) -> dict:
    return measure_bare(Path(inbox), Path(db), Path(temp_dir), sources)
