"""`make docs`: build the dbt docs (`dbt docs generate`, models, columns, tests, lineage
and the warehouse's catalog) and serve them on 127.0.0.1.

The catalog is read from the warehouse under the writer lock (a run under way: a one-line
error), into a target folder of its own (dbt_project/target/docs), so the manifest the
pipeline builds from is left alone. Serving needs no warehouse."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

from pipelines.project import DBT_PROJECT_DIR, paths

DOCS_TARGET = DBT_PROJECT_DIR / "target" / "docs"


def dbt_command(*args: str) -> list[str]:
    """dbt beside this interpreter, on Leadflow's project and profile."""
    return [str(Path(sys.executable).parent / "dbt"), *args,
            "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(DOCS_TARGET)]


def generate() -> None:
    from pipelines.dbt_target import set_dbt_environment
    from pipelines.resources import WarehouseBusy, warehouse_lock

    where = paths()
    if not where.warehouse.exists():
        sys.exit(f"leadflow docs: no warehouse at {where.warehouse} yet: run `make demo` "
                 "or `leadflow run` first")
    set_dbt_environment(str(where.warehouse))
    os.environ["DBT_USE_COLORS"] = "False"
    try:
        with warehouse_lock(where.warehouse_lock):
            done = subprocess.run(dbt_command("docs", "generate", "--quiet"), check=False)
    except WarehouseBusy as exc:
        sys.exit(f"leadflow docs: {exc}; try again when it ends")
    if done.returncode != 0:
        sys.exit(f"leadflow docs: dbt docs generate failed (exit {done.returncode})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.docs", description=__doc__)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--no-serve", action="store_true", help="only build them")
    args = parser.parse_args(argv)
    generate()
    print(f"dbt docs built in {DOCS_TARGET}", flush=True)
    if args.no_serve:
        return 0
    print(f"serving them on http://127.0.0.1:{args.port} (Ctrl-C stops)", flush=True)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.execv(dbt_command()[0], dbt_command("docs", "serve", "--host", "127.0.0.1", "--port",
                                           str(args.port), "--no-browser")[0:])
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
