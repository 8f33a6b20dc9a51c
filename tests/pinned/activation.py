"""The steps after the dbt build, at a fixed moment, for the pinned comparison: a
deterministic score for every open lead (a hash of its id: no model to train), then
activation and the report as the daily job runs them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from models_ml import runs
from pipelines.activation import routing, segments
from pipelines.activation.warehouse import ensure_tables
from pipelines.assets.dbt import AFTER_ROUTING, AFTER_SCORING
from pipelines.report.build import build_report
from pipelines.resources import open_duckdb
from tests.dbt.workspace import dbt

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
    """Scores, then the daily job's steps after scoring: the dbt models that read ml.*,
    routing, the dbt models that read ops.*, and the segments."""
    with open_duckdb(warehouse) as con:
        runs.ensure_tables(con)
        ensure_tables(con)
        con.execute(SCORES, [at.date() - dt.timedelta(days=1)])
    dbt(work, warehouse, "run", "--select", AFTER_SCORING, "--exclude", AFTER_ROUTING)
    with open_duckdb(warehouse) as con:
        routing.assign(con, at)
    dbt(work, warehouse, "run", "--select", AFTER_ROUTING)
    with open_duckdb(warehouse) as con:
        segments.materialise(con, segments.load_definitions(), at.date())


def write_report(warehouse: Path, reports: Path, day: dt.date) -> Path:
    with open_duckdb(warehouse, read_only=True) as con:
        return build_report(con, reports, requested=day).folder
