"""DDL of the ``raw`` schema: one table per source plus the file ledger, the quarantine
and the schema-drift log. Idempotent: safe to call at the start of every run."""

from __future__ import annotations

import duckdb

from pipelines.sources import SOURCES, Source

META_COLUMNS = ("_file_id", "_row_number", "_loaded_at")

LEDGER_DDL = """
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE IF NOT EXISTS raw._files (
    file_id          BIGINT PRIMARY KEY,
    source           VARCHAR NOT NULL,
    path             VARCHAR NOT NULL,
    sha256           VARCHAR NOT NULL,
    size_bytes       BIGINT,
    modified_at      TIMESTAMPTZ,
    format           VARCHAR,
    compression      VARCHAR,
    rows_read        BIGINT,
    rows_loaded      BIGINT,
    rows_quarantined BIGINT,
    status           VARCHAR NOT NULL,
    reason           VARCHAR,
    extra_columns    VARCHAR[],
    loaded_at        TIMESTAMPTZ NOT NULL,
    content_fingerprint VARCHAR
);
-- a ledger of an older Leadflow lacks the fingerprint (pipelines/ingest/fingerprint.py)
ALTER TABLE raw._files ADD COLUMN IF NOT EXISTS content_fingerprint VARCHAR;
CREATE TABLE IF NOT EXISTS raw._quarantine (
    source         VARCHAR NOT NULL,
    file_id        BIGINT NOT NULL,
    path           VARCHAR NOT NULL,
    row_number     BIGINT,
    reason         VARCHAR NOT NULL,
    original_text  VARCHAR,
    quarantined_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS raw._schema_drift (
    source       VARCHAR NOT NULL,
    table_name   VARCHAR NOT NULL,
    column_name  VARCHAR NOT NULL,
    file_id      BIGINT NOT NULL,
    path         VARCHAR NOT NULL,
    detected_at  TIMESTAMPTZ NOT NULL
);
"""


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_ddl(src: Source) -> str:
    cols = [f"{quote_ident(c.name)} {c.sql_type}" for c in src.columns]
    cols += ["_file_id BIGINT NOT NULL", "_row_number BIGINT", "_loaded_at TIMESTAMPTZ NOT NULL"]
    return f"CREATE TABLE IF NOT EXISTS raw.{src.table} (\n    " + ",\n    ".join(cols) + "\n)"


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw schema, the ledger tables and every source table if missing."""
    con.execute(LEDGER_DDL)
    for src in SOURCES.values():
        con.execute(table_ddl(src))


def existing_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The columns of ``raw.<table>`` in order (read from an empty query's description:
    a tenth of the time of a query of information_schema, paid once per file)."""
    description = con.execute(f"SELECT * FROM raw.{quote_ident(table)} LIMIT 0").description
    return [d[0] for d in description]
