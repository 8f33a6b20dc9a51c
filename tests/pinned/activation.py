"""The steps after the dbt build, at a fixed moment, for the pinned comparison: a
deterministic score for every open lead (a hash of its id: no model to train), then
activation and the report as the daily job runs them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from models_ml import runs
from pipelines.activation import routing, segments, tables
from pipelines.report.build import build_report
from pipelines.resources import open_duckdb

SCORES = """
INSERT INTO ml.lead_scores (score_date, lead_id, model_version, probability, score, tier,
                            priority_rank, reason_1, reason_2, reason_3)
SELECT ?, lead_id, 'pinned', h / 1000.0, h // 10,
       CASE WHEN h >= 750 THEN 'A' WHEN h >= 500 THEN 'B' WHEN h >= 250 THEN 'C' ELSE 'D' END,
       row_number() OVER (ORDER BY h DESC, lead_id), 'first reason', 'second reason', NULL
FROM (SELECT lead_id, hash(lead_id) % 1000 AS h FROM marts.fct_lead_funnel
      WHERE current_stage NOT IN ('customer', 'disqualified'))
"""


def activate(work: Path, warehouse: Path, at: dt.datetime) -> None:
    con = open_duckdb(warehouse)
    try:
        runs.ensure_tables(con)
        con.execute(SCORES, [at.date() - dt.timedelta(days=1)])
        routing.assign(con, at)
        tables.build_sla_breaches(con)
        tables.build_nurture_tracks(con)
        segments.materialise(con, segments.load_definitions(), at.date())
    finally:
        con.close()


def write_report(warehouse: Path, reports: Path, day: dt.date) -> Path:
    with open_duckdb(warehouse, read_only=True) as con:
        return build_report(con, reports, requested=day).folder
