"""The Spark warehouse as the daily job's Python steps see it (issue 19, docs/scale-out.md).

On the Spark engine, dbt builds the warehouse on Spark and the Python steps (training,
drift, routing, segments, the report, the Great Expectations suites) read what it built.
They read it through a *working copy*: an in-memory DuckDB connection whose schemas hold
a view over every table of Spark's catalog, reading that table's Parquet files where Spark
keeps them (nothing is copied: a view reads the files it lists, those of the moment the
copy is made, when queried). The steps' SQL is then the same on both engines. What Spark
writes while a step runs (the day's scores) is read back through Spark, not the copy.

What a step owns (its state: ops.lead_assignments, ml.model_runs, activation.segment_members
...) is loaded into real tables of the copy (with the step's own DDL, keys included), and
written back when the step succeeds: each table as a Parquet directory under
``<LEADFLOW_SPARK_DIR>/state/<schema>/<table>``, replaced atomically and registered as the
external table ``<schema>.<table>``, which the dbt models after it read as sources. A step
that fails writes nothing back: what Spark holds stays as it was. dbt's views on Spark are
not in the copy (no step reads one).

Only imported where the ``spark`` dependency group is installed."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from pipelines.activation.warehouse import table_exists
from pipelines.spark_tables import register_parquet_table, write_parquet_dir

# the Spark types DuckDB cannot hand to Spark as they are, written as text
AS_TEXT = ("JSON", "UUID")


def state_dir(where: Path) -> Path:
    return where / "state"


def _local(location: str) -> str:
    return location.removeprefix("file://").removeprefix("file:")


def catalog_tables(spark) -> dict[str, str | None]:
    """``{schema.table: location}`` of every table in Spark's catalog; ``None`` for a view
    (no files of its own). One ``SHOW TABLE EXTENDED`` per database (a ``DESCRIBE`` per
    table takes ten times as long)."""
    found: dict[str, str | None] = {}
    for (database,) in spark.sql("show databases").collect():
        for row in spark.sql(f"show table extended in `{database}` like '*'").collect():
            if row.isTemporary:
                continue
            info = dict(line.split(": ", 1) for line in row.information.splitlines()
                        if ": " in line)
            location = info.get("Location") if info.get("Type") != "VIEW" else None
            found[f"{database}.{row.tableName}"] = _local(location) if location else None
    return found


def _parquet_scan(location: str) -> str | None:
    files = sorted(Path(location).rglob("*.parquet")) if Path(location).is_dir() else []
    files = [f for f in files if not any(p.startswith((".", "_")) for p in
                                         f.relative_to(location).parts)]
    if not files:
        return None
    listed = ", ".join(f"'{f.as_posix()}'" for f in files)
    partitioned = any("=" in p for f in files for p in f.relative_to(location).parts[:-1])
    return (f"read_parquet([{listed}], hive_partitioning = {str(partitioned).lower()}, "
            "union_by_name = true)")


def _spark_rows(con: duckdb.DuckDBPyConnection, spark, name: str, as_name: str) -> None:
    """``as_name`` in the copy: a table holding the Spark relation ``name``'s rows, read
    through Spark (a view, or a table without files yet)."""
    arrow = spark.table(name).toArrow()
    con.register("spark_rows", arrow)
    try:
        con.execute(f"create or replace table {as_name} as select * from spark_rows")
    finally:
        con.unregister("spark_rows")


def _quoted(name: str) -> str:
    return ".".join(f'"{part}"' for part in name.split("."))


def _expose(con: duckdb.DuckDBPyConnection, spark, name: str, location: str) -> None:
    """A view over a Spark table's files; a table without files yet (empty) copied."""
    schema = name.split(".")[0]
    con.execute(f'create schema if not exists "{schema}"')
    con.execute(f"drop table if exists {_quoted(name)}")
    scan = _parquet_scan(location)
    if scan is None:
        _spark_rows(con, spark, name, _quoted(name))
    else:
        con.execute(f"create or replace view {_quoted(name)} as select * from {scan}")


def _load_owned(con: duckdb.DuckDBPyConnection, spark, name: str, location: str | None
                ) -> None:
    """The rows Spark holds for an owned table, into the copy's own table (the step's DDL
    made it, keys and all) or, without DDL, into a table like Spark's."""
    schema, table = name.split(".")
    exists = table_exists(con, schema, table)
    con.execute(f'create schema if not exists "{schema}"')
    scan = _parquet_scan(location) if location else None
    if not exists:
        if scan is None:
            _spark_rows(con, spark, name, _quoted(name))
        else:
            con.execute(f"create table {_quoted(name)} as select * from {scan}")
    elif scan is not None:
        con.execute(f"insert into {_quoted(name)} by name select * from {scan}")


def write_back(con: duckdb.DuckDBPyConnection, spark, where: Path, tables: Iterable[str]
               ) -> dict[str, int]:
    """Each owned table of the copy to Spark: an atomically replaced Parquet directory
    under ``state/``, registered as the external table of that name; rows per table."""
    written = {}
    for name in tables:
        schema, table = name.split(".")
        columns = con.execute(
            "select column_name, data_type from information_schema.columns where "
            "table_schema = ? and table_name = ? order by ordinal_position",
            [schema, table]).fetchall()
        if not columns:
            continue  # the step made no such table: Spark keeps what it has
        select = ", ".join(f'cast("{c}" as varchar) as "{c}"' if t.upper() in AS_TEXT
                           else f'"{c}"' for c, t in columns)
        directory = state_dir(where) / schema / table
        written[name] = write_parquet_dir(con, f"select {select} from {_quoted(name)}",
                                          directory)
        register_parquet_table(spark, schema, table, directory)
    return written


@contextmanager
def working_copy(*, owns: Iterable[str] = (),
                 prepare: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
                 ) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection over the Spark warehouse (module doc). ``owns``: the tables
    (``schema.table``) the step writes, loaded as real tables and written back to Spark
    when the block ends without an exception; ``prepare``: the step's DDL, run first."""
    from pipelines.spark_session import spark_dir, spark_session

    owned = tuple(owns)
    where = spark_dir()
    spark = spark_session(where)
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": "false"})
    try:
        con.execute("SET TimeZone = 'UTC'")
        if prepare is not None:
            prepare(con)
        tables = catalog_tables(spark)
        for name, location in tables.items():
            if name in owned:
                _load_owned(con, spark, name, location)
            elif location is not None and name.split(".")[0] != "default":
                # dbt's views on Spark (over the ml and ops sources, two lead-level
                # views) are read by no Python step, and would be computed to be copied
                _expose(con, spark, name, location)
        yield con
        write_back(con, spark, where, owned)
    finally:
        con.close()
