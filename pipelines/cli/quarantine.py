"""`leadflow quarantine [--source S] [--file PATH [--limit N]]`: what the quarantine holds
and why."""

from __future__ import annotations

import argparse

from pipelines.cli.common import CliError, positive_int, read_only_warehouse

TEXT_WIDTH = 100


def _one_line(text: str | None, width: int = TEXT_WIDTH) -> str:
    if text is None:
        return "(no text kept)"
    flat = text.replace("\r", "\\r").replace("\n", "\\n")
    return flat if len(flat) <= width else flat[:width - 1] + "…"


def cmd_quarantine(args: argparse.Namespace) -> int:
    from pipelines import quarantine
    from pipelines.sources import source

    if args.source:
        try:
            source(args.source)
        except ValueError as exc:
            raise CliError(str(exc)) from None
    with read_only_warehouse() as con:
        if not quarantine.has_quarantine(con):
            print("nothing held: no file ingested yet")
            return 0
        if args.file:
            return _show_file(con, args.file.strip().removeprefix("./"), args.limit)
        lines = quarantine.held(con, args.source)
    if not lines:
        print("nothing held in the quarantine" + (f" for {args.source}" if args.source else ""))
        return 0
    print(f"{'source':<16}{'file':<40}{'rows':>8}  reason")
    for h in lines:
        rows = "whole" if h.whole_file else f"{h.rows:,}"
        print(f"{h.source:<16}{h.path:<40}{rows:>8}  {_one_line(h.reason, 200)}")
    files = sum(h.whole_file for h in lines)
    rows = sum(h.rows for h in lines)
    print(f"\n{rows:,} rows and {files} whole files held; "
          "`leadflow quarantine --file PATH` shows a file's rows")
    return 0


def _show_file(con, path: str, limit: int) -> int:
    from pipelines import quarantine

    total = quarantine.count_held_rows(con, path)
    if total == 0:
        raise CliError(f"nothing held from {path!r} (a path under the inbox, as "
                       "`leadflow quarantine` lists it)")
    print(f"{path}: {total:,} held")
    for row in quarantine.held_rows(con, path, limit):
        where = "whole file" if row.row_number is None else f"row {row.row_number}"
        print(f"  {where:<12}{row.reason}")
        print(f"  {'':<12}{_one_line(row.original_text)}")
    if total > limit:
        print(f"  ... {total - limit:,} more (--limit)")
    return 0


def add_quarantine_parser(sub) -> None:
    """Register `leadflow quarantine` on the main parser's subparsers."""
    parser = sub.add_parser(
        "quarantine", help="list what the quarantine holds and why",
        description="List what raw._quarantine holds, by source, file and kind of reason "
        "(rows of a file, or a file held whole: unreadable, a link or a special file), or "
        "with --file the held rows of one file with their reason and original text.")
    parser.add_argument("--source", help="only this source (forms, web, email, crm_deals, "
                        "crm_activities, spend)")
    parser.add_argument("--file", metavar="PATH",
                        help="one file's held rows, by its path under the inbox (web/w.jsonl)")
    parser.add_argument("--limit", type=positive_int, default=50,
                        help="rows shown with --file (default 50)")
    parser.set_defaults(func=cmd_quarantine)
