"""What the daily report reads: the dbt report tables, the ml tables and the ingestion
ledger. The figures are defined in dbt and models_ml; here they are only selected, binned
for a chart, or unpacked from the model run's evaluation."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from pipelines.status import source_status


class ReportError(ValueError):
    """The report cannot be made for what was asked (a date without data, no warehouse)."""


@dataclass
class ReportData:
    """Everything one report shows. Frames may be empty; ``missing`` says why per part."""

    report_date: dt.date
    as_of: dt.datetime | None = None
    kpis: pd.DataFrame = field(default_factory=pd.DataFrame)
    funnel: pd.DataFrame = field(default_factory=pd.DataFrame)
    cohorts: pd.DataFrame = field(default_factory=pd.DataFrame)
    channels: pd.DataFrame = field(default_factory=pd.DataFrame)
    roi: pd.DataFrame = field(default_factory=pd.DataFrame)
    sales: pd.DataFrame = field(default_factory=pd.DataFrame)
    speed_bins: pd.DataFrame = field(default_factory=pd.DataFrame)
    speed_teams: pd.DataFrame = field(default_factory=pd.DataFrame)
    speed_channels: pd.DataFrame = field(default_factory=pd.DataFrame)
    open_breaches: pd.DataFrame | None = None  # ops.sla_breaches (routing), when built
    sla_hours: float | None = None
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
    if not _exists(con, "ml", "lead_scores"):
        return []
    return [r[0] for r in con.execute(
        "SELECT DISTINCT score_date FROM ml.lead_scores ORDER BY score_date").fetchall()]


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
    first = con.execute("SELECT min(created_at)::DATE FROM marts.dim_leads").fetchone()[0]
    if first is None or requested < first:
        raise ReportError(f"no data for {requested}: the first lead is from {first}")
    return requested


SPEED_BINS = """
WITH binned AS (
    SELECT
        CASE
            WHEN NOT is_touched THEN 8
            WHEN response_minutes < 5 THEN 1
            WHEN response_minutes < 15 THEN 2
            WHEN response_minutes < 60 THEN 3
            WHEN response_minutes < 240 THEN 4
            WHEN response_minutes < 1440 THEN 5
            WHEN response_minutes < 4320 THEN 6
            ELSE 7
        END AS bin_order,
        is_sla_breach
    FROM marts.fct_speed_to_lead
), labels(bin_order, response_time) AS (
    VALUES (1, '< 5 min'), (2, '5-15 min'), (3, '15-60 min'), (4, '1-4 h'), (5, '4-24 h'),
           (6, '1-3 days'), (7, '> 3 days'), (8, 'not yet touched')
)
SELECT labels.bin_order, labels.response_time,
       count(binned.bin_order) AS leads,
       count(*) FILTER (WHERE binned.is_sla_breach) AS sla_breaches
