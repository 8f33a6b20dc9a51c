"""`leadflow run` (the daily job, in this process) and `leadflow status` (rows per source,
headline KPIs, the last run)."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
from contextlib import contextmanager, redirect_stdout

from pipelines.cli.common import CliError, read_only_warehouse
from pipelines.project import paths


def cmd_run(args: argparse.Namespace) -> int:
    """The daily job, holding the writer lock from start to end: a second run is refused
    (or waits, with --wait) in one line before any work, and the dbt child of a run that
    dies is ended before the lock is free (pipelines/processes.py)."""
    from pipelines.resources import WarehouseBusy, warehouse_lock

    _choose_engine(args.engine)
    where = paths()
    waiting = (lambda line: print(f"leadflow: {line}", file=sys.stderr, flush=True)) \
        if args.wait else None
    try:
        with warehouse_lock(where.warehouse_lock, guard_children=True, on_wait=waiting):
            return _run_daily_job(args, where)
    except WarehouseBusy as exc:
        raise CliError(f"{exc}; try again when it ends, or use --wait") from None


def _choose_engine(name: str | None) -> None:
    """The engine of this run (``--engine``, else LEADFLOW_ENGINE), and on Spark what it
    needs, refused in one line before any work."""
    import importlib.util
    import shutil

    from pipelines.engine import EngineError, current_engine, use_engine

    try:
        engine = use_engine(name) if name else current_engine()
    except EngineError as exc:
        raise CliError(str(exc)) from None
    if engine != "spark":
        return
    if not all(importlib.util.find_spec(m) for m in ("pyspark", "dbt.adapters.spark")):
        raise CliError("the spark engine needs the `spark` dependency group: `make venv-spark` "
                       "(docs/scale-out.md)")
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise CliError("the spark engine needs Java 17 (Debian: openjdk-17-jre-headless) on "
                       "the PATH or in JAVA_HOME")


def _run_daily_job(args: argparse.Namespace, where) -> int:
    from dagster._core.utils import make_new_run_id

    from pipelines.cli.progress import PhaseDisplay
    from pipelines.cli.run_progress import RunProgress
    from pipelines.instance import get_instance
    from pipelines.status import run_seconds

    instance = get_instance(where)
    log_level = args.log_level or ("INFO" if args.verbose else "WARNING")
    run_id = make_new_run_id()
    progress = None
    with _output(args.verbose, where.data / "logs" / "run.log") as log:
        # after the environment is set, and quiet: it may parse the dbt project first
        from pipelines.definitions import build_definitions
        from pipelines.schedules import dbt_run_config

        defs = build_definitions()
        job = defs.resolve_job_def("daily")
        if not args.verbose:
            progress = RunProgress(PhaseDisplay(), defs)
            instance.add_event_listener(run_id, progress)
        result = job.execute_in_process(
            instance=instance,
            run_id=run_id,
            tags={"leadflow/trigger": "cli"},
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}},
                        **dbt_run_config(full_refresh=args.full_refresh,
                                         test_all_rows=args.test_all_rows)},
        )
    if progress is not None:
        progress.close()
    seconds = run_seconds(instance.get_run_record_by_id(run_id))
    took = f" in {seconds:.1f}s" if seconds is not None else ""
    if progress is not None and progress.skipped_steps:
        print(f"steps skipped: {', '.join(progress.skipped_steps)}")
    if progress is not None and progress.failed_checks:
        shown = ", ".join(progress.failed_checks[:8])
        more = len(progress.failed_checks) - 8
        print(f"checks failed: {shown}" + (f" and {more} more" if more > 0 else ""))
    if not result.success:
        failed = [e for e in result.all_events if e.is_step_failure]
        why = failed[0].event_specific_data.error.message.strip().splitlines()[-1] if failed \
            else "see the run's logs"
        where_log = f" (dbt and Dagster output: {log})" if log else ""
        raise CliError(f"run {run_id[:8]} failed{took}: {why}{where_log}")
    print(f"run {run_id[:8]} succeeded{took}")
    return 0


def _not_dagster_internals(record: logging.LogRecord) -> bool:
    """Dagster's own engine warnings (a check that emitted no result...) go to the log
    only; the run's messages (its console logger) and Leadflow's warnings stay on screen."""
    return not record.name.startswith("dagster._core")


@contextmanager
def _output(verbose: bool, log_path):
    """Everything on screen with --verbose; else dbt's lines (stdout) and Dagster's
    messages below WARNING go to ``log_path`` (rewritten each run), and the progress
    display says what happens. dbt colours its lines only for a terminal."""
    if verbose:
        if not sys.stdout.isatty():
            os.environ["DBT_USE_COLORS"] = "False"
        yield None
        return
    os.environ["DBT_USE_COLORS"] = "False"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    levels = [(h, h.level) for h in root.handlers]
    with open(log_path, "w", encoding="utf-8") as log, redirect_stdout(log):
        to_log = logging.StreamHandler(log)
        to_log.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(to_log)
        for handler, _ in levels:
            handler.setLevel(max(handler.level, logging.WARNING))
            handler.addFilter(_not_dagster_internals)
        try:
            yield log_path
        finally:
            root.removeHandler(to_log)
            for handler, level in levels:
                handler.setLevel(level)
                handler.removeFilter(_not_dagster_internals)


def cmd_status(args: argparse.Namespace) -> int:
    from pipelines.instance import get_instance
    from pipelines.status import headline_kpis, run_seconds, source_status

    where = paths()
    with read_only_warehouse() as con:
        rows = source_status(con)
        kpis = headline_kpis(con)
    print(f"warehouse {where.warehouse}")
    print(f"{'source':<16}{'files':>7}{'files quarantined':>19}{'rows loaded':>14}"
          f"{'rows quarantined':>18}  last loaded")
    for r in rows:
        last = r.last_loaded_at.strftime("%Y-%m-%d %H:%M:%S UTC") if r.last_loaded_at else "-"
        print(f"{r.source:<16}{r.files:>7}{r.files_quarantined:>19}{r.rows_loaded:>14,}"
              f"{r.rows_quarantined:>18,}  {last}")
    if kpis:
        print("\nheadline KPIs (marts.rpt_headline_kpis)")
        for k in kpis:
            print(f"  {k.label:<44}{k.formatted():>14}")
        print()
    instance = get_instance(where)
    records = instance.get_run_records(limit=1)
    if records:
        rec = records[0]
        run = rec.dagster_run
        start = dt.datetime.fromtimestamp(rec.start_time, dt.UTC) if rec.start_time else None
        seconds = run_seconds(rec)
        took = f" in {seconds:.1f}s" if seconds is not None else ""
        when = start.strftime("%Y-%m-%d %H:%M:%S UTC") if start else "not started"
        print(f"last run: {run.job_name} {run.run_id[:8]} {run.status.value} {when}{took}")
    else:
        print("last run: none yet")
    return 0


def add_run_parsers(sub) -> None:
    run = sub.add_parser("run", help="run the daily job now, in this process",
                         description="Run the daily job in-process (no daemon needed): ingest "
                         "new inbox files and rebuild everything downstream.")
    run.add_argument("--log-level", default=None,
                     choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                     help="Dagster log level (default WARNING, INFO with --verbose)")
    run.add_argument("--verbose", action="store_true",
                     help="show everything: dbt's lines and Dagster's messages instead of "
                     "one progress line per phase (else they go to data/logs/run.log)")
    run.add_argument("--full-refresh", action="store_true",
                     help="rebuild every dbt model from raw instead of incrementally (after "
                     "changing a macro or an identity rule); tests every row")
    run.add_argument("--wait", action="store_true",
                     help="when another run is writing the warehouse, wait for it to end "
                     "instead of refusing")
    run.add_argument("--engine", choices=["duckdb", "spark"], default=None,
                     help="the engine dbt builds and scores on (default: LEADFLOW_ENGINE, "
                     "else duckdb); spark needs `make venv-spark` and Java 17 "
                     "(docs/scale-out.md)")
    run.add_argument("--test-all-rows", action="store_true",
                     help="run every dbt data test on every row, not only on the rows this "
                     "run wrote (the scheduled Sunday run does)")
    run.set_defaults(func=cmd_run)

    status = sub.add_parser("status", help="rows per source, headline KPIs, last run",
                            description="Rows loaded and quarantined per source, the headline "
                            "KPIs of the warehouse, and the last run of the pipeline.")
    status.set_defaults(func=cmd_status)
