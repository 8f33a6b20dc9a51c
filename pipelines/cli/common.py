"""What every `leadflow` command shares: the one-line error, argument types, the read-only
warehouse. Command modules import from here, never from each other or from the package
``__init__``, so the CLI's import graph has no cycle."""

from __future__ import annotations

import argparse
import datetime as dt
from contextlib import contextmanager


class CliError(Exception):
    """A user-facing error: printed as one line, exit code 2."""


@contextmanager
def read_only_warehouse():
    """The warehouse, read-only, or a one-line error: none yet, or a run holds it."""
    import duckdb

    from pipelines.project import paths
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


def iso_date(text: str) -> dt.date:
    """argparse type: a date like 2026-01-31, with a one-line reason otherwise."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-01-31, got {text!r}") from None
