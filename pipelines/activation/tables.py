"""The activation tables rebuilt whole on each run: ops.sla_breaches and
activation.nurture_tracks (their logic in sql/sla_breaches.sql, sql/nurture_tracks.sql)."""

from __future__ import annotations

import duckdb

from pipelines.activation.warehouse import bind, current_scores_sql, ensure_tables, sql


def build_sla_breaches(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rebuild ops.sla_breaches; breaches per team (and 'untouched', the ones still
    waiting for a first touch)."""
    ensure_tables(con)
    bind(con, sla_policies="SELECT * FROM seeds.sla_policies")
    con.execute(f"CREATE OR REPLACE TABLE ops.sla_breaches AS {sql('sla_breaches')}")
    counts = dict(con.execute("SELECT coalesce(team, 'none'), count(*) FROM ops.sla_breaches "
                              "GROUP BY 1 ORDER BY 1").fetchall())
    counts["untouched"] = con.execute(
        "SELECT count(*) FROM ops.sla_breaches WHERE is_untouched").fetchone()[0]
    return counts


def build_nurture_tracks(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rebuild activation.nurture_tracks; open leads per track."""
    ensure_tables(con)
    bind(con, current_scores=current_scores_sql(con),
         nurture_rules="SELECT * FROM seeds.nurture_rules")
    con.execute(f"CREATE OR REPLACE TABLE activation.nurture_tracks AS {sql('nurture_tracks')}")
    return dict(con.execute("SELECT coalesce(nurture_track, 'none'), count(*) "
                            "FROM activation.nurture_tracks GROUP BY 1 ORDER BY 1").fetchall())
