"""`leadflow generate`: demo data into the inbox, from the dev package ``leadflow_dev``.

The generator is a development tool, not part of the product package: it is installed with
the dev dependency group (``uv sync``, which ``make venv`` runs). Without it this command
says so in one line.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pipelines.cli.common import CliError, iso_date, positive_int
from pipelines.cli.progress import PhaseDisplay
from pipelines.project import paths

MISSING_GENERATOR = ("the demo-data generator is a dev tool: install it with `uv sync` "
                     "(the dev group) or `pip install -e dev/`")


class Progress:
    """The generator's stages as one progress display: live on a terminal, one line at
    the end otherwise (pipelines/cli/progress.py)."""

    def __init__(self) -> None:
        self.display = PhaseDisplay()
        self.stages: dict[str, str] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.stages[stage.split()[0]] = f"{stage} {done:,}/{total:,}"
        self.display.update("generate", ", ".join(self.stages.values()))

    def close(self) -> None:
        self.display.close()


def cmd_generate(args: argparse.Namespace) -> int:
    try:
        from leadflow_dev.generator import generate
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] == "leadflow_dev":
            raise CliError(MISSING_GENERATOR) from None
        raise

    where = paths()
    inbox = Path(args.inbox) if args.inbox else where.inbox
    truth = Path(args.truth) if args.truth else where.truth
    progress = Progress()
    summary = generate(inbox, truth, leads=args.leads, days=args.days, seed=args.seed,
                       end_date=args.end_date, progress=progress)
    progress.close()
    print(f"wrote {sum(summary.rows.values()):,} rows in {sum(summary.files.values()):,} files "
          f"to {inbox} in {summary.seconds:.1f}s; truth at {truth}")
    for source in sorted(summary.rows):
        print(f"  {source:<16} {summary.rows[source]:>12,} rows {summary.files[source]:>6} files")
    return 0


def add_generate_parser(sub) -> None:
    gen = sub.add_parser("generate", help="write realistic demo data into the inbox",
                         description="Write realistic inbox files for all six sources, "
                         "seeded and reproducible, with the dirt real exports carry, and the "
                         "hidden truth file (needs the dev package leadflow_dev).")
    gen.add_argument("--leads", type=positive_int, default=10_000, help="people (default 10000)")
    gen.add_argument("--days", type=positive_int, default=365, help="days of history (default 365)")
    gen.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    gen.add_argument("--end-date", type=iso_date, default=None,
                     help="last day of data, YYYY-MM-DD (default today, UTC)")
    gen.add_argument("--inbox", help="inbox folder (default data/inbox)")
    gen.add_argument("--truth", help="truth file (default data/generated/truth.parquet)")
    gen.set_defaults(func=cmd_generate)
