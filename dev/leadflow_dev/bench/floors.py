"""Floors of the heaviest models: each model's own SQL against a plain hand-written DuckDB
query giving the same rows (``floors/<model>.sql``), timed in one connection on the
warehouse the full build just made (so both read the same upstream tables).

Per model and repetition, the two run one after the other, alternating which goes first,
each as ``CREATE TABLE`` in a scratch schema; the model side is the SQL dbt compiled for
the full build (its post-hooks, tests and dbt's own overhead are left out: the ratio is
about the query). The two results are then checked equal: same columns, same row count
and the same order-independent hash of every row (floats rounded to 6 decimals). A floor
that gives other rows is reported as such; its ratio means nothing then.

The floor queries belong to the benchmark, not to the product: they name the warehouse's
schemas (raw, seeds, staging, ...) and the project's default vars literally.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path

import duckdb

from pipelines.resources import open_duckdb

FLOOR_DIR = Path(__file__).with_name("floors")
FLOOR_TARGET = 1.5  # model time / floor time, each heavy model
SCRATCH = "bench_floor"


def floor_models() -> list[str]:
    """The models with a floor query, in the order of the files' names."""
    return sorted(p.stem for p in FLOOR_DIR.glob("*.sql"))


def _timed(con: duckdb.DuckDBPyConnection, table: str, sql: str) -> float:
    started = time.perf_counter()
    con.execute(f"CREATE OR REPLACE TABLE {SCRATCH}.{table} AS {sql}")
    return time.perf_counter() - started


def _fingerprint(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> tuple:
    """(row count, order-independent hash of the rows) over ``columns`` of a scratch table."""
    types = dict(con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ?", [SCRATCH, table]).fetchall())
    cells = [f'round("{c}", 6)' if types[c] in ("DOUBLE", "FLOAT", "REAL") else f'"{c}"'
             for c in columns]
    count, digest = con.execute(
        f"SELECT count(*), sum(hash({', '.join(cells)})::hugeint)::varchar "
        f"FROM {SCRATCH}.{table}").fetchone()
    return count, digest


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? "
        "AND table_name = ? ORDER BY ordinal_position", [SCRATCH, table]).fetchall()]


def compare_model(con: duckdb.DuckDBPyConnection, model: str, model_sql: str, repeat: int,
                  floor_sql: str | None = None) -> dict:
    """Time ``model_sql`` and its floor (``floors/<model>.sql`` unless given) ``repeat``
    times each, alternating, and check they give the same rows."""
    floor_sql = floor_sql or (FLOOR_DIR / f"{model}.sql").read_text()
    model_runs, floor_runs = [], []
    for rep in range(repeat):
        sides = [("model", model_sql), ("floor", floor_sql)]
        for side, sql in sides if rep % 2 == 0 else reversed(sides):
            (model_runs if side == "model" else floor_runs).append(
                _timed(con, f"{side}_{model}", sql))
    model_cols, floor_cols = _columns(con, f"model_{model}"), _columns(con, f"floor_{model}")
    same_columns = sorted(model_cols) == sorted(floor_cols)
    model_fp = _fingerprint(con, f"model_{model}", model_cols)
    floor_fp = _fingerprint(con, f"floor_{model}", model_cols) if same_columns else None
    con.execute(f"DROP TABLE {SCRATCH}.model_{model}")
    con.execute(f"DROP TABLE {SCRATCH}.floor_{model}")
    model_s, floor_s = statistics.median(model_runs), statistics.median(floor_runs)
    return {
        "model": model,
        "rows": model_fp[0],
        "floor_rows": floor_fp[0] if floor_fp else None,
        "same_rows": same_columns and model_fp == floor_fp,
        "columns_missing_in_floor": sorted(set(model_cols) - set(floor_cols)),
        "columns_extra_in_floor": sorted(set(floor_cols) - set(model_cols)),
        "model_seconds": model_s,
        "floor_seconds": floor_s,
        "model_runs": model_runs,
        "floor_runs": floor_runs,
        "ratio": model_s / floor_s if floor_s > 0 else None,
        "target": FLOOR_TARGET,
    }


def floors_task(db: str, statements: list[dict] | str, temp_dir: str, repeat: int) -> dict:
    """Time every model that has a floor against it on the built warehouse ``db``."""
    todo = json.loads(Path(statements).read_text()) if isinstance(statements, str) else statements
    compiled = {s["name"]: s["compiled"] for s in todo if s["kind"] == "model"}
    con = open_duckdb(Path(db), temp_dir=Path(temp_dir),
                      memory_limit=os.environ.get("LEADFLOW_DBT_MEMORY_LIMIT", "3GB"))
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCRATCH}")
        results = [compare_model(con, model, compiled[model], repeat)
                   for model in floor_models() if model in compiled]
        con.execute(f"DROP SCHEMA {SCRATCH} CASCADE")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return {"models": results}
