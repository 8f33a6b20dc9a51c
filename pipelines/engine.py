"""Which engine builds the warehouse: DuckDB (the default) or Spark (docs/scale-out.md).

One switch, the environment variable ``LEADFLOW_ENGINE`` (``leadflow run --engine spark``
sets it): dbt's profile picks its target by it (dbt_project/profiles.yml), and the daily
job's Python steps read and write the warehouse that target builds."""

from __future__ import annotations

import os

VARIABLE = "LEADFLOW_ENGINE"
ENGINES = ("duckdb", "spark")


class EngineError(ValueError):
    """LEADFLOW_ENGINE names no engine."""


def current_engine() -> str:
    value = os.environ.get(VARIABLE, "duckdb").strip().lower() or "duckdb"
    if value not in ENGINES:
        raise EngineError(f"{VARIABLE}={os.environ[VARIABLE]!r} names no engine: "
                          f"use {' or '.join(ENGINES)}")
    return value


def on_spark() -> bool:
    return current_engine() == "spark"


def use_engine(name: str) -> str:
    """Set the engine for this process and the processes it starts (dbt)."""
    os.environ[VARIABLE] = name
    return current_engine()
