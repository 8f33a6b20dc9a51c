"""The daily report as an asset: data/reports/<date>/index.html and a CSV per table, from
the dbt report tables (marts.rpt_*: the marts' and the daily report's own, over the lead
scores, model runs and SLA breaches), with the run's check results; the headline KPIs as
asset metadata."""

import dagster as dg

from pipelines.assets.dbt import dbt_key
from pipelines.project import paths
from pipelines.report.build import BuiltReport, build_report
from pipelines.report.run_checks import check_results, latest_daily_run
from pipelines.resources import WarehouseResource

REPORT = dg.AssetKey(["reports", "daily_report"])
# every table pipelines/report/queries.py selects from
REPORT_MODELS = ("rpt_headline_kpis", "rpt_funnel_conversion", "rpt_channel_roi",
                 "rpt_sales_kpis", "rpt_speed_to_lead", "rpt_speed_to_lead_bins",
                 "rpt_open_sla_breaches", "rpt_open_sla_breaches_by_team",
                 "rpt_report_context", "rpt_lead_score_bins", "rpt_lead_score_tiers",
                 "rpt_score_drift", "rpt_model_runs", "rpt_ingestion_sources",
                 "rpt_quarantine_reasons", "rpt_kpi_comparison", "rpt_kpi_periods",
                 "rpt_stage_velocity", "rpt_cohort_conversion", "rpt_channels",
                 "rpt_campaign_roi_monthly", "rpt_channel_roi_ranked", "rpt_report_periods",
                 "rpt_response_band_conversion")
INPUTS = [dbt_key(m) for m in REPORT_MODELS]


def headline_metadata(built: BuiltReport) -> dict[str, dg.MetadataValue]:
    """The headline KPIs as metadata (counts as int, the rest as float; undefined ones
    as text, so the UI shows them as missing rather than zero)."""
    out: dict[str, dg.MetadataValue] = {}
    for kpi, value in built.headline.items():
        if value is None:
            out[kpi] = dg.MetadataValue.text("n/a")
        elif built.units[kpi] == "count":
            out[kpi] = dg.MetadataValue.int(int(value))
        else:
            out[kpi] = dg.MetadataValue.float(value)
    return out


@dg.asset(
    key=REPORT, deps=INPUTS, group_name="reports",
    kinds={"html", "duckdb"},
    # among steps ready at once, run last, so the run's other checks are in the report
    op_tags={"dagster/priority": "-10"},
    description="The daily report: one self-contained HTML page (funnel, cohorts, "
                "attribution and ROI/CAC, sales, speed to lead and SLA, lead scores with "
                "calibration and lift, drift, data quality) and a CSV per table, in "
                "data/reports/<date>/.",
)
def daily_report(context: dg.AssetExecutionContext,
                 warehouse: WarehouseResource) -> dg.MaterializeResult:
    run_id = context.run_id
    checks = check_results(context.instance, run_id)
    if checks.empty:  # materialized on its own: the checks of the latest daily run
        run_id = latest_daily_run(context.instance) or run_id
        checks = check_results(context.instance, run_id)
    with warehouse.built(read_only=True) as con:
        built = build_report(con, paths().reports, checks=checks, run_id=run_id)
    context.log.info("report for %s at %s", built.report_date, built.index)
    return dg.MaterializeResult(metadata={
        "report": dg.MetadataValue.path(str(built.index)),
        "report_date": built.report_date.isoformat(),
        "tables": len(built.tables),
        "empty_sections": ", ".join(built.empty_sections) or "none",
        "checks_passed": int(checks["passed"].sum()) if len(checks) else 0,
        "checks_evaluated": len(checks),
        **headline_metadata(built),
    })


REPORT_ASSETS = [daily_report]
