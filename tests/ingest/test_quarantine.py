"""Every bad row and every bad file lands in raw._quarantine with its reason; every input
row is either loaded or quarantined."""

from __future__ import annotations

import gzip

import pytest

from pipelines.ingest import ingest_source, readers
from pipelines.sources import SOURCES
from tests.inbox_files import form, web_event, write_rows, write_text


def quarantine(con):
    return con.execute(
        "SELECT path, row_number, reason, original_text FROM raw._quarantine "
        "ORDER BY path, row_number"
    ).fetchall()


@pytest.mark.parametrize(
    ("override", "reason_start"),
    [
        ({"submitted_at": "2025-13-45 25:61:00"}, "bad timestamp in submitted_at"),
        ({"submitted_at": "yesterday"}, "bad timestamp in submitted_at"),
        ({"submitted_at": "epoch"}, "bad timestamp in submitted_at"),
        ({"email": "jane.doe@gmail"}, "invalid email in email"),
        ({"email": "jane@@example.com"}, "invalid email in email"),
        ({"email": "n/a"}, "invalid email in email"),
        ({"email": ""}, "missing required value: email"),
        ({"submission_id": "   "}, "missing required value: submission_id"),
        ({"consent_marketing": "maybe"}, "not a yes/no value in consent_marketing"),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_bad_form_rows_are_quarantined_with_reason(con, inbox, fmt, override, reason_start):
    rows = [form(1), form(2, **override), form(3)]
    write_rows(inbox / "forms" / f"f.{fmt}", rows, fmt)
    ingest_source(con, SOURCES["forms"], inbox)
    assert [r[0] for r in con.execute("SELECT submission_id FROM raw.forms ORDER BY 1").fetchall()
            ] == ["s1", "s3"]
    [(path, row, reason, text)] = quarantine(con)
    assert (path, row) == (f"forms/f.{fmt}", 2)
    assert reason.startswith(reason_start), reason
    bad_value = next(iter(override.values())).strip()
    assert "Ann2" in text and bad_value in text


@pytest.mark.parametrize(
    ("source", "column", "value", "reason_start"),
    [
        ("crm_deals", "amount", "12k", "not a number in amount"),
        ("crm_deals", "status", "pending", "unknown status pending"),
        ("spend", "cost", "n/a", "not a number in cost"),
        ("spend", "clicks", "ten", "not an integer in clicks"),
        ("spend", "spend_date", "31/02/2025", "bad date in spend_date"),
        ("email", "event", "opened", "unknown event opened"),
        ("crm_activities", "activity_type", "fax", "unknown activity_type fax"),
    ],
)
def test_wrong_types_and_unknown_values(con, inbox, source, column, value, reason_start):
    good = {
        "crm_deals": {"deal_id": "d1", "email": "a@b.io", "created_at": "2025-01-01",
                      "stage": "closedwon", "amount": "1200.50", "status": "won"},
        "spend": {"spend_date": "2025-01-01", "channel": "paid_search", "cost": "99.90",
                  "clicks": "12"},
        "email": {"event_id": "m1", "occurred_at": "2025-01-01T10:00:00Z", "email": "a@b.io",
                  "event": "open"},
        "crm_activities": {"activity_id": "a1", "email": "a@b.io",
                           "occurred_at": "2025-01-01T10:00:00Z", "activity_type": "call"},
    }[source]
    write_rows(inbox / source / "x.csv", [good, {**good, column: value}], "csv")
    src = SOURCES[source]
    ingest_source(con, src, inbox)
    assert con.execute(f"SELECT count(*) FROM raw.{src.table}").fetchone()[0] == 1
    [(_, row, reason, _)] = quarantine(con)
    assert row == 2 and reason.startswith(reason_start), reason


@pytest.mark.parametrize("case_gaps", [64, 0], ids=["case", "asof-join"])
def test_malformed_csv_rows_keep_their_row_number_and_text(con, inbox, monkeypatch, case_gaps):
    monkeypatch.setattr(readers, "CASE_GAPS", case_gaps)  # either way of numbering rows
    text = (
        "submission_id,submitted_at,email,form_id\n"
        "s1,2025-01-01T00:00:00Z,a@b.io,x\n"
        "s2,2025-01-01T00:00:00Z,b@b.io\n"           # too few fields
        "s3,2025-01-01T00:00:00Z,c@b.io,x,extra\n"   # too many fields
        "s4,2025-01-01T00:00:00Z,d@b.io,x\n"
        "s5,2025-01-01T00:00:00Z,e@b.io\n"           # too few fields
        "s6,2025-01-01T00:00:00Z,f@b.io,x\n"
        "s7,not a time,g@b.io,x\n"
    )
    write_text(inbox / "forms" / "m.csv", text)
    ingest_source(con, SOURCES["forms"], inbox)
    loaded = con.execute("SELECT submission_id, _row_number FROM raw.forms ORDER BY 2").fetchall()
    assert loaded == [("s1", 1), ("s4", 4), ("s6", 6)]
    q = quarantine(con)
    assert [(r[1], r[3]) for r in q] == [
        (2, "s2,2025-01-01T00:00:00Z,b@b.io"),
        (3, "s3,2025-01-01T00:00:00Z,c@b.io,x,extra"),
        (5, "s5,2025-01-01T00:00:00Z,e@b.io"),
        (7, "s7,not a time,g@b.io,x"),
    ]
    q = q[:3]
    assert all(r[2].startswith("malformed row") for r in q)


def test_unparseable_json_lines(con, inbox):
    text = (
        '{"event_id":"e1","occurred_at":"2025-03-01T10:00:00Z","anonymous_id":"a","event_type":"page"}\n'
        '{"event_id":"e2","occurr\n'
        "\n"
        "[1, 2]\n"
        '{"event_id":"e3","occurred_at":"2025-03-01T10:00:00Z","anonymous_id":"a","event_type":"page"}\n'
    )
    write_text(inbox / "web" / "w.jsonl.gz", text, gz=True)
    ingest_source(con, SOURCES["web"], inbox)
    rows = con.execute("SELECT event_id, _row_number FROM raw.web_events ORDER BY 2").fetchall()
    assert rows == [("e1", 1), ("e3", 5)]
    assert [(r[1], r[2], r[3]) for r in quarantine(con)] == [
        (2, "unparseable JSON line", '{"event_id":"e2","occurr'),
        (4, "unparseable JSON line", "[1, 2]"),
    ]


def test_invalid_json_that_looks_like_an_object_is_unparseable(con, inbox):
    # "{...}" lines skip the validity check on the quick path; a broken one sends the file
    # down the checked path, with the same result as any other unparseable line
    good = '{"event_id":"e%d","occurred_at":"2025-03-01T10:00:00Z","anonymous_id":"a",' \
           '"event_type":"page"}'
    text = "\n".join([good % 1, '{"event_id": }', '  {"event_id":"e3"', good % 4]) + "\n"
    write_text(inbox / "web" / "w.jsonl", text)
    ingest_source(con, SOURCES["web"], inbox)
    rows = con.execute("SELECT event_id, _row_number FROM raw.web_events ORDER BY 2").fetchall()
    assert rows == [("e1", 1), ("e4", 4)]
    assert [(r[1], r[2], r[3]) for r in quarantine(con)] == [
        (2, "unparseable JSON line", '{"event_id": }'),
        (3, "unparseable JSON line", '  {"event_id":"e3"'),
    ]


def test_every_input_row_is_loaded_or_quarantined(con, inbox):
    rows = [form(i) for i in range(1, 101)]
    for i in (5, 17, 42):
        rows[i]["email"] = "broken@"
    rows[60]["submitted_at"] = "soon"
    write_rows(inbox / "forms" / "a.csv", rows, "csv")
    result = ingest_source(con, SOURCES["forms"], inbox)
    [f] = result.files
    assert (f.rows_read, f.rows_loaded, f.rows_quarantined) == (100, 96, 4)
    ledger = con.execute(
        "SELECT rows_read, rows_loaded, rows_quarantined FROM raw._files").fetchone()
    assert ledger == (100, 96, 4)
    rows_seen = con.execute(
        "SELECT _row_number FROM raw.forms UNION ALL "
        "SELECT row_number FROM raw._quarantine ORDER BY 1"
    ).fetchall()
    assert [r[0] for r in rows_seen] == list(range(1, 101))


@pytest.mark.parametrize(
    ("name", "content", "reason_start"),
    [
        ("legacy.csv", "submission_id,submitted_at,form_id\ns1,2025-01-01,x\n",
         "missing required column(s): email"),
        ("empty.csv", "", "empty file (0 bytes)"),
        ("header_only.csv", "submission_id,submitted_at,email,form_id\n",
         "empty file (no data rows)"),
        ("blank.jsonl", "\n\n", "empty file (no data rows)"),
        ("nokeys.jsonl", '{"submission_id": "s1"}\n', "missing required column(s): submitted_at"),
    ],
)
def test_bad_files_are_quarantined_whole(con, inbox, name, content, reason_start):
    write_text(inbox / "forms" / name, content)
    write_rows(inbox / "forms" / "zgood.csv", [form(1)], "csv")
    result = ingest_source(con, SOURCES["forms"], inbox)
    assert [f.status for f in result.files] == ["quarantined", "loaded"]  # the run goes on
    status, reason = con.execute(
        "SELECT status, reason FROM raw._files WHERE path = ?", [f"forms/{name}"]
    ).fetchone()
    assert status == "quarantined" and reason.startswith(reason_start), reason
    [(path, row, q_reason, _)] = quarantine(con)
    assert (path, row, q_reason) == (f"forms/{name}", None, reason)


def test_corrupt_gzip_is_quarantined_whole(con, inbox):
    lines = (
        f'{{"event_id":"e{i}","occurred_at":"2025-03-01T10:00:00Z","anonymous_id":"a",'
        '"event_type":"page"}' for i in range(5000)
    )
    data = gzip.compress("\n".join(lines).encode())
    (inbox / "web").mkdir()
    (inbox / "web" / "cut.jsonl.gz").write_bytes(data[: len(data) // 2])
    write_rows(inbox / "web" / "ok.jsonl", [web_event(1)], "jsonl")
    ingest_source(con, SOURCES["web"], inbox)
    assert con.execute("SELECT count(*) FROM raw.web_events").fetchone()[0] == 1
    status, reason = con.execute(
        "SELECT status, reason FROM raw._files WHERE path = 'web/cut.jsonl.gz'"
    ).fetchone()
    assert status == "quarantined" and reason.startswith("corrupt gzip"), reason


def test_binary_junk_is_quarantined_whole(con, inbox):
    (inbox / "spend").mkdir()
    (inbox / "spend" / "report.xlsx").write_bytes(b"PK\x03\x04\x00\x00binary")
    ingest_source(con, SOURCES["spend"], inbox)
    status, reason = con.execute("SELECT status, reason FROM raw._files").fetchone()
    assert status == "quarantined" and "not CSV, JSON Lines or Parquet" in reason


def test_extra_columns_are_kept_and_recorded_as_drift(con, inbox):
    write_rows(inbox / "forms" / "a.csv", [form(1, gclid="abc", **{"Lead Score": "7"})], "csv")
    write_rows(inbox / "forms" / "b.jsonl", [form(2, gclid="def")], "jsonl")
    ingest_source(con, SOURCES["forms"], inbox)
    assert con.execute("SELECT submission_id, gclid, lead_score FROM raw.forms ORDER BY 1"
                       ).fetchall() == [("s1", "abc", "7"), ("s2", "def", None)]
    drift = con.execute(
        "SELECT path, column_name FROM raw._schema_drift ORDER BY 1, 2").fetchall()
    assert drift == [("forms/a.csv", "gclid"), ("forms/a.csv", "lead_score"),
                     ("forms/b.jsonl", "gclid")]
    assert con.execute("SELECT extra_columns FROM raw._files ORDER BY file_id").fetchall() == [
        (["gclid", "lead_score"],), (["gclid"],)]
