"""`leadflow report [--date D] [--open]`: write the daily report from the warehouse as it
stands, with the checks of the latest daily run."""

from __future__ import annotations

import argparse
import webbrowser

from pipelines.cli.common import CliError, read_only_warehouse
from pipelines.cli.common import iso_date as _date
from pipelines.project import paths


def cmd_report(args: argparse.Namespace) -> int:
    from pipelines.instance import get_instance
    from pipelines.report.build import build_report
    from pipelines.report.queries import ReportError
    from pipelines.report.run_checks import check_results, latest_daily_run
    where = paths()
    if not where.warehouse.exists():
        raise CliError(f"no warehouse at {where.warehouse} yet: run `leadflow run` first")
    instance = get_instance(where)
    run_id = latest_daily_run(instance)
    checks = check_results(instance, run_id) if run_id else None
    with read_only_warehouse() as con:
        try:
            built = build_report(con, where.reports, args.date, checks=checks, run_id=run_id)
        except ReportError as exc:
            raise CliError(str(exc)) from None
    print(f"report for {built.report_date}: {built.index}")
    print(f"  {len(built.tables)} tables as CSV in {built.folder}")
    if built.empty_sections:
        print(f"  sections without data: {', '.join(built.empty_sections)}")
    if args.open:
        webbrowser.open(built.index.as_uri())
    return 0


def add_report_parser(sub) -> None:
    """Register `leadflow report` on the main parser's subparsers."""
    report = sub.add_parser(
        "report", help="write the daily HTML report and its CSV tables",
        description="Write data/reports/<date>/index.html (one self-contained page that "
        "opens offline) and a CSV per table, from the warehouse and the checks of the latest "
        "daily run.")
    report.add_argument("--date", type=_date, default=None,
                        help="scoring day to report, YYYY-MM-DD (default: the latest)")
    report.add_argument("--open", action="store_true", help="open the report in a browser")
    report.set_defaults(func=cmd_report)
