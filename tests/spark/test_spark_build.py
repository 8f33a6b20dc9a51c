"""The same warehouse on both engines (issue 19): the hand-made fixture (data/sample/dbt) is
ingested once, into DuckDB, and its raw tables exported to Spark (pipelines/spark_raw.py);
the dbt project is built on each engine, first from scratch with day 1, then the daily
incremental build after day 2's files. After each, every table and view of the staging,
intermediate, marts and activation schemas holds the same rows on both: the same columns,
and the same multiset of rows (timestamps compared as microseconds since the epoch,
floating-point values rounded to 6 places; row order is not compared)."""

from __future__ import annotations

import math
import time
from collections import Counter
from pathlib import Path

import pytest
from dbt.cli.main import dbtRunner

from pipelines.resources import open_duckdb
from pipelines.spark_raw import export_to_spark
from tests.dbt.workspace import DBT_DIR, FIXTURE, dbt, ingest
from tests.spark.catalog import empty_catalog
from tests.spark.timings import TIMINGS

pytestmark = pytest.mark.spark

SCHEMAS = ("staging", "intermediate", "marts", "activation")
UNIT_TESTS_OUT = ("--exclude-resource-type", "unit_test")


def spark_build(work: Path, *args: str) -> None:
    """One in-process dbt invocation on the spark target (the suite's Spark session)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEADFLOW_ENGINE", "spark")
        result = dbtRunner().invoke([
            *args, "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
            "--target-path", str(work / "target-spark"), "--log-path", str(work / "logs-spark"),
            "--no-use-colors",
        ])
    if not result.success:
        failed = [f"{r.node.name}: {r.status} {r.message}" for r in (result.result or [])
                  if str(r.status) in ("error", "fail")]
        pytest.fail(f"dbt {' '.join(args)} on Spark failed: {result.exception or failed}")


def _plain(value):
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 6)
    if isinstance(value, dict):
        return tuple(sorted((k, _plain(v)) for k, v in value.items()))
    if hasattr(value, "asDict"):
        return _plain(value.asDict())
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v) for v in value)
    return value


def duckdb_tables(con) -> dict[str, list[tuple[str, str]]]:
    """{schema.table: [(column, type)]} of the compared schemas."""
    found: dict[str, list[tuple[str, str]]] = {}
    for schema, table, column, data_type in con.execute(
        "select table_schema, table_name, column_name, data_type from information_schema.columns "
        f"where table_schema in {SCHEMAS} order by table_schema, table_name, ordinal_position"
    ).fetchall():
        found.setdefault(f"{schema}.{table}", []).append((column, data_type.lower()))
    return found


def duckdb_rows(con, name: str, columns: list[tuple[str, str]]) -> Counter:
    select = []
    for column, data_type in columns:
        if data_type.startswith("timestamp"):
            select.append(f'epoch_us("{column}")')
        elif data_type in ("double", "float", "real") or data_type.startswith("decimal"):
            select.append(f'cast("{column}" as double)')
        else:
            select.append(f'"{column}"')
    rows = con.execute(f"select {', '.join(select)} from {name}").fetchall()
    return Counter(_plain(tuple(row)) for row in rows)


def spark_tables(spark) -> set[str]:
    found = set()
    for schema in SCHEMAS:
        if not spark.catalog.databaseExists(schema):
            continue
        for table in spark.catalog.listTables(schema):
            if not table.isTemporary:
                found.add(f"{schema}.{table.name}")
    return found


def spark_rows(spark, name: str) -> Counter:
    frame = spark.table(name)
    select = []
    for field in frame.schema.fields:
        kind = field.dataType.typeName()
        if kind in ("timestamp", "timestamp_ntz"):
            select.append(f"unix_micros(`{field.name}`)")
        elif kind in ("double", "float", "decimal"):
            select.append(f"cast(`{field.name}` as double)")
        else:
            select.append(f"`{field.name}`")
    rows = spark.sql(f"select {', '.join(select)} from {name}").collect()
    return Counter(_plain(tuple(row)) for row in rows)


def differences(con, spark) -> tuple[list[str], int]:
    """What differs between the two warehouses, one line per table (empty when none), and
    how many rows were compared."""
    duck = duckdb_tables(con)
    on_spark = spark_tables(spark)
    problems = [f"{name}: only on DuckDB" for name in sorted(set(duck) - on_spark)]
    problems += [f"{name}: only on Spark" for name in sorted(on_spark - set(duck))]
    compared = 0
    for name in sorted(set(duck) & on_spark):
        expected = duckdb_rows(con, name, duck[name])
        compared += sum(expected.values())
        columns = [c for c, _ in duck[name]]
        spark_columns = [f.name for f in spark.table(name).schema.fields]
        if columns != spark_columns:
            problems.append(f"{name}: columns {columns} on DuckDB, {spark_columns} on Spark")
            continue
        got = spark_rows(spark, name)
        if got != expected:
            missing, extra = expected - got, got - expected
            sample = next(iter(missing or extra))
            problems.append(
                f"{name}: {sum(expected.values())} rows on DuckDB, {sum(got.values())} on "
                f"Spark; {sum(missing.values())} only on DuckDB, {sum(extra.values())} only "
                f"on Spark, e.g. {dict(zip(columns, sample, strict=False))}"
            )
    return problems, compared


@pytest.fixture(scope="module")
def both_engines(tmp_path_factory, spark, spark_dir):
    """Build day 1 on both engines, yield, then day 2 incrementally: a generator of the
    states to compare, each with the DuckDB file the Spark warehouse must equal."""
    empty_catalog(spark)
    work = tmp_path_factory.mktemp("engines")
    warehouse, inbox = work / "warehouse.duckdb", work / "inbox"

    def build_day(day: str) -> Path:
        ingest(warehouse, FIXTURE / day, inbox)
        started = time.perf_counter()
        dbt(work, warehouse, "build")
        TIMINGS[f"{day}: dbt build on DuckDB"] = time.perf_counter() - started
        con = open_duckdb(warehouse, read_only=True)
        try:
            started = time.perf_counter()
            export_to_spark(con, spark, spark_dir)
            TIMINGS[f"{day}: raw tables to Spark"] = time.perf_counter() - started
        finally:
            con.close()
        started = time.perf_counter()
        # the unit tests check the models' SQL, not the day's data: run on day 1 only
        spark_build(work, "build", *([] if day == "day1" else UNIT_TESTS_OUT))
        TIMINGS[f"{day}: dbt build on Spark"] = time.perf_counter() - started
        return warehouse

    return build_day


def _assert_same(warehouse: Path, spark) -> None:
    con = open_duckdb(warehouse, read_only=True)
    try:
        tables = duckdb_tables(con)
        problems, compared = differences(con, spark)
    finally:
        con.close()
    marts = [name for name in tables if name.startswith(("marts.", "activation."))]
    assert len(marts) >= 30 and compared > 1000, f"too little compared: {len(tables)} tables"
    assert not problems, "Spark and DuckDB differ:\n" + "\n".join(problems)


def test_first_build_equals_duckdb(both_engines, spark):
    _assert_same(both_engines("day1"), spark)


def test_daily_incremental_build_equals_duckdb(both_engines, spark):
    # runs after the first build (module order): day 2's files, an incremental build
    _assert_same(both_engines("day2"), spark)
