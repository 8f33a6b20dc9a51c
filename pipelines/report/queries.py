"""What the daily report reads: the dbt report tables (marts.rpt_*), each figure defined
in dbt (dbt_project/models/marts/reports/); here they are only selected for the report's
day and ordered, and the model run's evaluation unpacked from its JSON."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import duckdb
import pandas as pd


class ReportError(ValueError):
    """The report cannot be made for what was asked (a date without data, no warehouse)."""


@dataclass
class ReportData:
    """Everything one report shows. Frames may be empty; ``missing`` says why per part."""

    report_date: dt.date
    as_of: dt.datetime | None = None
    kpis: pd.DataFrame = field(default_factory=pd.DataFrame)
    kpi_comparison: pd.DataFrame = field(default_factory=pd.DataFrame)  # per kpi and grain
    kpi_trend: pd.DataFrame = field(default_factory=pd.DataFrame)  # complete months, oldest first
    velocity: pd.DataFrame = field(default_factory=pd.DataFrame)
    cohort_grid: pd.DataFrame = field(default_factory=pd.DataFrame)
    channel_labels: dict[str, str] = field(default_factory=dict)
    channel_notes: dict[str, str] = field(default_factory=dict)  # non-marketing channels
    roi_sorted: pd.DataFrame = field(default_factory=pd.DataFrame)  # ROI chart, best first
    campaign_roi: pd.DataFrame = field(default_factory=pd.DataFrame)
    min_sample_size: int | None = None
    partial_months: set[str] = field(default_factory=set)  # 'YYYY-MM' not complete yet
    funnel: pd.DataFrame = field(default_factory=pd.DataFrame)
    cohorts: pd.DataFrame = field(default_factory=pd.DataFrame)
    channels: pd.DataFrame = field(default_factory=pd.DataFrame)
    roi: pd.DataFrame = field(default_factory=pd.DataFrame)
    sales: pd.DataFrame = field(default_factory=pd.DataFrame)
    speed_bins: pd.DataFrame = field(default_factory=pd.DataFrame)
    speed_teams: pd.DataFrame = field(default_factory=pd.DataFrame)
    speed_channels: pd.DataFrame = field(default_factory=pd.DataFrame)
    open_breaches: pd.DataFrame | None = None  # per team, owner and tier; None: not built
    open_breach_teams: pd.DataFrame = field(default_factory=pd.DataFrame)
    # conversion by response-time band, per tier (rpt_response_band_conversion)
    response_bands: pd.DataFrame = field(default_factory=pd.DataFrame)
    score_bins: pd.DataFrame = field(default_factory=pd.DataFrame)
    tiers: pd.DataFrame = field(default_factory=pd.DataFrame)
    model_run: dict | None = None
    drift: pd.DataFrame = field(default_factory=pd.DataFrame)
    sources: pd.DataFrame = field(default_factory=pd.DataFrame)
    quarantine: pd.DataFrame = field(default_factory=pd.DataFrame)
    checks: pd.DataFrame = field(default_factory=pd.DataFrame)
    run_id: str | None = None
    missing: dict[str, str] = field(default_factory=dict)


def _exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? "
        "AND table_name = ?", [schema, table]).fetchone()[0] > 0


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def score_dates(con: duckdb.DuckDBPyConnection) -> list[dt.date]:
    return [r[0] for r in con.execute(
        "SELECT DISTINCT score_date FROM marts.rpt_lead_score_tiers ORDER BY score_date"
    ).fetchall()]


def resolve_date(con: duckdb.DuckDBPyConnection, requested: dt.date | None) -> dt.date:
    """The report's day: the requested one, else the latest scoring day, else today (UTC).
    A requested day must have lead scores, or (before any model) not precede the data."""
    if not _exists(con, "marts", "rpt_headline_kpis"):
        raise ReportError("the warehouse has no report tables yet: run `leadflow run` first")
    dates = score_dates(con)
    if requested is None:
        return dates[-1] if dates else dt.datetime.now(dt.UTC).date()
    if dates:
        if requested not in dates:
            days = (f"the only scoring day is {dates[0]}" if len(dates) == 1 else
                    f"scoring days run from {dates[0]} to {dates[-1]} ({len(dates)} days)")
            raise ReportError(f"no lead scores for {requested}: {days}")
        return requested
    first = con.execute("SELECT first_lead_date FROM marts.rpt_report_context").fetchone()[0]
    if first is None or requested < first:
        raise ReportError(f"no data for {requested}: the first lead is from {first}")
    return requested


def load(con: duckdb.DuckDBPyConnection, report_date: dt.date) -> ReportData:
    """Read every part of the report for ``report_date`` (see :func:`resolve_date`)."""
    data = ReportData(report_date=report_date)
    data.kpis = _df(con, "SELECT display_order, kpi, kpi_label, unit, value "
                         "FROM marts.rpt_headline_kpis ORDER BY display_order")
    funnel = "SELECT * FROM marts.rpt_funnel_conversion WHERE grouping_level IN ({}) " \
             "ORDER BY cohort_month, original_channel"
    data.funnel = _df(con, funnel.format("'all'"))
    data.cohorts = _df(con, funnel.format("'month', 'month_channel'"))
    data.channels = _df(con, funnel.format("'channel'"))
    data.roi = _df(con, "SELECT * FROM marts.rpt_channel_roi ORDER BY model, channel")
    _load_comparisons(con, data)
    data.sales = _df(con, "SELECT * FROM marts.rpt_sales_kpis ORDER BY closed_month")
    _load_speed(con, data)
    _load_scores(con, data)
    _load_quality(con, data)
    return data


def _load_comparisons(con: duckdb.DuckDBPyConnection, data: ReportData) -> None:
    """Periods against the one before, stage velocity, cohorts, campaigns by month and the
    channels' names (models/marts/reports/comparisons)."""
    data.kpi_comparison = _df(con, "SELECT * FROM marts.rpt_kpi_comparison "
                                   "ORDER BY display_order, period_grain")
    data.kpi_trend = _df(con, "SELECT kpi, period_start, value, sample_size, is_small_sample "
                              "FROM marts.rpt_kpi_periods WHERE period_grain = 'month' "
                              "AND periods_back < 12 ORDER BY kpi, period_start")
    data.velocity = _df(con, "SELECT * FROM marts.rpt_stage_velocity ORDER BY step_order")
    data.cohort_grid = _df(con, "SELECT * FROM marts.rpt_cohort_conversion "
                                "ORDER BY cohort_month, channel")
    channels = _df(con, "SELECT channel, channel_label, description, is_marketing "
                        "FROM marts.rpt_channels")
    data.channel_labels = dict(zip(channels["channel"], channels["channel_label"], strict=True))
    data.channel_notes = {r.channel_label: r.description for r in channels.itertuples()
                          if not r.is_marketing}
    data.roi_sorted = _df(con, "SELECT * FROM marts.rpt_channel_roi_ranked "
                               "ORDER BY model, roi_rank")
    data.campaign_roi = _df(con, "SELECT * FROM marts.rpt_campaign_roi_monthly "
                                 "ORDER BY model, channel, campaign, month")
    data.partial_months = {r[0] for r in con.execute(
        "SELECT strftime(period_start, '%Y-%m') FROM marts.rpt_report_periods "
        "WHERE period_grain = 'month' AND NOT is_complete").fetchall()}
    data.min_sample_size = con.execute(
        "SELECT min_sample_size FROM marts.rpt_report_context").fetchone()[0]


