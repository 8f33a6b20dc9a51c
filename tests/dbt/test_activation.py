"""Activation SQL (pipelines/activation) on the real marts and seeds of the hand-made
fixture (data/sample/dbt), both days built. Story: Ann is a customer (closed); Dora was
handed to sales on Mar 8 14:00 UTC and first touched 19 hours later by hannah.schmidt; the
seed sla_policies give 'unscored' leads 24 hours and tier B 4 hours."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from models_ml import runs
from pipelines.activation import routing, segments, tables
from pipelines.resources import open_duckdb

RUN = dt.datetime(2026, 3, 10, 6, 0, tzinfo=dt.UTC)


@pytest.fixture
def con(warehouses, tmp_path):
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouses["incremental"], path)
    connection = open_duckdb(path)
    yield connection
    connection.close()


def test_every_open_lead_is_routed_tracked_and_segmentable(con):
    open_leads = {r[0] for r in con.execute(
        "SELECT lead_id FROM marts.fct_lead_funnel "
        "WHERE current_stage NOT IN ('customer', 'disqualified')").fetchall()}
    assert open_leads
    summary = routing.assign(con, RUN)
    assigned = dict(con.execute("SELECT lead_id, owner FROM ops.lead_assignments "
                                "WHERE is_open").fetchall())
    assert set(assigned) == open_leads and all(assigned.values())
    assert summary.new == len(open_leads)
    assert tables.build_sla_breaches(con) == {"untouched": 0}  # 19 h < 24 h unscored
    tracks = tables.build_nurture_tracks(con)
    assert sum(tracks.values()) == len(open_leads) and "none" not in tracks
    counts = segments.materialise(con, segments.load_definitions(), RUN.date())
    assert set(counts) == {"hot_leads", "mofu_nurture", "nurture_tracks", "recycled_reengage"}
    columns = [r[0] for r in con.execute("DESCRIBE activation.segment_members").fetchall()]
    assert columns[:len(segments.EXPORT_COLUMNS)] == [c for c, _ in segments.EXPORT_COLUMNS]


def test_a_tier_b_lead_touched_after_19_hours_breaches_its_4_hour_sla(con):
    runs.ensure_tables(con)
    dora = con.execute("SELECT lead_id FROM marts.fct_speed_to_lead "
                       "WHERE owner = 'hannah.schmidt'").fetchone()[0]
    con.execute("INSERT INTO ml.lead_scores (score_date, lead_id, model_version, score, tier) "
                "VALUES (DATE '2026-03-09', ?, 'v', 60, 'B')", [dora])
    routing.assign(con, RUN)
    tables.build_sla_breaches(con)
    row = con.execute("SELECT lead_id, tier, sla_hours, is_untouched, hours_over_sla, owner "
                      "FROM ops.sla_breaches").fetchall()
    owner = con.execute("SELECT owner FROM ops.lead_assignments WHERE lead_id = ?",
                        [dora]).fetchone()[0]
    assert row == [(dora, "B", 4.0, False, 15.0, owner)]
