"""`leadflow generate`: demo data into the inbox, from the dev package ``leadflow_dev``.

The generator is a development tool, not part of the product package: it is installed with
the dev dependency group (``uv sync``, which ``make venv`` runs). Without it this command
says so in one line.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from pipelines.cli.common import CliError, iso_date, positive_int
from pipelines.project import paths

MISSING_GENERATOR = ("the demo-data generator is a dev tool: install it with `uv sync` "
                     "(the dev group) or `pip install -e dev/`")


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
    summary = generate(inbox, truth, leads=args.leads, days=args.days, seed=args.seed,
                       end_date=args.end_date, progress=Progress())
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
