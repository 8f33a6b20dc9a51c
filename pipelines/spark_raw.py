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

from pathlib import Path

import duckdb

from pipelines.project import LeadflowPaths
from pipelines.resources import open_duckdb
from pipelines.spark_tables import register_parquet_table, write_parquet_dir


def raw_dir(where: Path) -> Path:
    return where / "raw"


def export_raw_tables(con: duckdb.DuckDBPyConnection, where: Path) -> dict[str, int]:
    """Write each raw table as one Parquet directory; the row count of each."""
    tables = [t for (t,) in con.execute(
        "select table_name from information_schema.tables "
        "where table_schema = 'raw' and table_catalog = current_database() order by 1"
    ).fetchall()]
    return {table: write_parquet_dir(con, f'select * from raw."{table}"', raw_dir(where) / table)
            for table in tables}


def register_raw_tables(spark, where: Path, tables) -> None:
    """Make each exported table ``raw.<table>`` in Spark's catalog: an external Parquet
    table over its directory, dropped and created again so that its columns follow the
    file's (schema drift adds columns) and no cached listing of replaced files remains."""
    for table in tables:
        register_parquet_table(spark, "raw", table, raw_dir(where) / table)


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
