"""`leadflow import --mapping FILE.yml SOURCE_FILES...` (registered by pipelines/cli/)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipelines.project import paths


def _lookup_arg(text: str) -> tuple[str, Path]:
    name, sep, path = text.partition("=")
    if not sep or not name or not path:
        raise argparse.ArgumentTypeError(f"expected NAME=PATH, got {text!r}")
    return name.strip(), Path(path)


def cmd_import(args: argparse.Namespace) -> int:
    from pipelines.cli.common import CliError
    from pipelines.importer import ImportFailed, MappingError, run_import

    where = paths()
    inbox = Path(args.inbox) if args.inbox else where.inbox
    try:
        result = run_import(Path(args.mapping), args.files, inbox, dict(args.lookup or []),
                            temp_dir=where.duckdb_temp)
    except MappingError as exc:
        raise CliError(str(exc)) from None
    except ImportFailed as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        if exc.total > len(exc.errors):
            print(f"... and {exc.total - len(exc.errors):,} more", file=sys.stderr)
        raise CliError(str(exc)) from None
    m = result.mapping
    skipped = f", {result.rows_skipped:,} skipped (skip_if_empty: " \
        f"{', '.join(m.skip_if_empty)})" if result.rows_skipped else ""
    formulas = f"; {result.formula_cells:,} cells that a spreadsheet would run as formulas " \
        "were prefixed with '" if result.formula_cells else ""
    if result.unchanged:
        print(f"{m.source.name}: already in the inbox as {result.output} (same mapping and "
              "inputs); nothing written")
    else:
        print(f"{m.source.name}: {result.rows_read:,} rows read, {result.rows_written:,} "
              f"written{skipped} to {result.output}{formulas}")
    return 0


def add_import_parser(sub) -> None:
    imp = sub.add_parser(
        "import", help="map a CSV export onto an inbox source",
        description="Map the columns of CSV exports (HubSpot, Salesforce, a spreadsheet, a "
        "public dataset) onto one inbox source with a mapping YAML (see docs/real-data.md), "
        "and drop the result into the inbox for the next run. All or nothing: any problem "
        "is reported as file:row: column: reason and nothing is written.")
    imp.add_argument("--mapping", required=True, help="the mapping YAML file")
    imp.add_argument("files", nargs="+", metavar="SOURCE_FILE", help="CSV file(s) to import")
    imp.add_argument("--lookup", action="append", type=_lookup_arg, metavar="NAME=PATH",
                     help="read lookup NAME from PATH instead of the mapping's file "
                     "(repeatable)")
    imp.add_argument("--inbox", help="inbox folder (default data/inbox)")
    imp.set_defaults(func=cmd_import)
