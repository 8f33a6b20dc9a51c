"""The tables the routing asset owns (the ``ops`` schema: state kept between runs) and
the relations it reads, built by dbt (dbt_project/models/activation/)."""

from __future__ import annotations

import duckdb

DDL = """
CREATE SCHEMA IF NOT EXISTS ops;
CREATE TABLE IF NOT EXISTS ops.lead_assignments (
    lead_id VARCHAR PRIMARY KEY, team VARCHAR, owner VARCHAR, queue VARCHAR, tier VARCHAR,
    rule_id VARCHAR, round_robin_seq BIGINT, assigned_at TIMESTAMPTZ,
    is_open BOOLEAN, updated_at TIMESTAMPTZ);
CREATE TABLE IF NOT EXISTS ops.lead_assignment_events (
    lead_id VARCHAR, action VARCHAR, team VARCHAR, owner VARCHAR, previous_owner VARCHAR,
    rule_id VARCHAR, assigned_at TIMESTAMPTZ);
"""
# dbt models (dbt_project/models/activation/) the Python side reads
ROUTING_MATCHES = "activation.routing_matches"
SEGMENT_BASE = "activation.segment_base"
REP_HISTORY = "activation.rep_response_history"


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? "
        "AND table_name = ?", [schema, table]).fetchone()[0] > 0


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ops tables, empty, if they are not there (dbt reads them as sources)."""
    con.execute(DDL)
