"""The lead refresh (dbt_project/macros/lead_refresh.sql) on the hand-made fixture
(data/sample/dbt): each build refreshes the leads its files touched, logs the web visitors
it stitched, and a change of rules refreshes every lead. Day 3 touches Erin alone: her
rows are recomputed, the others' kept, and the warehouse still equals a full rebuild."""

from __future__ import annotations

import hashlib
import re
import shutil

import duckdb
import pytest

from tests.dbt.workspace import DBT_DIR, FIXTURE, LAYERS, dbt, ingest, rows


def lead(email: str) -> str:
    return hashlib.md5(email.encode()).hexdigest()


@pytest.fixture(scope="module")
def con(warehouses):
    connection = duckdb.connect(str(warehouses["incremental"]), read_only=True)
    yield connection
    connection.close()


def test_the_rules_fingerprint_names_every_seed():
    macro = (DBT_DIR / "macros" / "lead_refresh.sql").read_text()
    listed = re.search(r"set seeds = \[(.*?)\]", macro, re.S).group(1)
    assert sorted(re.findall(r"'(\w+)'", listed)) == sorted(
        path.stem for path in (DBT_DIR / "seeds").glob("*.csv"))


def test_day_two_refreshes_the_leads_it_touched(con):
    batches = rows(con, "SELECT batch_number, previous_through_file_id, through_file_id, "
                        "is_full_refresh, is_complete FROM state.state_build_batches ORDER BY 1")
    assert [(b[0], b[3], b[4]) for b in batches] == [(1, True, True), (2, False, True)]
    assert batches[1][1] == batches[0][2] < batches[1][2]
    refreshed = {r[0] for r in rows(con, "SELECT lead_id FROM state.state_lead_changes")}
    # day 2: Ann's late desktop event, her phone and deal, Bob's second form, click and
    # unsubscribe, Dora's delivery, Erin's newsletter events
    assert refreshed == {lead("ann.lee@acme.com"), lead("bob@gmail.com"),
                         lead("dora@northwind.de"), lead("erin@outlook.com")}


def test_a_visitor_stitched_on_day_two_is_logged(con):
    moved = rows(con, "SELECT anonymous_id, lead_id, previous_lead_id "
                      "FROM state.state_visitor_leads WHERE batch_number = 2")
    assert (("e1-bob-phone", lead("bob@gmail.com"), None) in moved)


def test_new_rules_refresh_every_lead_until_a_build_completes(warehouses, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouses["incremental"], warehouse)
    state = ["run", "--select", "state_build_batches", "state_visitor_leads",
             "state_lead_changes"]
    new_rule = ["--vars", "{double_submit_window_minutes: 11}"]

    def last_batch() -> tuple[bool, int, int]:
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            full = rows(con, "SELECT is_full_refresh FROM state.state_build_batches "
                             "ORDER BY batch_number DESC LIMIT 1")[0][0]
            return (full, rows(con, "SELECT count(*) FROM state.state_lead_changes")[0][0],
                    rows(con, "SELECT count(*) FROM marts.dim_leads")[0][0])
        finally:
            con.close()

    dbt(tmp_path, warehouse, *state, *new_rule)
    full, refreshed, everyone = last_batch()
    assert full and refreshed == everyone
    # the lead models did not run, so the build is not complete: the rules are still new
    dbt(tmp_path, warehouse, *state, *new_rule)
    assert last_batch()[:2] == (True, everyone)
    # back to the rules of the last complete build, with no new file: nothing to refresh
    dbt(tmp_path, warehouse, *state)
    assert last_batch()[:2] == (False, 0)


def tables_differ(a: duckdb.DuckDBPyConnection, other: str) -> list[str]:
    """Tables of the staging, intermediate and marts layers whose rows differ between the
    connected warehouse and the attached one, each way."""
    differ = []
    for schema, table in rows(a, "SELECT table_schema, table_name FROM information_schema.tables"
                                 f" WHERE table_catalog = current_database()"
                                 f" AND table_schema IN {LAYERS}"):
        for left, right in ((f"{schema}.{table}", f"{other}.{schema}.{table}"),
                            (f"{other}.{schema}.{table}", f"{schema}.{table}")):
            if rows(a, f"SELECT count(*) FROM (FROM {left} EXCEPT ALL FROM {right})")[0][0]:
                differ.append(left)
    return differ


def test_a_day_touching_one_lead_refreshes_her_alone(warehouses, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouses["incremental"], warehouse)
    before = duckdb.connect(str(warehouse), read_only=True)
    kept = rows(before, "SELECT * FROM marts.dim_leads WHERE email <> 'erin@outlook.com' "
                        "ORDER BY lead_id")
    before.close()
    ingest(warehouse, FIXTURE / "day3", tmp_path / "inbox")
    dbt(tmp_path, warehouse, "build", "--exclude-resource-type", "unit_test")
    full = tmp_path / "full_refresh.duckdb"
    shutil.copy(warehouse, full)
    dbt(tmp_path, full, "run", "--full-refresh")

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert rows(con, "SELECT lead_id FROM state.state_lead_changes") == [
            (lead("erin@outlook.com"),)]
        # the e-mail click stitched v1-visitor, and its Mar 1 sessions, to Erin
        assert rows(con, "SELECT web_session_count > 0, email_clicks_human FROM marts.dim_leads "
                         "WHERE email = 'erin@outlook.com'") == [(True, 1)]
        assert rows(con, "SELECT * FROM marts.dim_leads WHERE email <> 'erin@outlook.com' "
                         "ORDER BY lead_id") == kept
        con.execute(f"ATTACH '{full}' AS full_refresh (READ_ONLY)")
        assert tables_differ(con, "full_refresh") == []
    finally:
        con.close()
