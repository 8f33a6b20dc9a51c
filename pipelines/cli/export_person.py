"""`leadflow export-person EMAIL --out FILE.json`: everything Leadflow stores about one
person (right of access, docs/privacy.md)."""

from __future__ import annotations

import argparse
from pathlib import Path

from pipelines.cli.common import CliError, read_only_warehouse
from pipelines.project import paths


def cmd_export_person(args: argparse.Namespace) -> int:
    from pipelines.privacy import access
    from pipelines.privacy.suppression import InvalidAddress, checked

    try:
        checked(args.email)
    except InvalidAddress as exc:
        raise CliError(str(exc)) from None
    out = Path(args.out)
    if out.is_dir():
        raise CliError(f"--out {out} is a folder: give a file name, e.g. {out}/person.json")
    with read_only_warehouse() as con:
        record = access.person_record(con, paths(), args.email)
    try:
        access.write(record, out)
    except OSError as exc:
        raise CliError(f"cannot write {out}: {exc.strerror}") from None
    n_rows = sum(len(rows) for rows in record["tables"].values())
    print(f"{out}: {n_rows:,} rows from {len(record['tables'])} tables, "
          f"{len(record['summary']['exports'])} export file(s)"
          + ("" if n_rows else " (nothing stored about this address)"))
    return 0


def add_export_person_parser(sub) -> None:
    p = sub.add_parser(
        "export-person", help="everything stored about a person, as JSON (right of access)",
        description="Write everything Leadflow stores about the person with this address "
        "(any spelling): raw rows, golden record, stages, scores with reasons, touches, "
        "deals, assignments, consent history, the export files they appear in. The file is "
        "personal data: it is written readable by its owner only.")
    p.add_argument("email", metavar="EMAIL")
    p.add_argument("--out", required=True, metavar="FILE.json", help="where to write it")
    p.set_defaults(func=cmd_export_person)
