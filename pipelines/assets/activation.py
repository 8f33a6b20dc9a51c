"""Activation as assets, after scoring in the daily job: route open leads to teams and
reps (ops.lead_assignments, kept across runs), list SLA breaches (ops.sla_breaches), give
each open lead a nurture track (activation.nurture_tracks), and materialise and export
every segment (activation.segment_members, data/exports/segments/<segment>/<date>.csv).
The rules are dbt seeds and segments/*.yml; the logic is SQL in pipelines/activation/sql."""

import datetime as dt

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from pipelines.activation import routing, segments, tables
from pipelines.assets.dbt import leadflow_dbt_models
from pipelines.assets.scoring import SCORES
from pipelines.project import paths
from pipelines.resources import WarehouseResource

GROUP = "activation"
ASSIGNMENTS = dg.AssetKey(["ops", "lead_assignments"])
SLA_BREACHES = dg.AssetKey(["ops", "sla_breaches"])
NURTURE = dg.AssetKey(["activation", "nurture_tracks"])
SEGMENTS = dg.AssetKey(["activation", "segment_members"])


def dbt_key(name: str) -> dg.AssetKey:
    return get_asset_key_for_model([leadflow_dbt_models], name)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dg.asset(
    key=ASSIGNMENTS, group_name=GROUP, kinds={"duckdb"},
    deps=[SCORES, *map(dbt_key, ("dim_leads", "fct_lead_funnel", "routing_rules",
                                 "sales_reps", "sla_policies"))],
    check_specs=[dg.AssetCheckSpec(
        "every_open_lead_owned", asset=ASSIGNMENTS,
        description="Every open lead has an owner (a team whose reps are all unavailable "
                    "leaves its new leads without one).")],
    description="One row per lead ever routed: team, owner, queue, the rule that fired and "
                "when (ops.lead_assignments; changes in ops.lead_assignment_events). Open "
                "leads without an owner get one from seed routing_rules (first match wins, "
                "weighted round-robin in the team); an owner stays unless a rule overrides.",
)
def lead_assignments(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    with warehouse.connect() as con:
        summary = routing.assign(con, now())
    context.log.info("routing: %s new, %s reassigned, %s kept", summary.new,
                     summary.reassigned, summary.kept)
    yield dg.MaterializeResult(metadata={
        "open_leads": summary.open_leads, "new": summary.new,
        "reassigned": summary.reassigned, "kept": summary.kept,
        "open_without_owner": summary.unowned, "closed": summary.closed,
        **{f"team_{team}": count for team, count in summary.by_team.items()},
    })
    yield dg.AssetCheckResult(
        check_name="every_open_lead_owned", passed=summary.unowned == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"open_without_owner": summary.unowned})


@dg.asset(
    key=SLA_BREACHES, group_name=GROUP, kinds={"duckdb"},
    deps=[ASSIGNMENTS, dbt_key("fct_speed_to_lead"), dbt_key("sla_policies")],
    description="Open assigned leads handed to sales whose first sales touch came after the "
                "SLA of their tier (seed sla_policies), or has not come and the SLA passed "
                "(ops.sla_breaches, by team and owner).",
)
def sla_breaches(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    with warehouse.connect() as con:
        counts = tables.build_sla_breaches(con)
    untouched = counts.pop("untouched")
    return dg.MaterializeResult(metadata={
        "breaches": sum(counts.values()), "untouched": untouched,
        **{f"team_{team}": count for team, count in counts.items()},
    })


@dg.asset(
    key=NURTURE, group_name=GROUP, kinds={"duckdb"},
    deps=[ASSIGNMENTS, SCORES, dbt_key("nurture_rules"), dbt_key("dim_leads"),
          dbt_key("fct_lead_funnel")],
    description="One row per open lead: its nurture track (TOFU, MOFU, BOFU, recycle) and "
                "next step from seed nurture_rules (stage, score, recent behaviour), in "
                "columns a marketing automation tool imports (activation.nurture_tracks).",
)
def nurture_tracks(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    with warehouse.connect() as con:
        tracks = tables.build_nurture_tracks(con)
    return dg.MaterializeResult(metadata={
        "rows": sum(tracks.values()), **{f"track_{k}": v for k, v in tracks.items()}})


@dg.asset(
    key=SEGMENTS, group_name=GROUP, kinds={"duckdb", "csv"},
    deps=[NURTURE, ASSIGNMENTS, SCORES],
    description="Every segment of segments/*.yml materialised (activation.segment_members, "
                "consented leads only) and written to "
                "data/exports/segments/<segment>/<run date>.csv.",
)
def segment_members(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    definitions = segments.load_definitions()
    run_date = now().date()
    exports = paths().exports
    with warehouse.connect() as con:
        counts = segments.materialise(con, definitions, run_date)
        for name in definitions:
            target = segments.default_path(exports, name, run_date, "csv")
            segments.export(con, name, "csv", target)
    return dg.MaterializeResult(metadata={
        "segments": len(counts), **{f"members_{k}": v for k, v in counts.items()},
        "folder": dg.MetadataValue.path(str(exports / "segments")),
    })


ACTIVATION_ASSETS = [lead_assignments, sla_breaches, nurture_tracks, segment_members]
