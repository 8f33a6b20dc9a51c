"""What `leadflow quarantine` lists: what is held and why, by source, file and kind of
reason, or one file's held rows with their text. Held are the rows and files ingestion
rejected (``raw._quarantine``) and the loaded rows the build set aside because they failed
a data test of their staging model (``state.set_aside_rows``, reason "failed dbt test
<test name>: ...", dbt_project/macros/set_aside.sql)."""

from __future__ import annotations

import datetime as dt
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


SET_ASIDE = "state.set_aside_rows"


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = ? AND table_name = ?", [schema, table]).fetchone()[0] > 0


def has_quarantine(con: duckdb.DuckDBPyConnection) -> bool:
    return _has_table(con, "raw", "_quarantine")


def has_set_aside(con: duckdb.DuckDBPyConnection) -> bool:
    return _has_table(con, "state", "set_aside_rows")


def _all_held(con: duckdb.DuckDBPyConnection) -> str:
    """SQL of every held row: (source, file_id, path, row_number, reason, original_text)."""
    rejected = ("SELECT source, file_id, path, row_number, reason, original_text "
                "FROM raw._quarantine")
    if not has_set_aside(con):
        return f"({rejected})"
    return (f"({rejected} UNION ALL SELECT f.source, s.file_id, f.path, s.row_number, "
            f"s.reason, s.row_text FROM {SET_ASIDE} AS s JOIN raw._files AS f USING (file_id))")


def held(con: duckdb.DuckDBPyConnection, source: str | None = None) -> list[Held]:
    """One line per source, file and kind of reason, in load order."""
    rows = con.execute(
        f"""SELECT source, path, {REASON_KIND} AS kind, count(row_number),
                   bool_or(row_number IS NULL)
        FROM {_all_held(con)} WHERE ? IS NULL OR source = ?
        GROUP BY source, path, kind ORDER BY min(file_id), min(row_number) NULLS FIRST, kind""",
        [source, source]).fetchall()
    return [Held(*r) for r in rows]


def held_rows(con: duckdb.DuckDBPyConnection, path: str, limit: int) -> list[HeldRow]:
    """The rows of one file (its path under the inbox) held, in file order."""
    rows = con.execute(
        f"SELECT row_number, reason, original_text FROM {_all_held(con)} WHERE path = ? "
        "ORDER BY row_number NULLS FIRST LIMIT ?", [path, limit]).fetchall()
    return [HeldRow(*r) for r in rows]


def count_held_rows(con: duckdb.DuckDBPyConnection, path: str) -> int:
    return con.execute(f"SELECT count(*) FROM {_all_held(con)} WHERE path = ?",
                       [path]).fetchone()[0]


def set_aside_since(con: duckdb.DuckDBPyConnection, since: dt.datetime
                    ) -> list[tuple[str, str, int, int]]:
    """(test, model, rows, files) of the rows the build set aside since ``since``."""
    if not has_set_aside(con):
        return []
    return con.execute(
        f"SELECT test_name, model_name, count(*), count(DISTINCT file_id) FROM {SET_ASIDE} "
        "WHERE set_aside_at >= ? GROUP BY ALL ORDER BY 1, 2", [since]).fetchall()
