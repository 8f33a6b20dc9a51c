"""Great Expectations suites on the marts, run as Dagster asset checks beside the dbt
models they guard.

dbt's own tests (keys, relationships, accepted values) already run as asset checks; these
suites add what a consumer of the marts relies on across columns and rows: value domains
read from the seeds the analysts edit, money and counts never negative, dates in order,
rates that are rates, credits that sum to one. The tables that scoring, segments and the
report read are guarded by blocking suites, so bad marts stop the run before anything is
scored or exported; the report tables warn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from pipelines.assets.dbt import leadflow_dbt_models
from pipelines.assets.ingest_checks import SAMPLE_ROWS, validate_frame
from pipelines.ingest.validate import EMAIL_PATTERN
from pipelines.resources import WarehouseResource

# value domains the suites take from the seeds, so a new stage or channel needs no code
DOMAINS = {
    "stages": "SELECT stage FROM seeds.lifecycle_stages",
    "funnel_positions": "SELECT DISTINCT funnel_position FROM seeds.lifecycle_stages",
    "fit_grades": "SELECT label FROM seeds.scoring_grades WHERE score_type = 'fit'",
    "channels": "SELECT channel FROM seeds.channels",
    "attribution_models": "SELECT model FROM seeds.attribution_models",
}


@dataclass(frozen=True)
class MartSuite:
    model: str
    blocking: bool
    description: str
    expectations: Callable[[dict[str, list]], list]  # domains -> GX expectations


def _at_least(column_a: str, column_b: str, *, when_both_present: bool = False):
    """column_a >= column_b on every row (with ``when_both_present``, rows missing either
    value are skipped; otherwise only rows missing both are)."""
    import great_expectations as gx

    skip = "either_value_is_missing" if when_both_present else "both_values_are_missing"
    return gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=column_a, column_B=column_b, or_equal=True, ignore_row_if=skip)


def _dim_leads(d: dict[str, list]) -> list:
    import great_expectations as gx

    e = gx.expectations
    return [
        # original_channel stays empty for someone known only from e-mail events
        *(e.ExpectColumnValuesToNotBeNull(column=c) for c in ("lead_id", "email", "created_at")),
        e.ExpectColumnValuesToBeUnique(column="lead_id"),
        e.ExpectColumnValuesToBeUnique(column="email"),
        e.ExpectColumnValuesToMatchRegex(column="email", regex=EMAIL_PATTERN),
        e.ExpectColumnValuesToMatchRegex(column="country_code", regex=r"^[A-Z]{2}$"),
        e.ExpectColumnValuesToBeInSet(column="original_channel", value_set=d["channels"]),
        *(_at_least(raw, human)
          for raw, human in (("email_opens_raw", "email_opens_human"),
                             ("email_clicks_raw", "email_clicks_human"))),
        e.ExpectColumnValuesToBeBetween(column="web_session_count", min_value=0),
    ]


def _fct_lead_stages(d: dict[str, list]) -> list:
    import great_expectations as gx

    e = gx.expectations
    return [
        *(e.ExpectColumnValuesToNotBeNull(column=c) for c in ("lead_id", "stage", "entered_at")),
        e.ExpectColumnValuesToBeInSet(column="stage", value_set=d["stages"]),
        e.ExpectColumnValuesToBeInSet(column="funnel_position", value_set=d["funnel_positions"]),
        e.ExpectCompoundColumnsToBeUnique(column_list=["lead_id", "stage"]),
        # stages move forward only: nothing is entered before the stage it came from
        _at_least("entered_at", "previous_entered_at", when_both_present=True),
    ]


def _fct_lead_funnel(d: dict[str, list]) -> list:
    import great_expectations as gx

    e = gx.expectations
    return [
        e.ExpectColumnValuesToNotBeNull(column="lead_entered_at"),
        e.ExpectColumnValuesToBeUnique(column="lead_id"),
        e.ExpectColumnValuesToBeInSet(column="current_stage", value_set=d["stages"]),
        e.ExpectColumnValuesToBeInSet(column="funnel_position", value_set=d["funnel_positions"]),
        e.ExpectColumnValuesToBeBetween(column="days_lead_to_customer", min_value=0),
    ]


def _fct_deals(d: dict[str, list]) -> list:
    import great_expectations as gx

    e = gx.expectations
    return [
        *(e.ExpectColumnValuesToNotBeNull(column=c) for c in ("deal_id", "created_at", "status")),
        e.ExpectColumnValuesToBeUnique(column="deal_id"),
        e.ExpectColumnValuesToBeInSet(column="status", value_set=["open", "won", "lost"]),
        e.ExpectColumnValuesToBeBetween(column="amount", min_value=0),
        e.ExpectColumnValuesToBeBetween(column="amount_usd", min_value=0),
        _at_least("closed_at", "created_at", when_both_present=True),
    ]


def _fct_lead_rule_scores(d: dict[str, list]) -> list:
    import great_expectations as gx

    e = gx.expectations
    return [
        e.ExpectColumnValuesToBeUnique(column="lead_id"),
        *(e.ExpectColumnValuesToNotBeNull(column=c)
          for c in ("lead_id", "fit_grade", "engagement_band", "score_label")),
        e.ExpectColumnValuesToBeInSet(column="fit_grade", value_set=d["fit_grades"]),
        # scores may be negative (negative points); bands and grades may not be missing
        e.ExpectColumnValuesToBeBetween(column="engagement_band", min_value=1, max_value=4),
    ]


def _fct_attribution(d: dict[str, list]) -> list:
    import great_expectations as gx

    e = gx.expectations
    return [
        e.ExpectColumnValuesToBeInSet(column="model", value_set=d["attribution_models"]),
        e.ExpectColumnValuesToBeInSet(column="channel", value_set=d["channels"]),
        e.ExpectColumnValuesToBeBetween(column="credit", min_value=0, max_value=1),
        # every conversion hands out exactly its whole credit under every model
        e.ExpectColumnValuesToBeBetween(
            column="conversion_credit_total", min_value=0.999999, max_value=1.000001),
        e.ExpectColumnValuesToBeBetween(column="days_before_conversion", min_value=0),
    ]


def _rates(*columns: str) -> list:
    import great_expectations as gx

    return [gx.expectations.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=1)
            for c in columns]


def _rpt_funnel_conversion(d: dict[str, list]) -> list:
    return [
        *_rates("strict_lead_to_mql_rate", "strict_mql_to_sql_rate",
                "strict_sql_to_opportunity_rate", "strict_opportunity_to_customer_rate",
                "any_lead_to_mql_rate", "any_lead_to_customer_rate"),
        _at_least("leads", "mqls"),
        _at_least("mqls", "strict_mqls"),
    ]


def _rpt_channel_roi(d: dict[str, list]) -> list:
    import great_expectations as gx

    e = gx.expectations
    return [
        e.ExpectColumnValuesToBeInSet(column="channel", value_set=d["channels"]),
        *(e.ExpectColumnValuesToBeBetween(column=c, min_value=0)
          for c in ("spend_usd", "attributed_revenue_usd", "cac_usd", "cost_per_lead_usd")),
        e.ExpectColumnValuesToBeBetween(column="roi", min_value=-1),
        *_rates("lead_to_customer_rate"),
    ]


def _rpt_sales_kpis(d: dict[str, list]) -> list:
    import great_expectations as gx

    e = gx.expectations
    return [
        *_rates("win_rate"),
        *(e.ExpectColumnValuesToBeBetween(column=c, min_value=0)
          for c in ("avg_won_deal_usd", "avg_sales_cycle_days", "new_mrr_usd", "arr_usd")),
    ]


def _rpt_speed_to_lead(d: dict[str, list]) -> list:
    import great_expectations as gx

    e = gx.expectations
    return [
        *_rates("share_within_hour", "sla_breach_rate"),
        _at_least("p95_response_minutes", "median_response_minutes", when_both_present=True),
        e.ExpectColumnValuesToBeBetween(column="median_response_minutes", min_value=0),
    ]


SUITES = [
    MartSuite("dim_leads", True, "one valid, unique e-mail per lead; human engagement never "
              "exceeds raw; channels from the channels seed", _dim_leads),
    MartSuite("fct_lead_stages", True, "stages from the lifecycle_stages seed, one entry per "
              "lead and stage, each entered no earlier than the one before", _fct_lead_stages),
    MartSuite("fct_lead_funnel", True, "one row per lead, current stage and funnel position "
              "in their domains", _fct_lead_funnel),
    MartSuite("fct_deals", True, "unique deals, known statuses, amounts not negative, closed "
              "no earlier than created", _fct_deals),
    MartSuite("fct_lead_rule_scores", True, "one score per lead, fit grades from the "
              "scoring_grades seed, engagement bands 1-4", _fct_lead_rule_scores),
    MartSuite("fct_attribution", True, "credits between 0 and 1 that sum to 1 per conversion "
              "and model", _fct_attribution),
    MartSuite("rpt_funnel_conversion", False, "rates between 0 and 1, counts that narrow "
              "down the funnel", _rpt_funnel_conversion),
    MartSuite("rpt_channel_roi", False, "known channels, money not negative, ROI not below "
              "-100%", _rpt_channel_roi),
    MartSuite("rpt_sales_kpis", False, "win rate a rate, money and cycle days not negative",
              _rpt_sales_kpis),
    MartSuite("rpt_speed_to_lead", False, "shares are rates, p95 no faster than the median",
              _rpt_speed_to_lead),
]


def domains(con) -> dict[str, list]:
    return {name: [row[0] for row in con.execute(sql).fetchall()]
            for name, sql in DOMAINS.items()}


def run_suite(con, suite: MartSuite, sample_rows: int = SAMPLE_ROWS):
    """Validate a reservoir sample of ``marts.<model>``; returns (GX result, rows checked)."""
    frame = con.execute(
        f"SELECT * FROM marts.{suite.model} USING SAMPLE {sample_rows} ROWS (reservoir, 42)"
    ).df()
    return validate_frame(suite.model, frame, suite.expectations(domains(con)),
                          suite_name=f"marts_{suite.model}"), len(frame)


def failed_expectations(result) -> dict[str, int]:
    out = {}
    for r in result.results:
        if not r.success:
            kwargs = r.expectation_config.kwargs
            target = kwargs.get("column") or kwargs.get("column_list") or (
                f"{kwargs.get('column_A')}>{kwargs.get('column_B')}")
            out[f"{r.expectation_config.type}({target})"] = r.result.get("unexpected_count", 0)
    return out


def build_mart_check(suite: MartSuite) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=get_asset_key_for_model([leadflow_dbt_models], suite.model),
        name="gx_mart_suite",
        blocking=suite.blocking,
        description=f"Great Expectations: {suite.description}.",
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.built(read_only=True) as con:
            result, checked = run_suite(con, suite)
        return dg.AssetCheckResult(
            passed=bool(result.success),
            severity=dg.AssetCheckSeverity.ERROR if suite.blocking else dg.AssetCheckSeverity.WARN,
            metadata={"rows_checked": checked, "expectations": len(result.results),
                      "failed": dg.MetadataValue.json(failed_expectations(result))},
        )

    return _check


MART_CHECKS = [build_mart_check(suite) for suite in SUITES]
