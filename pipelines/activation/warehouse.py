"""The tables the routing asset owns (the ``ops`` schema: state kept between runs) and
the relations it reads, built by dbt (dbt_project/models/activation/)."""

from __future__ import annotations

import duckdb

DDL = """
CREATE SCHEMA IF NOT EXISTS ops;
CREATE TABLE IF NOT EXISTS ops.lead_assignments (
    lead_id VARCHAR PRIMARY KEY, team VARCHAR, owner VARCHAR, queue VARCHAR, tier VARCHAR,
    rule_id VARCHAR, round_robin_seq BIGINT, assigned_at TIMESTAMPTZ,
    is_open BOOLEAN, updated_at TIMESTAMPTZ, routing_note VARCHAR);
CREATE TABLE IF NOT EXISTS ops.lead_assignment_events (
    lead_id VARCHAR, action VARCHAR, team VARCHAR, owner VARCHAR, previous_owner VARCHAR,
    rule_id VARCHAR, assigned_at TIMESTAMPTZ, routing_note VARCHAR);
-- columns added after the tables' first release: a warehouse made before them gains them
-- (NULL on the rows it holds) and keeps its rows
ALTER TABLE ops.lead_assignments ADD COLUMN IF NOT EXISTS routing_note VARCHAR;
ALTER TABLE ops.lead_assignment_events ADD COLUMN IF NOT EXISTS routing_note VARCHAR;
"""
# dbt models (dbt_project/models/activation/) the Python side reads
ROUTING_MATCHES = "activation.routing_matches"
SEGMENT_BASE = "activation.segment_base"
REP_HISTORY = "activation.rep_response_history"
# seeds routing deals with (dbt_project/seeds/)
SALES_REPS = "seeds.sales_reps"
REP_AVAILABILITY = "seeds.rep_availability"


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? "
        "AND table_name = ?", [schema, table]).fetchone()[0] > 0


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ops tables, empty, if they are not there (dbt reads them as sources), and
    add the columns a warehouse made by an earlier release lacks."""
    con.execute(DDL)
