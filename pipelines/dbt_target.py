"""Where dbt keeps its files when it works on a warehouse: one folder per warehouse and
step, beside the warehouse (``data/warehouse.dbt/<step>/`` for ``data/warehouse.duckdb``),
kept from one run to the next.

dbt parses the whole project (about 20 s) unless its target folder holds the parse it saved
the last time (``partial_parse.msgpack``) for the same profile, and the profile names the
warehouse's path: a parse saved for one warehouse is of no use to another. In a folder of
its own, each of the daily run's dbt steps (and `leadflow forget`, `leadflow unload`) finds
its last parse and re-reads only the files that changed; a new step starts from the
newest parse of its warehouse's other steps. One folder per step, not per run: dbt's
compiled SQL, results and log of the step's last invocation, no folder piling up per run.
Only one process writes a warehouse at a time (the writer lock), so a step's folder has
one dbt at a time."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

PARSE = "partial_parse.msgpack"


def warehouse_dbt_dir(warehouse: str | Path) -> Path:
    """The folder of dbt's files about ``warehouse``: its path with ``.dbt`` for suffix."""
    return Path(warehouse).resolve().with_suffix(".dbt")


def step_target(warehouse: str | Path, step: str) -> Path:
    """dbt's target folder for ``step`` on ``warehouse``, holding a saved parse when the
    warehouse has one."""
    return with_saved_parse(warehouse_dbt_dir(warehouse) / step, warehouse)


def with_saved_parse(target: Path, warehouse: str | Path) -> Path:
    """``target``, given the newest parse saved for ``warehouse`` when it holds none. dbt
    checks the parse against the project and the profile itself (and parses everything
    again when they changed), so a stale copy costs nothing but the full parse."""
    target.mkdir(parents=True, exist_ok=True)
    if (target / PARSE).exists():
        return target
    saved = [p for p in warehouse_dbt_dir(warehouse).glob(f"*/{PARSE}") if p.parent != target]
    if saved:
        newest = max(saved, key=lambda p: p.stat().st_mtime)
        partial = target / f".{PARSE}.copy"
        shutil.copyfile(newest, partial)
        os.replace(partial, target / PARSE)  # never half a file where dbt reads
    return target