FROM labels LEFT JOIN binned USING (bin_order)
GROUP BY ALL ORDER BY labels.bin_order
"""

# ten equal-width bands over the day's range of scores (the 0-100 score is a probability
# in percent: with a low base rate most leads sit in the bottom tenth of 0-100)
SCORE_BINS = """
WITH day AS (SELECT score, tier FROM ml.lead_scores WHERE score_date = ?),
width AS (SELECT greatest(1, ceil((max(score) + 1) / 10.0))::INTEGER AS w FROM day),
bins AS (SELECT range * w AS low, w FROM range(10), width WHERE range * w <= 100),
scored AS (SELECT least(score // w, 9) * w AS low, tier FROM day, width)
SELECT bins.low AS score_from, least(bins.low + bins.w - 1, 100) AS score_to,
       count(*) FILTER (WHERE tier = 'A') AS tier_a, count(*) FILTER (WHERE tier = 'B') AS tier_b,
       count(*) FILTER (WHERE tier = 'C') AS tier_c, count(*) FILTER (WHERE tier = 'D') AS tier_d,
       count(scored.low) AS leads
FROM bins LEFT JOIN scored USING (low)
GROUP BY ALL ORDER BY score_from
"""


def load(con: duckdb.DuckDBPyConnection, report_date: dt.date) -> ReportData:
    """Read every part of the report for ``report_date`` (see :func:`resolve_date`)."""
    data = ReportData(report_date=report_date)
    data.kpis = _df(con, "SELECT display_order, kpi, kpi_label, unit, value "
                         "FROM marts.rpt_headline_kpis ORDER BY display_order")
    funnel = _df(con, "SELECT * FROM marts.rpt_funnel_conversion ORDER BY cohort_month, "
                      "original_channel")
    data.funnel = funnel[funnel["grouping_level"] == "all"].reset_index(drop=True)
    data.cohorts = funnel[funnel["grouping_level"].isin(["month", "month_channel"])] \
        .reset_index(drop=True)
    data.channels = funnel[funnel["grouping_level"] == "channel"].reset_index(drop=True)
    data.roi = _df(con, "SELECT * FROM marts.rpt_channel_roi ORDER BY model, channel")
    data.sales = _df(con, "SELECT * FROM marts.rpt_sales_kpis ORDER BY closed_month")
    _load_speed(con, data)
    _load_scores(con, data)
    _load_quality(con, data)
    return data


def _load_speed(con: duckdb.DuckDBPyConnection, data: ReportData) -> None:
    data.speed_bins = _df(con, SPEED_BINS)
    speed = _df(con, "SELECT * FROM marts.rpt_speed_to_lead WHERE grouping_level IN "
                     "('team', 'channel') ORDER BY leads DESC")
    data.speed_teams = speed[speed["grouping_level"] == "team"].reset_index(drop=True)
    data.speed_channels = speed[speed["grouping_level"] == "channel"].reset_index(drop=True)
    if _exists(con, "ops", "sla_breaches"):
        data.open_breaches = _df(
            con, "SELECT coalesce(team, 'unassigned') AS team, "
                 "coalesce(owner, 'unassigned') AS owner, coalesce(tier, 'unscored') AS "
                 "tier, any_value(sla_hours) AS sla_hours, count(*) AS breaches, "
                 "count(*) FILTER (WHERE is_untouched) AS untouched, "
                 "count(*) FILTER (WHERE NOT is_untouched) AS touched_late, "
                 "median(hours_over_sla) AS median_hours_over_sla, "
                 "max(hours_over_sla) AS max_hours_over_sla "
                 "FROM ops.sla_breaches GROUP BY ALL ORDER BY team, owner, tier")
    row = con.execute("SELECT any_value(sla_hours), max(as_of) "
                      "FROM marts.fct_speed_to_lead").fetchone()
    data.sla_hours, data.as_of = row[0], row[1]


def _load_scores(con: duckdb.DuckDBPyConnection, data: ReportData) -> None:
    if data.report_date not in score_dates(con):
        data.missing["scores"] = (
            f"no lead was scored on {data.report_date}: no model was in service (a model is "
            "trained once enough leads have an outcome, and must pass its quality gate)")
    else:
        data.score_bins = _df(con, SCORE_BINS, [data.report_date])
        data.tiers = _df(con, "SELECT tier, count(*) AS leads, avg(probability) AS "
                              "mean_probability, min(score) AS min_score, max(score) AS "
                              "max_score FROM ml.lead_scores WHERE score_date = ? "
                              "GROUP BY tier ORDER BY tier", [data.report_date])
        data.drift = _df(con, "SELECT column_name, psi, is_drifted FROM ml.score_drift "
                              "WHERE score_date = ? ORDER BY column_name = 'probability' "
                              "DESC, psi DESC", [data.report_date])
    if not _exists(con, "ml", "model_runs"):
        data.missing["model"] = "no model has been trained yet"
        return
    version = con.execute("SELECT any_value(model_version) FROM ml.lead_scores "
                          "WHERE score_date = ?", [data.report_date]).fetchone()[0] \
        if "scores" not in data.missing else None
    run = con.execute(
        "SELECT * FROM ml.model_runs WHERE model_version = ? OR (? IS NULL AND is_accepted) "
        "ORDER BY trained_at DESC LIMIT 1", [version, version]).df()
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
    data.sources = pd.DataFrame(
        [{"source": s.source, "files": s.files, "files_quarantined": s.files_quarantined,
          "rows_loaded": s.rows_loaded, "rows_quarantined": s.rows_quarantined}
         for s in source_status(con)])
    if _exists(con, "raw", "_quarantine"):
        data.quarantine = _df(
            con, "SELECT source, CASE WHEN row_number IS NULL THEN 'whole file: ' ELSE '' END "
                 "|| split_part(reason, ':', 1) AS reason, count(*) AS rows "
                 "FROM raw._quarantine GROUP BY ALL ORDER BY rows DESC, source, reason "
                 "LIMIT 20")
