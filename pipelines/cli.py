"""The `leadflow` command line (DESIGN.md section 6).

Every command exits non-zero with a one-line reason on bad input; long work shows progress
on stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from pipelines.project import paths

log = logging.getLogger("leadflow")


class CliError(Exception):
    """A user-facing error: printed as one line, exit code 2."""


@contextmanager
def read_only_warehouse():
    """The warehouse, read-only, or a one-line error: none yet, or a run holds it."""
    import duckdb

    from pipelines.resources import open_duckdb

    where = paths()
    if not where.warehouse.exists():
        raise CliError(f"no warehouse at {where.warehouse} yet: run `leadflow run` first")
    try:
        con = open_duckdb(where.warehouse, read_only=True)
    except duckdb.IOException as exc:
        raise CliError(f"cannot read the warehouse (is a run writing it?): {exc}") from None
    try:
        yield con
    finally:
        con.close()


def positive_int(text: str) -> int:
    """argparse type: a whole number above 0, with a one-line reason otherwise."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {value}")
    return value


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-01-31, got {text!r}") from None


class Progress:
    """A one-line progress display on stderr (plain lines when not a terminal)."""

    def __init__(self, stream=sys.stderr, every: float = 0.5):
        self.stream, self.every, self.last, self.stage = stream, every, 0.0, None
        self.tty = stream.isatty()

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        finished = total and done >= total
        if stage == self.stage and not finished and now - self.last < self.every:
            return
        self.last, self.stage = now, stage
        pct = f"{100 * done / total:5.1f}%" if total else ""
        line = f"{stage:<28} {done:>12,} / {total:,} {pct}"
        if self.tty:
            self.stream.write("\r" + line + ("\n" if finished else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


# ---------------------------------------------------------------- generate


def cmd_generate(args: argparse.Namespace) -> int:
    from pipelines.generator import generate

    where = paths()
    inbox = Path(args.inbox) if args.inbox else where.inbox
    truth = Path(args.truth) if args.truth else where.truth
    summary = generate(inbox, truth, leads=args.leads, days=args.days, seed=args.seed,
                       end_date=args.end_date, progress=Progress())
    print(f"wrote {sum(summary.rows.values()):,} rows in {sum(summary.files.values()):,} files "
          f"to {inbox} in {summary.seconds:.1f}s; truth at {truth}")
    for source in sorted(summary.rows):
        print(f"  {source:<16} {summary.rows[source]:>12,} rows {summary.files[source]:>6} files")
    return 0


# ---------------------------------------------------------------- run


def cmd_run(args: argparse.Namespace) -> int:
    from pipelines.instance import get_instance

    where = paths()
    instance = get_instance(where)
    from pipelines.definitions import build_definitions  # after the environment is set
    from pipelines.schedules import dbt_run_config

    job = build_definitions().resolve_job_def("daily")
    started = time.monotonic()
    result = job.execute_in_process(
        instance=instance,
        tags={"leadflow/trigger": "cli"},
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": args.log_level}}},
                    **dbt_run_config(full_refresh=args.full_refresh,
                                     test_all_rows=args.test_all_rows)},
    )
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        meta = {k: v.value for k, v in mat.metadata.items()}
        if "rows_loaded" in meta:
            print(f"{mat.asset_key.to_user_string():<22} new files {meta['new_files']:>5}  "
                  f"loaded {meta['rows_loaded']:>11,}  quarantined {meta['rows_quarantined']:>7,}")
    seconds = time.monotonic() - started
    if not result.success:
        failed = [e for e in result.all_events if e.is_step_failure]
        why = failed[0].event_specific_data.error.message.strip().splitlines()[-1] if failed \
            else "see the run's logs"
        raise CliError(f"run {result.run_id} failed after {seconds:.1f}s: {why}")
    print(f"run {result.run_id} succeeded in {seconds:.1f}s")
    return 0


# ---------------------------------------------------------------- status


def cmd_status(args: argparse.Namespace) -> int:
    from pipelines.instance import get_instance
    from pipelines.status import headline_kpis, source_status

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
        end = dt.datetime.fromtimestamp(rec.end_time, dt.UTC) if rec.end_time else None
        took = f" in {(end - start).total_seconds():.1f}s" if start and end else ""
        when = start.strftime("%Y-%m-%d %H:%M:%S UTC") if start else "not started"
        print(f"last run: {run.job_name} {run.run_id[:8]} {run.status.value} {when}{took}")
    else:
        print("last run: none yet")
    return 0


# ---------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leadflow", description="Leadflow: a lead-management warehouse on DuckDB."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    gen = sub.add_parser("generate", help="write realistic demo data into the inbox",
                         description="Write realistic inbox files for all six sources, "
                         "seeded and reproducible, with the dirt real exports carry, and the "
                         "hidden truth file.")
    gen.add_argument("--leads", type=positive_int, default=10_000, help="people (default 10000)")
    gen.add_argument("--days", type=positive_int, default=365, help="days of history (default 365)")
    gen.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    gen.add_argument("--end-date", type=_date, default=None,
                     help="last day of data, YYYY-MM-DD (default today, UTC)")
    gen.add_argument("--inbox", help="inbox folder (default data/inbox)")
    gen.add_argument("--truth", help="truth file (default data/generated/truth.parquet)")
    gen.set_defaults(func=cmd_generate)

    run = sub.add_parser("run", help="run the daily job now, in this process",
                         description="Run the daily job in-process (no daemon needed): ingest "
                         "new inbox files and rebuild everything downstream.")
    run.add_argument("--log-level", default="INFO",
                     choices=["DEBUG", "INFO", "WARNING", "ERROR"], help="Dagster log level")
    run.add_argument("--full-refresh", action="store_true",
                     help="rebuild every dbt model from raw instead of incrementally (after "
                     "changing a macro or an identity rule); tests every row")
    run.add_argument("--test-all-rows", action="store_true",
                     help="run every dbt data test on every row, not only on the rows this "
                     "run wrote (the scheduled Sunday run does)")
    run.set_defaults(func=cmd_run)

    status = sub.add_parser("status", help="rows per source, headline KPIs, last run",
                            description="Rows loaded and quarantined per source, the headline "
                            "KPIs of the warehouse, and the last run of the pipeline.")
    status.set_defaults(func=cmd_status)

    from pipelines.cli_model import add_model_parser

    add_model_parser(sub)

    from pipelines.importer.cli import add_import_parser

    add_import_parser(sub)

    from pipelines.cli_report import add_report_parser

    add_report_parser(sub)

    from pipelines.cli_activation import add_activation_parsers

    add_activation_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CliError as exc:
        print(f"leadflow: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("leadflow: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
