"""The dbt build of a Dagster step on the Spark engine: dbt runs in this process, in the
process's Spark session (dbt-spark's ``session`` method finds it running), instead of as
dagster-dbt's child process.

Spark's catalog is an embedded Derby database that one JVM opens at a time: a dbt child
process would start a second Spark beside the one the Python steps use (raw tables,
scoring, the warehouse copies) and find the catalog locked. So the build is an in-process
``dbtRunner`` invocation with dagster-dbt's own selection for the step, and dbt's result
events are turned into Dagster's (materializations, asset check results) by dagster-dbt's
own translation, as its child-process stream would."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import dagster as dg

RESULT_EVENTS = {"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"}


def export_raw(context: dg.AssetExecutionContext, warehouse_file: Path) -> None:
    """The DuckDB raw tables ingestion loaded, handed to Spark (pipelines/spark_raw.py)."""
    from pipelines.resources import open_duckdb
    from pipelines.spark_raw import export_to_spark
    from pipelines.spark_session import spark_dir, spark_session

    con = open_duckdb(warehouse_file, read_only=True)
    try:
        counts = export_to_spark(con, spark_session(), spark_dir())
    finally:
        con.close()
    context.log.info("raw tables handed to Spark: %s",
                     ", ".join(f"{table} {rows:,}" for table, rows in counts.items()))


def stream_build(context: dg.AssetExecutionContext, args: list[str], translator,
                 ) -> Iterator:
    """``dbt <args>`` of the step's selection on the spark target, in this process; the
    Dagster events of its results. A failed build raises after its results are reported."""
    from dagster_dbt.asset_utils import get_updated_cli_invocation_params_for_context
    from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage
    from dbt.cli.main import dbtRunner
    from dbt_common.events.functions import msg_to_dict

    from pipelines.spark_session import spark_session

    params = get_updated_cli_invocation_params_for_context(
        context=context, manifest={}, dagster_dbt_translator=translator)
    project_dir = Path(params.dbt_project.project_dir)
    # one folder per step, kept between runs (one run writes at a time): dbt parses the
    # project again only when it changed
    target_path = project_dir / "target" / "spark" / context.op_def.name
    results: list[dict] = []

    def keep(event) -> None:
        if event.info.name in RESULT_EVENTS:
            results.append(msg_to_dict(event))

    spark_session()  # the session dbt-spark builds in
    previous = os.environ.get("DBT_INDIRECT_SELECTION")
    if params.indirect_selection:
        os.environ["DBT_INDIRECT_SELECTION"] = params.indirect_selection
    try:
        outcome = dbtRunner(callbacks=[keep]).invoke([
            *args, *params.selection_args, "--project-dir", str(project_dir),
            "--profiles-dir", str(project_dir), "--target-path", str(target_path),
            "--log-path", str(target_path), "--target", "spark",
        ])
    finally:
        if params.indirect_selection:
            if previous is None:
                os.environ.pop("DBT_INDIRECT_SELECTION", None)
            else:
                os.environ["DBT_INDIRECT_SELECTION"] = previous
    for raw in results:
        if raw["data"].get("node_info", {}).get("unique_id", "").startswith("unit_test"):
            continue
        yield from DbtCoreCliEventMessage(raw_event=raw, event_history_metadata={}) \
            .to_default_asset_events(manifest=params.manifest,
                                     dagster_dbt_translator=params.dagster_dbt_translator,
                                     context=context, target_path=target_path,
                                     project=params.dbt_project)
    if not outcome.success:
        failed = [f"{r.node.name}: {r.status}" for r in (outcome.result or [])
                  if str(r.status) in ("error", "fail", "runtime error")]
        why = outcome.exception or ", ".join(failed[:5]) or "see the dbt log"
        raise dg.Failure(description=f"dbt {args[0]} on Spark failed: {why}",
                         metadata={"log": dg.MetadataValue.path(str(target_path))})
