"""Child-process tasks of the dbt benchmark (see dbt_phase.py for what is measured):
holding back the last day, releasing it, and running dbt's compiled SQL without dbt."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import duckdb

from leadflow_dev.bench.ingest import measure_ingest
from pipelines.resources import open_duckdb
from pipelines.sources import SOURCES

SOURCE_OF_TABLE = {src.table: src.name for src in SOURCES.values()}

# when a row of each raw table happened: the held-back "day" is the last calendar day
EVENT_TIME = {
    "forms": "submitted_at",
    "web_events": "occurred_at",
    "email_events": "occurred_at",
    "crm_deals": "coalesce(updated_at, created_at)",
    "crm_activities": "occurred_at",
    "spend": "spend_date",
}


# ------------------------------------------------------------------ preparation (child)

def hold_back_last_day(con: duckdb.DuckDBPyConnection) -> dict:
    """Move the last day's rows of every raw table into ``bench_day``; return the counts."""
    cutoff = con.execute(
        "SELECT date_trunc('day', max(occurred_at)) FROM raw.web_events").fetchone()[0]
    con.execute("CREATE SCHEMA bench_day")
    held = {}
    for table, when in EVENT_TIME.items():
        con.execute(f"CREATE TABLE bench_day.{table} AS "
                    f"SELECT * FROM raw.{table} WHERE {when} >= ?", [cutoff])
        con.execute(f"DELETE FROM raw.{table} WHERE {when} >= ?", [cutoff])
        held[table] = con.execute(f"SELECT count(*) FROM bench_day.{table}").fetchone()[0]
    con.execute("CHECKPOINT")
    return {"cutoff": cutoff.isoformat(), "rows_held_back": held}


def prepare_task(inbox: str, db: str, temp_dir: str) -> dict:
    measure_ingest(Path(inbox), Path(db), Path(temp_dir))
    con = open_duckdb(Path(db))
    try:
        return hold_back_last_day(con)
    finally:
        con.close()


def release_day_task(db: str) -> dict:
    """Insert the held-back day into ``raw`` as one new file per source (new file ids)."""
    con = open_duckdb(Path(db))
    try:
        con.execute("BEGIN")
        next_id = con.execute("SELECT coalesce(max(file_id), 0) FROM raw._files").fetchone()[0]
        released = {}
        for table in EVENT_TIME:
            next_id += 1
            source = SOURCE_OF_TABLE[table]
            rows = con.execute(f"SELECT count(*) FROM bench_day.{table}").fetchone()[0]
            con.execute(
                "INSERT INTO raw._files (file_id, source, path, sha256, size_bytes, "
                "modified_at, format, compression, rows_read, rows_loaded, rows_quarantined, "
                "status, loaded_at) VALUES (?, ?, ?, ?, 0, now(), 'bench', 'none', ?, ?, 0, "
                "'loaded', now())",
                [next_id, source, f"{source}/bench_day.{table}", f"bench-day-{table}", rows,
                 rows])
            con.execute(f"INSERT INTO raw.{table} BY NAME SELECT * REPLACE "
                        f"(CAST(? AS BIGINT) AS _file_id, now() AS _loaded_at) "
                        f"FROM bench_day.{table}", [next_id])
            released[table] = rows
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return {"rows_released": released}


def direct_task(db: str, statements: str, temp_dir: str) -> dict:
    """Run the statements on ``db`` in one connection; the time of the statements only."""
    todo = json.loads(Path(statements).read_text())
    # the settings of dbt's profile (profiles.yml): UTC and the same memory limit
    con = open_duckdb(Path(db), temp_dir=Path(temp_dir),
                      memory_limit=os.environ.get("LEADFLOW_DBT_MEMORY_LIMIT", "3GB"))
    try:
        started = time.perf_counter()
        for schema in sorted({s["schema"] for s in todo if s["kind"] == "model"}):
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        for statement in todo:
            con.execute(statement["sql"]).fetchall()
        con.execute("CHECKPOINT")
        seconds = time.perf_counter() - started
    finally:
        con.close()
    return {"seconds": seconds, "models": sum(s["kind"] == "model" for s in todo),
            "tests": sum(s["kind"] == "test" for s in todo)}
