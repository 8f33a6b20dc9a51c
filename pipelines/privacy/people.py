"""Who is to be erased: each requested address as a person (the dbt person key, its keyed
hash, its lead_id) with the anonymous web visitors stitched to them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import duckdb

from pipelines.privacy import suppression

STITCHED = "intermediate.int_identities_stitched"  # anonymous_id -> lead_id (dbt)


@dataclass
class Person:
    key: str  # the normalised address: never stored, never printed by the certificate
    person_hash: str  # HMAC-SHA256 of key (pipelines/privacy/suppression.py)
    lead_id: str  # md5 of key, as dbt's lead_id macro
    anonymous_ids: set[str] = field(default_factory=set)

    @property
    def local_part(self) -> str:
        return self.key.split("@", 1)[0]

    @property
    def domain(self) -> str:
        return self.key.split("@", 1)[1]


def lead_id(key: str) -> str:
    return hashlib.md5(key.encode()).hexdigest()


def _exists(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    schema, name = relation.split(".")
    return con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ? "
        "AND database_name = current_database()", [schema, name]).fetchone()[0] > 0


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> set[str]:
    schema, name = relation.split(".")
    return {r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
        "AND database_name = current_database()", [schema, name]).fetchall()}


def resolve(con: duckdb.DuckDBPyConnection, keys: list[str], key: bytes) -> list[Person]:
    """The people of ``keys`` (normalised addresses), with their stitched visitors: those
    dbt tied to their lead (int_identities_stitched) and, from raw, the visitors whose
    events or form submissions carry their address."""
    people = [Person(k, suppression.keyed_hash(key, k), lead_id(k)) for k in dict.fromkeys(keys)]
    by_key = {p.key: p for p in people}
    by_lead = {p.lead_id: p for p in people}
    con.execute("CREATE OR REPLACE TEMP TABLE _forget_keys (key VARCHAR, lead_id VARCHAR)")
    con.executemany("INSERT INTO _forget_keys VALUES (?, ?)", [[p.key, p.lead_id] for p in people])
    norm, anon = suppression.normalised_sql, suppression.anonymous_sql
    for table in ("raw.web_events", "raw.forms"):
        if _exists(con, table) and {"email", "anonymous_id"} <= _columns(con, table):
            for k, a in con.execute(
                    f"SELECT DISTINCT {norm('email')}, {anon('anonymous_id')} FROM {table} "
                    f"WHERE {norm('email')} IN (SELECT key FROM _forget_keys) "
                    "AND nullif(trim(anonymous_id), '') IS NOT NULL").fetchall():
                by_key[k].anonymous_ids.add(a)
    if _exists(con, STITCHED):
        for lead, a in con.execute(
                f"SELECT lead_id, anonymous_id FROM {STITCHED} WHERE lead_id IN "
                "(SELECT lead_id FROM _forget_keys) AND anonymous_id IS NOT NULL").fetchall():
            by_lead[lead].anonymous_ids.add(a)
    return people
