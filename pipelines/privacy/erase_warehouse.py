"""Erasing people from the warehouse: their rows out of every table Python writes (raw
sources, quarantine text, ml, ops, activation), dbt's tables rebuilt from what remains,
and the DuckDB file rewritten so that no deleted byte survives in a free block.

Why rebuild rather than delete from dbt's tables (docs/privacy.md): dbt's tables hold
roll-ups (funnel, ROI, KPIs, attribution), a person's share of which no DELETE by lead_id
can take back; a full-refresh build from raw is what `leadflow run --full-refresh` does,
tested, and gives exactly the warehouse a fresh build without the person would give.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from pathlib import Path

import duckdb

from pipelines.privacy import suppression
from pipelines.privacy.people import Person
from pipelines.project import LeadflowPaths

log = logging.getLogger(__name__)

# ledgers that name no person (files, drift) or only by keyed hash (suppression, erasures)
KEPT = {("raw", "_files"), ("raw", "_schema_drift"), ("raw", "_suppressed"),
        ("raw", "_erasures")}
QUARANTINE = ("raw", "_quarantine")
PERSON_COLUMNS = {"email": "email", "anonymous_id": "anonymous_id", "lead_id": "lead_id"}


def dbt_relations(manifest: Path) -> set[tuple[str, str]]:
    """(schema, name) of every relation dbt builds (models, seeds, snapshots)."""
    nodes = json.loads(manifest.read_text())["nodes"].values()
    return {(n["schema"], n.get("alias") or n["name"]) for n in nodes
            if n["resource_type"] in ("model", "seed", "snapshot")}


def base_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE NOT temporary "
        "AND database_name = current_database() ORDER BY ALL").fetchall()


def columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> dict[str, str]:
    return dict(con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = ? AND "
        "table_name = ? AND database_name = current_database()", [schema, table]).fetchall())


def load_people(con: duckdb.DuckDBPyConnection, people: list[Person]) -> None:
    """``_forget_map``: one row per thing that names a person (kind email, lead or anon)."""
    con.execute("CREATE OR REPLACE TEMP TABLE _forget_map "
                "(person_hash VARCHAR, kind VARCHAR, value VARCHAR, needle VARCHAR)")
    rows = []
    for p in people:
        rows += [[p.person_hash, "email", p.key, "@" + p.domain],
                 [p.person_hash, "lead", p.lead_id, p.lead_id]]
        rows += [[p.person_hash, "anon", a, a] for a in sorted(p.anonymous_ids)]
    con.executemany("INSERT INTO _forget_map VALUES (?, ?, ?, ?)", rows)


def _row_matches(schema: str, table: str, cols: dict[str, str]) -> list[str]:
    """SELECTs of (rowid, person_hash) of the rows of a table that are about a person."""
    q = suppression.quote_ident
    rel = f"{q(schema)}.{q(table)}"
    norm = {"email": suppression.normalised_sql, "anon": suppression.anonymous_sql,
            "lead": lambda c: c}
    selects = []
    for col, data_type in cols.items():
        if data_type != "VARCHAR":
            continue
        kind = ("email" if col == "email" or col.endswith("_email") else
                "anon" if col == "anonymous_id" else "lead" if col == "lead_id" else None)
        if kind is None:
            continue
        selects.append(
            f"SELECT t.rowid AS rid, m.person_hash FROM {rel} t JOIN _forget_map m "
            f"ON m.kind = '{kind}' AND {norm[kind]('t.' + q(col))} = m.value")
    return selects


def delete_rows(con: duckdb.DuckDBPyConnection, people: list[Person],
                built_by_dbt: set[tuple[str, str]]) -> dict[str, Counter]:
    """Delete the people's rows from every table dbt does not build (raw, ml, ops and the
    activation tables Python writes), and erase their quarantined text. Per person hash:
    table -> rows removed. One transaction."""
    removed: dict[str, Counter] = {p.person_hash: Counter() for p in people}
    load_people(con, people)
    con.begin()
    try:
        for schema, table in base_tables(con):
            if (schema, table) in KEPT or (schema, table) in built_by_dbt:
                continue
            if (schema, table) == QUARANTINE:
                _erase_quarantine(con, removed)
                continue
            selects = _row_matches(schema, table, columns(con, schema, table))
            if not selects:
                continue
            con.execute("CREATE OR REPLACE TEMP TABLE _doomed AS " + " UNION ".join(selects))
            for person_hash, n in con.execute(
                    "SELECT person_hash, count(DISTINCT rid) FROM _doomed GROUP BY 1").fetchall():
                removed[person_hash][f"{schema}.{table}"] += n
            q = suppression.quote_ident
            con.execute(f"DELETE FROM {q(schema)}.{q(table)} "
                        "WHERE rowid IN (SELECT rid FROM _doomed)")
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return removed


def text_names_person(text: str) -> str:
    """SQL: the person hashes (from _forget_map m) a free text names: an address of theirs
    in any spelling, their lead_id, or one of their visitors' ids standing alone."""
    tokens = (f"list_transform(regexp_extract_all({text}, "
              f"'{suppression.EMAIL_TOKEN.replace(chr(39), chr(39) * 2)}'), "
              f"lambda x: {suppression.normalised_sql('x')})")
    return (f"((m.kind = 'email' AND contains({text}, m.needle) "
            f"AND list_contains({tokens}, m.value)) "
            f"OR (m.kind = 'lead' AND contains({text}, m.value)) "
            f"OR (m.kind = 'anon' AND contains({text}, m.value) AND regexp_matches({text}, "
            f"'(^|[^a-z0-9_.-])' || regexp_escape(m.value) || '($|[^a-z0-9_.-])')))")


