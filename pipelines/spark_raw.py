"""Raw data for the Spark engine: every ``raw.*`` table of the DuckDB warehouse written as
Parquet under ``<LEADFLOW_SPARK_DIR>/raw/<table>/``, registered in Spark's catalog as the
external table ``raw.<table>``.

Ingestion stays one contract: files are read, checked, quarantined and accounted for once,
into DuckDB (pipelines/ingest), and Spark reads exactly the rows DuckDB accepted, with the
same ``_file_id`` and ``_row_number``. A table is replaced whole and atomically (written
beside, then renamed into place), so Spark never reads half a table.

    python -m pipelines.spark_raw      # after ingestion, before `dbt build --target spark`
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from pipelines.project import LeadflowPaths
from pipelines.resources import open_duckdb


def raw_dir(where: Path) -> Path:
    return where / "raw"


def export_raw_tables(con: duckdb.DuckDBPyConnection, where: Path) -> dict[str, int]:
    """Write each raw table as one Parquet directory; the row count of each."""
    tables = [t for (t,) in con.execute(
        "select table_name from information_schema.tables "
        "where table_schema = 'raw' and table_catalog = current_database() order by 1"
    ).fetchall()]
    out = raw_dir(where)
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for table in tables:
        final, fresh, old = out / table, out / f".{table}.new", out / f".{table}.old"
        for stale in (fresh, old):
            shutil.rmtree(stale, ignore_errors=True)
        fresh.mkdir()
        counts[table] = con.execute(
            f"copy (select * from raw.\"{table}\") to '{fresh / 'part-0.parquet'}' "
            "(format parquet, compression zstd)"
        ).fetchone()[0]  # COPY answers with the rows it wrote
        if final.exists():
            final.rename(old)
        fresh.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    return counts


def register_raw_tables(spark, where: Path, tables) -> None:
    """Make each exported table ``raw.<table>`` in Spark's catalog: an external Parquet
    table over its directory, dropped and created again so that its columns follow the
    file's (schema drift adds columns) and no cached listing of replaced files remains."""
    spark.sql("create database if not exists raw")
    for table in tables:
        spark.sql(f"drop table if exists raw.`{table}`")
        spark.sql(f"create table raw.`{table}` using parquet location '{raw_dir(where) / table}'")


def export_to_spark(con: duckdb.DuckDBPyConnection, spark, where: Path) -> dict[str, int]:
    """Export the raw tables and register them in the running Spark session."""
    counts = export_raw_tables(con, where)
    register_raw_tables(spark, where, counts)
    return counts


def main() -> None:
    from pipelines.spark_session import spark_dir, spark_session

    paths, where = LeadflowPaths.from_env(), spark_dir()
    con = open_duckdb(paths.warehouse, read_only=True)
    try:
        spark = spark_session(where)
        counts = export_to_spark(con, spark, where)
        spark.stop()
    finally:
        con.close()
    for table, rows in counts.items():
        print(f"raw.{table}: {rows} rows")


if __name__ == "__main__":
    main()
