"""`leadflow forget` over the warehouse: a person in every source, with an anonymous web
history, ml and ops rows, is gone from every table; the result equals a fresh build
without them; the file is rewritten; a re-dropped file loads nothing about them."""

from __future__ import annotations

import subprocess
import sys
import time

from models_ml.runs import ensure_tables as ensure_ml_tables
from pipelines.activation.warehouse import ensure_tables as ensure_ops_tables
from pipelines.cli import main
from pipelines.resources import open_duckdb
from tests.dbt.workspace import FIXTURE, dbt, ingest
from tests.privacy.person import (
    BUILD,
    OTHER,
    load_all,
    malformed_line,
    score,
    traces_in_tables,
    write_person_files,
)


def _fresh_without_person(tmp_path):
    warehouse, inbox = tmp_path / "fresh" / "warehouse.duckdb", tmp_path / "fresh" / "inbox"
    ingest(warehouse, FIXTURE / "day1", inbox)
    write_person_files(inbox, with_person=False)
    load_all(warehouse, inbox)
    con = open_duckdb(warehouse)
    try:
        ensure_ml_tables(con)
        ensure_ops_tables(con)
        score(con, OTHER)
        con.execute("INSERT INTO ops.lead_assignments (lead_id, team, owner, assigned_at, "
                    "is_open) VALUES (?, 'emea', 'ana.silva', TIMESTAMPTZ "
                    "'2026-03-10 09:00:00+00', true)", [OTHER])
        con.execute("INSERT INTO ops.lead_assignment_events (lead_id, action, team, owner) "
                    "VALUES (?, 'assigned', 'emea', 'ana.silva')", [OTHER])
    finally:
        con.close()
    dbt(tmp_path / "fresh", warehouse, *BUILD)
    return warehouse


# count the rows quarantine holds: the erased person's stay held (text-less), a fresh
# build never saw them
COUNTS_HELD_ROWS = {("marts", "rpt_quarantine_reasons"), ("marts", "rpt_ingestion_sources")}
# columns that say when or from where a row was loaded or built, not what it holds: load
# times, a row's position in its file (the person's rows were before it), the build log's
# last file id (the erased warehouse holds one more file, all of it held in quarantine)
VOLATILE = ("_loaded_at", "built_at", "_row_number", "through_file_id")


def _dbt_tables(con) -> list[tuple[str, str]]:
    return con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name IN "
        "('staging', 'intermediate', 'marts', 'activation', 'state') "
        "AND database_name = current_database() ORDER BY ALL").fetchall()


def _differences(erased, fresh) -> list[str]:
    con = open_duckdb(erased, read_only=True)
    try:
        con.execute(f"ATTACH '{fresh}' AS fresh (READ_ONLY)")
        diffs = []
        for schema, table in _dbt_tables(con):
            cols = [c for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND "
                "table_name = ? AND database_name = current_database()", [schema, table]
            ).fetchall() if not any(c == v or c.endswith(v) for v in VOLATILE)]
            sel = ", ".join(f'"{c}"' for c in cols)
            a = f'SELECT {sel} FROM "{schema}"."{table}"'
            b = f'SELECT {sel} FROM fresh."{schema}"."{table}"'
            extra = con.execute(f"SELECT count(*) FROM ({a} EXCEPT ALL {b})").fetchone()[0]
            missing = con.execute(f"SELECT count(*) FROM ({b} EXCEPT ALL {a})").fetchone()[0]
            if (extra or missing) and (schema, table) not in COUNTS_HELD_ROWS:
                diffs.append(f"{schema}.{table}: {extra} extra, {missing} missing")
        return diffs
    finally:
        con.close()