def _erase_quarantine(con: duckdb.DuckDBPyConnection, removed: dict[str, Counter]) -> None:
    """Held rows about a person keep their place (the file's counts stay right) but lose
    their text and their reason, which may quote the address: reason 'erased person'."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _doomed AS SELECT DISTINCT q.rowid AS rid, m.person_hash "
        "FROM raw._quarantine q JOIN _forget_map m ON "
        + text_names_person("lower(coalesce(q.original_text, '') || ' ' || q.reason)")
        + f" WHERE q.reason <> '{suppression.ERASED}' OR q.original_text IS NOT NULL")
    for person_hash, n in con.execute(
            "SELECT person_hash, count(*) FROM _doomed GROUP BY 1").fetchall():
        removed[person_hash]["raw._quarantine (text erased)"] += n
    con.execute(f"UPDATE raw._quarantine SET reason = '{suppression.ERASED}', "
                "original_text = NULL WHERE rowid IN (SELECT rid FROM _doomed)")


def rebuild_dbt(where: LeadflowPaths) -> str | None:
    """`dbt build --full-refresh` of the whole project on the warehouse (through the
    pipeline's dbt resource): every model recomputed from the raw rows that remain. The
    failure's first line, or None."""
    from pipelines.assets.dbt import dbt_resource
    from pipelines.dbt_target import set_dbt_environment, step_target

    set_dbt_environment(str(where.warehouse))
    quiet = [logging.getLogger(name) for name in ("dagster", "dagster.builtin")]
    levels = [logger.level for logger in quiet]
    for logger in quiet:  # the CLI's output stays short, for this build only
        logger.setLevel(logging.WARNING)
    try:
        invocation = dbt_resource().cli(
            ["build", "--full-refresh", "--exclude-resource-type", "unit_test", "--quiet"],
            raise_on_error=False, target_path=step_target(where.warehouse, "forget"))
        invocation.wait()
    finally:
        for logger, level in zip(quiet, levels, strict=True):
            logger.setLevel(level)
    if invocation.is_successful():
        return None
    error = invocation.get_error()
    text = str(error).strip().splitlines()[0] if error else "dbt build failed"
    return f"dbt rebuild failed: {text}"


def rewrite_database(path: Path) -> tuple[int, int]:
    """Copy the warehouse into a fresh file (schemas, tables with their comments, views,
    macros, constraints: DuckDB's COPY FROM DATABASE) and swap it in, so the free blocks
    of the old file, which may hold deleted rows, are gone. (bytes before, bytes after)"""
    fresh = path.with_name(path.name + ".rewrite")
    for leftover in (fresh, fresh.with_name(fresh.name + ".wal")):
        leftover.unlink(missing_ok=True)
    con = duckdb.connect(config={"autoinstall_known_extensions": "false"})
    try:
        con.execute(f"SET temp_directory = '{(path.parent / 'tmp').as_posix()}'")
        con.execute(f"ATTACH '{path.as_posix()}' AS old_wh")
        con.execute("CHECKPOINT old_wh")
        con.execute("DETACH old_wh")
        con.execute(f"ATTACH '{path.as_posix()}' AS old_wh (READ_ONLY)")
        con.execute(f"ATTACH '{fresh.as_posix()}' AS new_wh")
        con.execute("COPY FROM DATABASE old_wh TO new_wh")
        con.execute("DETACH new_wh")
        con.execute("DETACH old_wh")
    finally:
        con.close()
    before = path.stat().st_size
    os.replace(fresh, path)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)
    return before, path.stat().st_size
