"""What `leadflow status` reports: rows loaded and quarantined per source, and the last run."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipelines.sources import SOURCES


@dataclass(frozen=True)
class SourceStatus:
    source: str
    table: str
    files: int
    files_quarantined: int
    rows_loaded: int
    rows_quarantined: int
    last_loaded_at: object


def source_status(con: duckdb.DuckDBPyConnection) -> list[SourceStatus]:
    """One line per source, zeros for sources that never received a file."""
    have_raw = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'raw' AND table_name = '_files'"
    ).fetchone()[0]
    out = []
    for src in SOURCES.values():
        if not have_raw:
            out.append(SourceStatus(src.name, src.table, 0, 0, 0, 0, None))
            continue
        files, files_q, last = con.execute(
            "SELECT count(*) FILTER (WHERE status <> 'duplicate'), "
            "count(*) FILTER (WHERE status = 'quarantined'), max(loaded_at) "
            "FROM raw._files WHERE source = ?",
            [src.name],
        ).fetchone()
        rows = con.execute(f"SELECT count(*) FROM raw.{src.table}").fetchone()[0]
        rows_q = con.execute(
            "SELECT count(*) FROM raw._quarantine WHERE source = ?", [src.name]
        ).fetchone()[0]
        out.append(SourceStatus(src.name, src.table, files, files_q, rows, rows_q, last))
    return out