def test_forget_erases_everywhere_and_equals_a_fresh_build(with_person, tmp_path, capsys):
    where = with_person
    con = open_duckdb(where.warehouse, read_only=True)
    before = traces_in_tables(con)
    con.close()
    assert any(t.startswith("marts.dim_leads") for t in before)
    assert any(t.startswith("raw.web_events.anonymous_id") for t in before)
    assert any(t.startswith("raw._quarantine") for t in before)

    assert main(["forget", "zed.quixote+anything@ERASABLE.io", "--reason", "test"]) == 0
    out = capsys.readouterr().out
    assert "complete: yes" in out and "raw.web_events 3" in out and "ml.lead_scores 1" in out
    assert "quixote" not in out.lower()

    con = open_duckdb(where.warehouse, read_only=True)
    try:
        assert traces_in_tables(con) == []
        assert con.execute("SELECT count(*) FROM raw.forms WHERE submission_id = 'zq-f2'"
                           ).fetchone()[0] == 1  # the other person in the same file stays
        assert con.execute("SELECT count(*) FROM ml.lead_scores").fetchone()[0] == 1
        assert con.execute("SELECT count(*) FROM raw._suppressed").fetchone()[0] == 2
        held = con.execute("SELECT reason, original_text FROM raw._quarantine "
                           "WHERE path LIKE 'forms/zq_%'").fetchall()
        assert held and all(r == ("erased person", None) for r in held)
        # incremental staging's rules (table comments) survive the rewrite of the file
        assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE comment IS NOT NULL"
                           ).fetchone()[0] == _comments(where.warehouse)
    finally:
        con.close()
    assert not where.warehouse.with_name("warehouse.duckdb.rewrite").exists()
    diffs = _differences(where.warehouse, _fresh_without_person(tmp_path))
    assert diffs == [], "\n".join(diffs)


def _comments(warehouse) -> int:
    """Table comments of the warehouse as a fresh dbt build leaves them."""
    con = open_duckdb(warehouse, read_only=True)
    try:
        return con.execute("SELECT count(*) FROM duckdb_tables() WHERE comment IS NOT NULL"
                           ).fetchone()[0]
    finally:
        con.close()


def test_forget_twice_is_harmless_and_redrop_loads_nothing(with_person, capsys):
    where = with_person
    assert main(["forget", "Zed.Quixote@Erasable.io"]) == 0
    capsys.readouterr()
    assert main(["forget", "Zed.Quixote@Erasable.io"]) == 0
    assert "rows removed: none" in capsys.readouterr().out
    assert main(["forget", "--list"]) == 0
    listed = capsys.readouterr().out
    assert listed.count(" yes ") == 2 and "quixote" not in listed.lower()

    write_person_files(where.inbox, tag="again")
    malformed_line(where.inbox, tag="again")
    load_all(where.warehouse, where.inbox)
    con = open_duckdb(where.warehouse, read_only=True)
    try:
        assert traces_in_tables(con) == [], con.execute(
            "SELECT path, row_number, reason, original_text FROM raw._quarantine "
            "WHERE original_text ILIKE '%quixote%' OR original_text ILIKE '%anon-zq%'"
        ).fetchall()
        held = con.execute("SELECT reason, original_text FROM raw._quarantine "
                           "WHERE path LIKE '%again_%'").fetchall()
        # every row of theirs held as an erased person's, without text; the file holding
        # only a malformed line naming them is held whole, its first line not kept
        assert sorted(held, key=str) == [("erased person", None)] * 9 + [
            ("no JSON object with keys in the file", None)]
        assert con.execute("SELECT count(*) FROM raw.forms WHERE submission_id = 'again-f2'"
                           ).fetchone()[0] == 1
    finally:
        con.close()


def test_bad_address_is_one_line(lf_paths, capsys):
    open_duckdb(lf_paths.warehouse).close()
    assert main(["forget", "ok@example.com", "not-an-address"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "not an e-mail address" in err


def test_busy_warehouse_is_one_line(lf_paths, capsys):
    open_duckdb(lf_paths.warehouse).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, sys, time\n"
         f"f = open({str(lf_paths.warehouse_lock)!r}, 'a+'); fcntl.flock(f, fcntl.LOCK_EX)\n"
         "print('held', flush=True); time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        assert main(["forget", "ok@example.com"]) == 2
        assert time.monotonic() - started < 10
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and "writing the warehouse" in err and "--wait" in err
    finally:
        holder.kill()
        holder.wait()
    # the lock is free again: forget now runs
    assert main(["forget", "ok@example.com"]) == 0
