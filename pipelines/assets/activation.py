"""Activation's Python assets, between the two dbt selections of the daily job: route
open leads to teams and reps (ops.lead_assignments, kept across runs; the decision reads
the previous assignments, see pipelines/activation/routing.py), and materialise and
export every segment (activation.segment_members, data/exports/segments/<segment>/
<date>.csv). The stateless logic (routing matches, SLA breaches, nurture tracks, the
segment base) is dbt models under dbt_project/models/activation/."""

import datetime as dt

import dagster as dg

from pipelines.activation import routing, segments
from pipelines.activation.warehouse import ensure_tables as ensure_ops_tables
from pipelines.assets.dbt import dbt_key
from pipelines.project import paths
from pipelines.resources import WarehouseResource

GROUP = "activation"
ASSIGNMENTS = dg.AssetKey(["ops", "lead_assignments"])
SEGMENTS = dg.AssetKey(["activation", "segment_members"])
# routing's state, kept between runs (pipelines/activation/warehouse.py)
OPS_TABLES = ("ops.lead_assignments", "ops.lead_assignment_events")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dg.asset(
    key=ASSIGNMENTS, group_name=GROUP, kinds={"duckdb"},
    deps=[dbt_key("routing_matches"), dbt_key("sales_reps"), dbt_key("rep_availability")],
    check_specs=[dg.AssetCheckSpec(
        "every_open_lead_owned", asset=ASSIGNMENTS,
        description="Every open lead has an owner (a team whose reps are all unavailable, "
                    "away or at capacity leaves its new leads in the team queue without "
                    "one).")],
    description="One row per lead ever routed: team, owner, queue, the rule that fired and "
                "when (ops.lead_assignments; changes in ops.lead_assignment_events). Open "
                "leads without an owner get one by their first matching rule "
                "(activation.routing_matches), weighted round-robin in the team that passes "
                "over reps away (seed rep_availability) or at their cap of open leads "
                "(sales_reps.max_open_leads), the reason in routing_note; an owner stays "
                "unless a rule overrides.",
)
def lead_assignments(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    with warehouse.built(owns=OPS_TABLES, prepare=ensure_ops_tables) as con:
        summary = routing.assign(con, now())
    context.log.info("routing: %s new, %s reassigned, %s kept", summary.new,
                     summary.reassigned, summary.kept)
    if summary.by_note:
        context.log.info("routing: passed on to another rep or the team queue: %s",
                         ", ".join(f"{note} {n}" for note, n in summary.by_note.items()))
    yield dg.MaterializeResult(metadata={
        "open_leads": summary.open_leads, "new": summary.new,
        "reassigned": summary.reassigned, "kept": summary.kept,
        "open_without_owner": summary.unowned, "closed": summary.closed,
        **{f"note_{note}": count for note, count in summary.by_note.items()},
        **{f"team_{team}": count for team, count in summary.by_team.items()},
    })
    yield dg.AssetCheckResult(
        check_name="every_open_lead_owned", passed=summary.unowned == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"open_without_owner": summary.unowned})


@dg.asset(
    key=SEGMENTS, group_name=GROUP, kinds={"duckdb", "csv"},
    deps=[dbt_key("segment_base")],
    description="Every segment of segments/*.yml materialised (activation.segment_members, "
                "consented leads only, filtered from activation.segment_base) and written "
                "to data/exports/segments/<segment>/<run date>.csv.",
)
def segment_members(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    definitions = segments.load_definitions()
    run_date = now().date()
    exports = paths().exports
    with warehouse.built(owns=(segments.MEMBERS, segments.RUNS)) as con:
        counts = segments.materialise(con, definitions, run_date)
        for name in definitions:
            target = segments.default_path(exports, name, run_date, "csv")
            segments.export(con, name, "csv", target)
    return dg.MaterializeResult(metadata={
        "segments": len(counts), **{f"members_{k}": v for k, v in counts.items()},
        "folder": dg.MetadataValue.path(str(exports / "segments")),
    })


ACTIVATION_ASSETS = [lead_assignments, segment_members]
