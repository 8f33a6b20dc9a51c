"""`leadflow unload FILE`: take a loaded file's rows back out of raw and of everything built
from them (pipelines/unload.py), holding the writer lock."""

from __future__ import annotations

import argparse
import sys
import time

from pipelines.cli.common import CliError


def cmd_unload(args: argparse.Namespace) -> int:
    from pipelines import unload
    from pipelines.project import paths
    from pipelines.resources import WarehouseBusy, open_duckdb, warehouse_lock

    where = paths()
    if not where.warehouse.exists():
        raise CliError(f"no warehouse at {where.warehouse} yet: nothing is loaded")
    try:
        with warehouse_lock(where.warehouse_lock, guard_children=True):
            con = open_duckdb(where.warehouse)
            try:
                if not _has_ledger(con):
                    raise CliError("no file loaded yet: the ledger raw._files is missing")
                loaded = unload.find_loaded(con, args.file, where.inbox)
                removed = unload.remove_rows(con, loaded)
            except unload.UnknownFile as exc:
                raise CliError(str(exc)) from None
            finally:
                con.close()
            ids = ", ".join(str(i) for i in loaded.file_ids)
            print(f"unloaded {loaded.path} ({loaded.source}, file id {ids}): rows removed")
            for table, rows in removed.rows.items():
                print(f"  {table:<28}{rows:>10,}")
            if removed.raw_rows:
                _rebuild(unload, loaded.table, where.warehouse)
    except WarehouseBusy as exc:
        raise CliError(f"{exc}; try again when it ends") from None
    print(f"{loaded.path} may now be fixed and dropped into the inbox again")
    return 0


def _has_ledger(con) -> bool:
    return con.execute("SELECT count(*) FROM information_schema.tables "
                       "WHERE table_schema = 'raw' AND table_name = '_files'").fetchone()[0] > 0


def _rebuild(unload, table: str, warehouse) -> None:
    command = "dbt " + " ".join(unload.rebuild_args(table))
    print(f"rebuilding what is built from raw.{table}: {command} ...", file=sys.stderr,
          flush=True)
    started = time.monotonic()
    ok, statuses = unload.rebuild(table, warehouse)
    summary = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
    if not ok:
        raise CliError(f"the rows are out of raw, but `{command}` failed ({summary}); "
                       "`leadflow run --full-refresh` rebuilds every model")
    print(f"rebuilt the models downstream of raw.{table} in "
          f"{time.monotonic() - started:.1f}s ({summary})")


def add_unload_parser(sub) -> None:
    """Register `leadflow unload` on the main parser's subparsers."""
    parser = sub.add_parser(
        "unload", help="take a loaded file's rows back out of the warehouse",
        description="Delete a loaded file's rows from its raw table and the quarantine, "
        "mark it unloaded in the ledger (raw._files) so that it loads again when dropped "
        "again, and rebuild every dbt model downstream of that raw table from raw "
        "(--full-refresh). Holds the writer lock.")
    parser.add_argument("file", metavar="FILE",
                        help="the file's path under the inbox, as `leadflow quarantine` "
                        "lists it (web/events.jsonl), or its path on disk in the inbox")
    parser.set_defaults(func=cmd_unload)
