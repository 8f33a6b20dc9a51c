"""The `leadflow` command line (the commands are listed in docs/contracts.md).

Every command exits non-zero with a one-line reason on bad input; long work shows progress
on stderr. One module per command group; they share pipelines/cli/common.py and import
nothing from this package module, which only assembles the parser.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from pipelines.cli.activation import add_activation_parsers
from pipelines.cli.alerts import add_alerts_parser
from pipelines.cli.common import CliError
from pipelines.cli.export_person import add_export_person_parser
from pipelines.cli.forget import add_forget_parser
from pipelines.cli.generate import add_generate_parser
from pipelines.cli.handoff import add_handoff_parser, add_scoring_parser
from pipelines.cli.importer import add_import_parser
from pipelines.cli.model import add_model_parser
from pipelines.cli.quarantine import add_quarantine_parser
from pipelines.cli.report import add_report_parser
from pipelines.cli.run import add_run_parsers
from pipelines.cli.unload import add_unload_parser

__all__ = ["build_parser", "main"]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("leadflow")
    except PackageNotFoundError:
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leadflow", description="Leadflow: a lead-management warehouse on DuckDB."
    )
    parser.add_argument("--version", action="version", version=f"leadflow {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_generate_parser(sub)
    add_run_parsers(sub)
    add_model_parser(sub)
    add_import_parser(sub)
    add_report_parser(sub)
    add_activation_parsers(sub)
    add_alerts_parser(sub)
    add_scoring_parser(sub)
    add_handoff_parser(sub)
    add_quarantine_parser(sub)
    add_unload_parser(sub)
    add_forget_parser(sub)
    add_export_person_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except BrokenPipeError:
        # the reader went away (`leadflow model list | head`): stop quietly, as ls does;
        # stdout is pointed at /dev/null so the interpreter's final flush cannot fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except CliError as exc:
        print(f"leadflow: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("leadflow: interrupted", file=sys.stderr)
        return 130
