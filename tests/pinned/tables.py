"""Count and content hash of warehouse tables, independent of row and column order, so a
build can be compared with one pinned before a refactoring (tests/dbt/test_pinned_tables.py).

A table's hash is the md5 of its rows' md5s in sorted order; a row is its columns in name
order as ``name=value`` (doubles rounded to 6 decimals, so the order of a parallel sum does
not show; NULL as \\N). Renames are mapped back to the pinned names before hashing."""

from __future__ import annotations

import hashlib

import duckdb

FLOATS = ("DOUBLE", "FLOAT", "REAL")


def table_hash(con: duckdb.DuckDBPyConnection, relation: str,
               renamed: dict[str, str] | None = None,
               ignored: tuple[str, ...] = (), decimals: int = 6) -> tuple[int, str]:
    """(rows, hash) of ``relation``; ``renamed`` maps a current column name to its pinned
    one; ``ignored`` columns (pinned names) are left out; doubles rounded to ``decimals``."""
    renamed = renamed or {}
    columns = con.execute(f"DESCRIBE {relation}").fetchall()
    cells = []
    for name, kind, *_ in columns:
        pinned = renamed.get(name, name)
        if pinned in ignored:
            continue
        value = (f"cast(round({_q(name)}, {decimals}) AS VARCHAR)" if kind in FLOATS
                 else f"cast({_q(name)} AS VARCHAR)")
        cells.append((pinned, f"'{pinned}=' || coalesce({value}, '\\N')"))
    row = " || chr(31) || ".join(expr for _, expr in sorted(cells))
    return con.execute(
        f"SELECT count(*), md5(coalesce(string_agg(h, '' ORDER BY h), '')) "
        f"FROM (SELECT md5({row}) AS h FROM {relation})").fetchone()


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def schema_tables(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> list[str]:
    return [f"{s}.{t}" for s, t in con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        f"WHERE table_schema IN ({', '.join('?' for _ in schemas)}) "
        "ORDER BY 1, 2", list(schemas)).fetchall()]


def csv_hash(path, decimals: int = 6) -> tuple[int, str]:
    """(rows, hash) of a CSV file, independent of row order; floats rounded to ``decimals``."""
    import pandas as pd

    frame = pd.read_csv(path)
    for column in frame.columns:
        if frame[column].dtype.kind == "f":
            frame[column] = frame[column].round(decimals)
    lines = sorted("\x1f".join(map(str, row)) for row in frame.itertuples(index=False))
    header = "\x1f".join(frame.columns)
    return len(lines), hashlib.md5("\n".join([header, *lines]).encode()).hexdigest()
