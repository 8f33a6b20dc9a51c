"""The erasure certificate: one record per person and request in ``raw._erasures`` (the
keyed hash, never the address; when, why, rows removed per table, files rewritten, and
what could not be erased), printed by `leadflow forget` and listed by `forget --list`."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import duckdb

DDL = """
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE IF NOT EXISTS raw._erasures (
    erasure_id      VARCHAR NOT NULL,
    person_hash     VARCHAR NOT NULL,
    requested_at    TIMESTAMPTZ NOT NULL,
    completed_at    TIMESTAMPTZ NOT NULL,
    reason          VARCHAR,
    rows_removed    JSON,        -- {"schema.table": rows}
    files_rewritten VARCHAR[],   -- paths under the data directory, with rows removed
    not_erased      VARCHAR[],   -- what still names the person; empty when complete
    is_complete     BOOLEAN NOT NULL,
    PRIMARY KEY (erasure_id, person_hash)
);
"""


@dataclass
class Certificate:
    erasure_id: str
    person_hash: str
    requested_at: dt.datetime
    reason: str | None
    rows_removed: dict[str, int] = field(default_factory=dict)
    files_rewritten: dict[str, int] = field(default_factory=dict)  # path -> rows removed
    not_erased: list[str] = field(default_factory=list)
    completed_at: dt.datetime | None = None

    @property
    def is_complete(self) -> bool:
        return not self.not_erased

    def lines(self) -> list[str]:
        out = [f"erasure {self.erasure_id}  person {self.person_hash} (HMAC-SHA256, key "
               f"of this installation)",
               f"  requested {self.requested_at:%Y-%m-%d %H:%M:%S} UTC, completed "
               f"{(self.completed_at or self.requested_at):%Y-%m-%d %H:%M:%S} UTC, "
               f"reason: {self.reason or '-'}"]
        if self.rows_removed:
            out.append("  rows removed: " + ", ".join(
                f"{t} {n:,}" for t, n in sorted(self.rows_removed.items())))
        else:
            out.append("  rows removed: none (nothing held, or erased before)")
        if self.files_rewritten:
            out.append("  files rewritten: " + ", ".join(
                f"{p} ({n:,} rows)" for p, n in sorted(self.files_rewritten.items())))
        out.append("  complete: yes" if self.is_complete else
                   "  NOT ERASED: " + "; ".join(self.not_erased))
        return out


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)


def record(con: duckdb.DuckDBPyConnection, cert: Certificate) -> None:
    ensure_table(con)
    con.execute(
        "INSERT INTO raw._erasures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [cert.erasure_id, cert.person_hash, cert.requested_at, cert.completed_at,
         cert.reason, json.dumps(cert.rows_removed, sort_keys=True),
         sorted(cert.files_rewritten), cert.not_erased, cert.is_complete])


def requests(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Every erasure recorded, oldest first."""
    exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'raw' "
                         "AND table_name = '_erasures'").fetchone()[0]
    if not exists:
        return []
    return con.execute(
        "SELECT erasure_id, person_hash, completed_at, reason, is_complete, "
        "(SELECT coalesce(sum(CAST(value AS BIGINT)), 0) FROM json_each(rows_removed)), "
        "len(files_rewritten), not_erased FROM raw._erasures ORDER BY completed_at, "
        "erasure_id, person_hash").fetchall()
