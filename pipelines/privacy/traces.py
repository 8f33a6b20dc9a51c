"""The proof of an erasure: a scan of every text column of every table (and, in
pipelines/privacy/erase_files.py, of every text file under data/) for anything naming
the person: an address of theirs in any spelling, their lead_id, a stitched visitor's id.
The keyed-hash ledgers (raw._suppressed, raw._erasures) name nobody and are not scanned."""

from __future__ import annotations

from collections import defaultdict

import duckdb

from pipelines.privacy.erase_warehouse import base_tables, columns, text_names_person
from pipelines.privacy.suppression import quote_ident

NOT_SCANNED = {("raw", "_suppressed"), ("raw", "_erasures")}
TEXT_TYPES = ("VARCHAR", "JSON")


def _is_text(data_type: str) -> bool:
    return data_type.startswith(TEXT_TYPES) or data_type.endswith("[]") \
        or data_type.startswith(("STRUCT", "MAP"))


def scan_tables(con: duckdb.DuckDBPyConnection, only: set[tuple[str, str]] | None = None
                ) -> dict[str, list[str]]:
    """person hash -> the ``schema.table.column`` that still name them (the people are the
    temp table ``_forget_map``, pipelines/privacy/erase_warehouse.py:load_people)."""
    found: dict[str, list[str]] = defaultdict(list)
    for schema, table in base_tables(con):
        if (schema, table) in NOT_SCANNED or (only is not None and (schema, table) not in only):
            continue
        text_cols = [c for c, t in columns(con, schema, table).items() if _is_text(t)]
        if not text_cols:
            continue
        rel = f"{quote_ident(schema)}.{quote_ident(table)}"
        parts = [
            f"SELECT DISTINCT '{col.replace(chr(39), chr(39) * 2)}' AS col, m.person_hash "
            f"FROM (SELECT DISTINCT lower(CAST({quote_ident(col)} AS VARCHAR)) AS v FROM {rel} "
            f"WHERE {quote_ident(col)} IS NOT NULL) t JOIN _forget_map m ON "
            + text_names_person("t.v")
            for col in text_cols
        ]
        for col, person_hash in con.execute(" UNION ALL ".join(parts)).fetchall():
            found[person_hash].append(f"{schema}.{table}.{col}")
    return dict(found)
