"""`leadflow forget EMAIL... | --file FILE [--reason TEXT]` and `leadflow forget --list`:
erase people everywhere, keep them out, print the certificate (docs/privacy.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipelines.cli.common import CliError, read_only_warehouse
from pipelines.project import paths


def _addresses(args: argparse.Namespace) -> list[str]:
    found = list(args.emails)
    if args.file is not None:
        try:
            text = Path(args.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CliError(f"cannot read {args.file}: {exc}") from None
        found += [line.strip() for line in text.splitlines()
                  if line.strip() and not line.lstrip().startswith("#")]
    if not found:
        raise CliError("give the e-mail addresses to erase, or --file FILE, or --list")
    return found


def cmd_forget(args: argparse.Namespace) -> int:
    if args.list:
        return _list()
    from pipelines.privacy.erase import forget
    from pipelines.privacy.suppression import InvalidAddress
    from pipelines.resources import WarehouseBusy

    addresses = _addresses(args)
    where = paths()
    if not where.warehouse.exists():
        raise CliError(f"no warehouse at {where.warehouse} yet: nothing to erase")

    def say(line: str) -> None:
        print(f"leadflow: {line}", file=sys.stderr, flush=True)

    try:
        certs = forget(where, addresses, args.reason, on_wait=say if args.wait else None,
                       progress=say)
    except InvalidAddress as exc:
        raise CliError(str(exc)) from None
    except WarehouseBusy as exc:
        raise CliError(f"{exc}; try again when it ends, or use --wait") from None
    for cert in certs:
        print("\n".join(cert.lines()))
    failed = [c for c in certs if not c.is_complete]
    if failed:
        print(f"leadflow: error: {len(failed)} of {len(certs)} erasure(s) incomplete: "
              + "; ".join(f"{c.person_hash[:12]}: {c.not_erased[0]}" for c in failed),
              file=sys.stderr)
        return 1
    return 0


def _list() -> int:
    from pipelines.privacy.certificate import requests

    with read_only_warehouse() as con:
        rows = requests(con)
    if not rows:
        print("no erasure recorded")
        return 0
    print(f"{'erasure':<18}{'person (keyed hash)':<66}{'completed (UTC)':<21}"
          f"{'rows':>8}{'files':>7}  complete  reason")
    for erasure_id, person, done, reason, complete, n_rows, n_files, _ in rows:
        print(f"{erasure_id:<18}{person:<66}{done:%Y-%m-%d %H:%M:%S}  {n_rows:>8,}"
              f"{n_files:>7}  {'yes' if complete else 'NO':<8}  {reason or '-'}")
    return 0


def add_forget_parser(sub) -> None:
    p = sub.add_parser(
        "forget", help="erase people everywhere, block their re-ingest, print a certificate",
        description="Erase each person (by e-mail address, any spelling) from every table, "
        "inbox file, export and report under the data directory; keep a keyed hash so that "
        "later files about them are quarantined as 'erased person'; print the erasure "
        "certificate. Exits 1 when anything could not be erased, naming it.")
    p.add_argument("emails", nargs="*", metavar="EMAIL", help="addresses to erase")
    p.add_argument("--file", metavar="FILE",
                   help="a file of addresses, one per line (# comments): many requests "
                   "paid once")
    p.add_argument("--reason", help="why (recorded in the certificate)")
    p.add_argument("--list", action="store_true", help="list the erasures recorded")
    p.add_argument("--wait", action="store_true",
                   help="when a run is writing the warehouse, wait for it instead of refusing")
    p.set_defaults(func=cmd_forget)
