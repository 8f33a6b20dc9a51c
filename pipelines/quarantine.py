"""What `leadflow quarantine` lists: what ``raw._quarantine`` holds and why, by source,
file and kind of reason, or one file's held rows with their text."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

# a row's reason's kind: the text before its first ': ' (the value after it varies by row);
# a file held whole keeps its whole reason
REASON_KIND = "CASE WHEN row_number IS NULL THEN reason ELSE split_part(reason, ': ', 1) END"


@dataclass(frozen=True)
class Held:
    source: str
    path: str
    reason: str
    rows: int  # 0 for a file held whole
    whole_file: bool


@dataclass(frozen=True)
class HeldRow:
    row_number: int | None  # None: the file as a whole
    reason: str
    original_text: str | None


def has_quarantine(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'raw' AND table_name = '_quarantine'").fetchone()[0] > 0


def held(con: duckdb.DuckDBPyConnection, source: str | None = None) -> list[Held]:
    """One line per source, file and kind of reason, in load order."""
    rows = con.execute(
        f"""SELECT source, path, {REASON_KIND} AS kind, count(row_number),
                   bool_or(row_number IS NULL)
        FROM raw._quarantine WHERE ? IS NULL OR source = ?
        GROUP BY source, path, kind ORDER BY min(file_id), min(row_number) NULLS FIRST, kind""",
        [source, source]).fetchall()
    return [Held(*r) for r in rows]


def held_rows(con: duckdb.DuckDBPyConnection, path: str, limit: int) -> list[HeldRow]:
    """The rows of one file (its path under the inbox) held, in file order."""
    rows = con.execute(
        "SELECT row_number, reason, original_text FROM raw._quarantine WHERE path = ? "
        "ORDER BY row_number NULLS FIRST LIMIT ?", [path, limit]).fetchall()
    return [HeldRow(*r) for r in rows]


def count_held_rows(con: duckdb.DuckDBPyConnection, path: str) -> int:
    return con.execute("SELECT count(*) FROM raw._quarantine WHERE path = ?",
                       [path]).fetchone()[0]
