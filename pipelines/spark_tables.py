"""Tables handed to Spark as Parquet directories: written by DuckDB, replaced whole and
atomically, registered in Spark's catalog as external tables. The raw tables
(pipelines/spark_raw.py) and the Python steps' state (pipelines/spark_warehouse.py) go to
Spark this way."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb


def write_parquet_dir(con: duckdb.DuckDBPyConnection, query: str, final: Path) -> int:
    """The rows of ``query`` as the one-file Parquet directory ``final``, replaced whole and
    atomically (written beside, then renamed into place); the rows written."""
    fresh, old = final.with_name(f".{final.name}.new"), final.with_name(f".{final.name}.old")
    final.parent.mkdir(parents=True, exist_ok=True)
    for stale in (fresh, old):
        shutil.rmtree(stale, ignore_errors=True)
    fresh.mkdir()
    rows = con.execute(
        f"copy ({query}) to '{fresh / 'part-0.parquet'}' (format parquet, compression zstd)"
    ).fetchone()[0]  # COPY answers with the rows it wrote
    if final.exists():
        final.rename(old)
    fresh.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    return rows


def register_parquet_table(spark, schema: str, table: str, directory: Path) -> None:
    """``schema.table`` in Spark's catalog as an external Parquet table over ``directory``,
    dropped and created again: its columns follow the file's, no cached listing remains."""
    spark.sql(f"create database if not exists `{schema}`")
    spark.sql(f"drop table if exists `{schema}`.`{table}`")
    spark.sql(f"create table `{schema}`.`{table}` using parquet location '{directory}'")