def _load_speed(con: duckdb.DuckDBPyConnection, data: ReportData) -> None:
    data.speed_bins = _df(con, "SELECT bin_order, response_time, leads, sla_breaches "
                               "FROM marts.rpt_speed_to_lead_bins ORDER BY bin_order")
    speed = "SELECT * FROM marts.rpt_speed_to_lead WHERE grouping_level = ? " \
            "ORDER BY leads DESC"
    data.speed_teams = _df(con, speed, ["team"])
    data.speed_channels = _df(con, speed, ["channel"])
    data.open_breaches = _df(con, "SELECT * FROM marts.rpt_open_sla_breaches "
                                  "ORDER BY team, owner, tier")
    data.open_breach_teams = _df(con, "SELECT * FROM marts.rpt_open_sla_breaches_by_team "
                                      "ORDER BY team")
    data.response_bands = _df(con, "SELECT * FROM marts.rpt_response_band_conversion "
                                   "ORDER BY tier = 'all' DESC, tier, band_order")
    data.as_of = con.execute("SELECT data_as_of FROM marts.rpt_report_context").fetchone()[0]


def _load_scores(con: duckdb.DuckDBPyConnection, data: ReportData) -> None:
    day = [data.report_date]
    if data.report_date not in score_dates(con):
        data.missing["scores"] = (
            f"no lead was scored on {data.report_date}: no model was in service (a model is "
            "trained once enough leads have an outcome, and must pass its quality gate)")
    else:
        data.score_bins = _df(con, "SELECT score_from, score_to, tier_a, tier_b, tier_c, "
                                   "tier_d, leads FROM marts.rpt_lead_score_bins "
                                   "WHERE score_date = ? ORDER BY score_from", day)
        data.tiers = _df(con, "SELECT tier, leads, mean_probability, min_score, max_score "
                              "FROM marts.rpt_lead_score_tiers WHERE score_date = ? "
                              "ORDER BY tier", day)
        data.drift = _df(con, "SELECT column_name, psi, is_drifted FROM marts.rpt_score_drift "
                              "WHERE score_date = ? ORDER BY display_order", day)
    if not con.execute("SELECT count(*) FROM marts.rpt_model_runs").fetchone()[0]:
        data.missing["model"] = "no model has been trained yet"
        return
    version = con.execute("SELECT any_value(model_version) FROM marts.rpt_lead_score_tiers "
                          "WHERE score_date = ?", day).fetchone()[0] \
        if "scores" not in data.missing else None
    run = con.execute(
        "SELECT * FROM marts.rpt_model_runs WHERE model_version = ? "
        "OR (? IS NULL AND is_accepted) ORDER BY trained_at DESC LIMIT 1",
        [version, version]).df()
    if run.empty:
        data.missing["model"] = "no model has passed the quality gate yet"
        return
    record = run.iloc[0].to_dict()
    record["evaluation"] = json.loads(record["evaluation"]) if record["evaluation"] else {}
    data.model_run = record
    if "scores" in data.missing:
        data.missing["scores"] = (
            f"no lead was scored on {data.report_date}, though model "
            f"{record['model_version']} is in service: no lead is open (every lead's outcome "
            "window has closed by the data's as-of moment), or scoring has not run yet")


def _load_quality(con: duckdb.DuckDBPyConnection, data: ReportData) -> None:
    data.sources = _df(con, "SELECT source, files, files_quarantined, rows_loaded, "
                            "rows_quarantined, quarantine_share "
                            "FROM marts.rpt_ingestion_sources ORDER BY display_order")
    data.quarantine = _df(con, "SELECT source, reason, rows FROM marts.rpt_quarantine_reasons "
                               "ORDER BY rows DESC, source, reason LIMIT 20")
