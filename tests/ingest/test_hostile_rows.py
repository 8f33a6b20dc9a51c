"""Hostile rows that once passed or stopped a whole file: negative money, a JSON key in
another spelling, a quote left open, and a copy of a loaded file in other bytes."""

from __future__ import annotations

import csv
import gzip
import io
import json

import pytest

from pipelines.ingest import ingest_source
from pipelines.sources import SOURCES
from tests.inbox_files import form, web_event, write_rows, write_text

SPEND = {"spend_date": "2025-01-01", "channel": "paid_search", "cost": "99.90", "clicks": "12"}
DEAL = {"deal_id": "d1", "email": "a@b.io", "created_at": "2025-01-01", "stage": "closedwon",
        "amount": "1200.50", "status": "won"}


def _held(con) -> list[tuple]:
    return con.execute("SELECT row_number, reason, original_text FROM raw._quarantine "
                       "ORDER BY path, row_number").fetchall()


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
@pytest.mark.parametrize(
    ("source", "column", "good"), [("spend", "cost", SPEND), ("crm_deals", "amount", DEAL)])
def test_negative_and_vanishing_money_is_quarantined(con, inbox, fmt, source, column, good):
    values = ["-100.00", "-1e-9", "1e-9", "0.004", "-500", "0", "0.005", "1e3"]
    rows = [good, *({**good, column: v} for v in values)]
    write_rows(inbox / source / f"m.{fmt}", rows, fmt)
    src = SOURCES[source]
    ingest_source(con, src, inbox)
    held = {row: reason for row, reason, _ in _held(con)}
    assert held == {
        2: f"negative amount in {column}: -100.00",
        3: f"negative amount in {column}: -1e-9",
        4: f"amount in {column} rounds to 0.00: 1e-9",
        5: f"amount in {column} rounds to 0.00: 0.004",
        6: f"negative amount in {column}: -500",
    }
    loaded = con.execute(f"SELECT _row_number, CAST({column} AS VARCHAR) FROM raw.{src.table} "
                         "ORDER BY 1").fetchall()
    assert loaded == [(1, good[column]), (7, "0.00"), (8, "0.01"), (9, "1000.00")]


def test_a_json_key_in_another_spelling_maps_to_its_column(con, inbox):
    rows = [web_event(i) for i in range(1, 6)]
    rows[1] = {("Event_Type" if k == "event_type" else k): v for k, v in rows[1].items()}
    rows[3]["EVENT_TYPE"] = "track"  # both spellings on one line: that line only is held
    write_text(inbox / "web" / "w.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    [result] = ingest_source(con, SOURCES["web"], inbox).files
    assert (result.status, result.rows_loaded, result.rows_quarantined) == ("loaded", 4, 1)
    loaded = con.execute("SELECT event_id, event_type FROM raw.web_events ORDER BY 1").fetchall()
    assert loaded == [("e1", "page"), ("e2", "page"), ("e3", "page"), ("e5", "page")]
    [(row, reason, text)] = _held(con)
    assert (row, reason) == (4, "event_type given twice, as EVENT_TYPE and event_type")
    assert json.loads(text) == rows[3]
    assert con.execute("SELECT count(*) FROM raw._schema_drift").fetchone()[0] == 0


@pytest.mark.parametrize("line_end", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_a_quote_left_open_keeps_each_row_its_own_text(con, inbox, line_end):
    lines = ["submission_id,submitted_at,email,form_id",
             "s1,2025-01-01T00:00:00Z,a@b.io,x",
             "s2,2025-01-01T00:00:00Z,b@b.io,x",
             's3,2025-01-01T00:00:00Z,"c@b.io,x',
             "s4,2025-01-01T00:00:00Z,d@b.io,x",
             "s5,2025-01-01T00:00:00Z,e@b.io,x"]
    write_text(inbox / "forms" / "q.csv", line_end.join(lines) + line_end)
    [result] = ingest_source(con, SOURCES["forms"], inbox).files
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (5, 2, 3)
    assert _held(con) == [
        (3, "malformed row: Value with unterminated quote found.", lines[3]),
        (4, "malformed row: inside the unterminated quote of row 3", lines[4]),
        (5, "malformed row: inside the unterminated quote of row 3", lines[5]),
    ]


def _csv(rows: list[dict], line_end: str = "\n", columns: list[str] | None = None) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns or list(rows[0]), lineterminator=line_end)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_a_copy_in_other_bytes_does_not_load_its_rows_again(con, inbox):
    rows = [form(i) for i in range(1, 21)] + [form(21, email="broken")]
    text = _csv(rows)
    write_text(inbox / "forms" / "a.csv", text)
    ingest_source(con, SOURCES["forms"], inbox)
    write_text(inbox / "forms" / "b.csv.gz", text, gz=True)  # re-compressed
    (inbox / "forms" / "c.csv").write_bytes(_csv(rows, "\r\n").encode())  # CRLF
    (inbox / "forms" / "d.csv.gz").write_bytes(gzip.compress(_csv(rows, "\r\n").encode()))
    reordered = _csv(rows, columns=list(reversed(list(rows[0]))))
    write_text(inbox / "forms" / "e.csv", reordered)  # columns in another order
    write_text(inbox / "forms" / "f.csv", text.replace("Ann7", "Anna7"))  # one value changed
    copies = ingest_source(con, SOURCES["forms"], inbox).files
    assert [(f.path, f.status, f.reason) for f in copies] == [
        ("forms/b.csv.gz", "duplicate", "same rows as forms/a.csv"),
        ("forms/c.csv", "duplicate", "same rows as forms/a.csv"),
        ("forms/d.csv.gz", "duplicate", "same rows as forms/a.csv"),
        ("forms/e.csv", "duplicate", "same rows as forms/a.csv"),
        ("forms/f.csv", "loaded", None),
    ]
    assert con.execute("SELECT count(*) FROM raw.forms").fetchone()[0] == 40
    assert con.execute("SELECT count(*) FROM raw._quarantine").fetchone()[0] == 2
    fingerprints = con.execute(
        "SELECT path, content_fingerprint FROM raw._files ORDER BY path").fetchall()
    assert fingerprints[0][1] and fingerprints[-1][1] not in (None, fingerprints[0][1])
    assert all(fp is None for _, fp in fingerprints[1:-1])  # copies carry none of their own


def test_a_ledger_from_before_fingerprints_gets_the_column(con, inbox):
    con.execute("CREATE SCHEMA raw")
    con.execute("""CREATE TABLE raw._files (file_id BIGINT PRIMARY KEY, source VARCHAR NOT NULL,
        path VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, size_bytes BIGINT,
        modified_at TIMESTAMPTZ, format VARCHAR, compression VARCHAR, rows_read BIGINT,
        rows_loaded BIGINT, rows_quarantined BIGINT, status VARCHAR NOT NULL, reason VARCHAR,
        extra_columns VARCHAR[], loaded_at TIMESTAMPTZ NOT NULL)""")
    write_rows(inbox / "forms" / "a.csv", [form(1)], "csv")
    ingest_source(con, SOURCES["forms"], inbox)
    assert con.execute("SELECT status, content_fingerprint IS NOT NULL FROM raw._files"
                       ).fetchall() == [("loaded", True)]
