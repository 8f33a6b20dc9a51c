"""Shared pieces of the activation SQL: the SQL files, the tables they write, the current
predictive score of each lead, and binding named temp views for the SQL to read."""

from __future__ import annotations

from functools import cache
from importlib import resources

import duckdb

DDL = """
CREATE SCHEMA IF NOT EXISTS ops;
CREATE SCHEMA IF NOT EXISTS activation;
CREATE TABLE IF NOT EXISTS ops.lead_assignments (
    lead_id VARCHAR PRIMARY KEY, team VARCHAR, owner VARCHAR, queue VARCHAR, tier VARCHAR,
    rule_id VARCHAR, round_robin_seq BIGINT, assigned_at TIMESTAMPTZ,
    is_open BOOLEAN, updated_at TIMESTAMPTZ);
CREATE TABLE IF NOT EXISTS ops.lead_assignment_events (
    lead_id VARCHAR, action VARCHAR, team VARCHAR, owner VARCHAR, previous_owner VARCHAR,
    rule_id VARCHAR, assigned_at TIMESTAMPTZ);
"""

SCORES_TABLE = ("ml", "lead_scores")


@cache
def sql(name: str) -> str:
    """The text of pipelines/activation/sql/<name>.sql."""
    return resources.files("pipelines.activation").joinpath("sql", f"{name}.sql").read_text()


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? "
        "AND table_name = ?", [schema, table]).fetchone()[0] > 0


def bind(con: duckdb.DuckDBPyConnection, **views: str) -> None:
    """Create or replace a temp view per keyword: name -> the SELECT it stands for."""
    for name, select in views.items():
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {select}")


def current_scores_sql(con: duckdb.DuckDBPyConnection) -> str:
    """A SELECT of each lead's current predictive score (its latest score_date), or an
    empty relation of the same columns while nothing has been scored."""
    if table_exists(con, *SCORES_TABLE):
        return ("SELECT lead_id, score, tier, reason_1, reason_2, reason_3, score_date "
                "FROM ml.lead_scores QUALIFY row_number() OVER "
                "(PARTITION BY lead_id ORDER BY score_date DESC) = 1")
    return ("SELECT NULL::VARCHAR AS lead_id, NULL::SMALLINT AS score, NULL::VARCHAR AS tier, "
            "NULL::VARCHAR AS reason_1, NULL::VARCHAR AS reason_2, NULL::VARCHAR AS reason_3, "
            "NULL::DATE AS score_date WHERE false")


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)
