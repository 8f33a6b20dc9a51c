"""Every format and compression loads the same rows with the same types."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from pipelines.ingest import ingest_source
from pipelines.sources import SOURCES
from tests.inbox_files import FORMATS, form, web_event, write_rows

FORMS = SOURCES["forms"]
WEB = SOURCES["web"]


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_loads_every_row_typed(con, inbox, fmt, gz):
    rows = [form(i) for i in range(1, 21)]
    suffix = {"csv": ".csv", "jsonl": ".jsonl", "parquet": ".parquet"}[fmt] + (".gz" if gz else "")
    write_rows(inbox / "forms" / f"batch{suffix}", rows, fmt, gz)

    result = ingest_source(con, FORMS, inbox)

    assert [(f.status, f.rows_loaded, f.rows_quarantined) for f in result.files] == [
        ("loaded", 20, 0)
    ]
    got = con.execute(
        "SELECT submission_id, submitted_at, email, consent_marketing, _row_number "
        "FROM raw.forms ORDER BY _row_number"
    ).fetchall()
    assert [g[0] for g in got] == [f"s{i}" for i in range(1, 21)]
    assert [g[4] for g in got] == list(range(1, 21))
    assert got[0][1] == datetime(2025, 3, 2, 10, 1, tzinfo=UTC)
    assert got[0][3] is True
    fmt_seen, compression = con.execute("SELECT format, compression FROM raw._files").fetchone()
    assert (fmt_seen, compression) == (fmt, "gzip" if gz else "none")


def test_format_is_sniffed_from_content_not_name(con, inbox):
    write_rows(inbox / "forms" / "export.txt", [form(1)], "jsonl")
    write_rows(inbox / "forms" / "export2.dat", [form(2)], "parquet", gz=True)
    ingest_source(con, FORMS, inbox)
    assert con.execute("SELECT count(*) FROM raw.forms").fetchone()[0] == 2


def test_timestamps_are_normalised_to_utc(con, inbox):
    rows = [
        web_event(1, occurred_at="2025-03-01T10:00:00+02:00"),
        web_event(2, occurred_at="2025-03-01T08:00:00Z"),
        web_event(3, occurred_at="2025-03-01 08:00:00"),  # no offset means UTC
        web_event(4, occurred_at="2025-03-01T03:00:00-05:00"),
    ]
    write_rows(inbox / "web" / "events.jsonl", rows, "jsonl")
    ingest_source(con, WEB, inbox)
    instants = {r[0] for r in con.execute("SELECT occurred_at FROM raw.web_events").fetchall()}
    assert instants == {datetime(2025, 3, 1, 8, 0, tzinfo=UTC)}


def test_semicolon_csv_with_messy_header_names(con, inbox):
    text = "Submission ID;Submitted At;E-mail ;Form_ID\ns1;2025-01-02T03:04:05Z;a@b.io;x\n"
    (inbox / "forms").mkdir()
    (inbox / "forms" / "excel.csv").write_text(text)
    ingest_source(con, FORMS, inbox)
    # 'E-mail' normalises to 'e_mail', not 'email': the file lacks the required column
    status, reason = con.execute("SELECT status, reason FROM raw._files").fetchone()
    assert status == "quarantined" and "email" in reason


def test_header_names_are_matched_case_and_space_insensitively(con, inbox):
    text = "Submission ID,Submitted At, EMAIL ,Form Id\ns1,2025-01-02T03:04:05Z,a@b.io,x\n"
    (inbox / "forms").mkdir()
    (inbox / "forms" / "crm.csv").write_text(text)
    ingest_source(con, FORMS, inbox)
    got = con.execute("SELECT submission_id, email FROM raw.forms").fetchall()
    assert got == [("s1", "a@b.io")]


def _load_mixed_inbox(con, inbox, monkeypatch, ahead: bool) -> list:
    from pipelines.ingest import loader

    monkeypatch.setattr(loader, "STAGE_AHEAD", ahead)
    formats = [("a.csv", "csv", False), ("b.jsonl.gz", "jsonl", True),
               ("c.parquet", "parquet", False), ("d.csv.gz", "csv", True),
               ("e.jsonl", "jsonl", False)]
    for n, (name, fmt, gz) in enumerate(formats):
        rows = [form(10 * n + i, email="broken" if i == 3 else f"p{i}@x.io") for i in range(5)]
        write_rows(inbox / "forms" / name, rows, fmt, gz)
    (inbox / "forms" / "f.csv").write_text("")
    result = ingest_source(con, FORMS, inbox)
    tables = {
        "raw.forms": "* EXCLUDE (_loaded_at)",
        "raw._files": "* EXCLUDE (loaded_at, modified_at)",
        "raw._quarantine": "* EXCLUDE (quarantined_at)",
    }
    snapshot = {t: con.execute(f"SELECT {cols} FROM {t} ORDER BY ALL").fetchall()
                for t, cols in tables.items()}
    leftovers = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'leadflow_stage' "
        "OR (temporary AND table_name NOT LIKE '_rej%')"
    ).fetchone()[0]
    return [[(f.path, f.status, f.rows_loaded, f.rows_quarantined) for f in result.files],
            snapshot, leftovers]


def test_staging_files_ahead_loads_what_staging_in_turn_does(lf_paths, tmp_path, monkeypatch):
    from pipelines.resources import open_duckdb

    runs = []
    for ahead in (True, False):
        inbox = tmp_path / f"inbox-{ahead}"
        with open_duckdb(tmp_path / f"w-{ahead}.duckdb") as con:
            runs.append(_load_mixed_inbox(con, inbox, monkeypatch, ahead))
    assert runs[0] == runs[1]
    files, snapshot, leftovers = runs[0]
    assert [f[1] for f in files] == ["loaded"] * 5 + ["quarantined"]
    assert len(snapshot["raw.forms"]) == 20 and len(snapshot["raw._quarantine"]) == 6
    assert leftovers == 0


def test_parquet_columns_already_typed_load_as_they_are(con, inbox):
    """A Parquet timestamp or decimal column of the warehouse type is validated and loaded
    without a trip through text; its bad values are quarantined with the reason and text
    as for a text column, and a typed column outside the contract is drift as text."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    when = [datetime(2025, 3, 1, 8, 0, 0, 123456, tzinfo=UTC), datetime(1970, 1, 1, tzinfo=UTC),
            None, datetime(2025, 3, 2, tzinfo=UTC)]
    table = pa.table({
        "deal_id": ["d1", "d2", "d3", "d4"],
        "email": ["a@x.com", "b@x.com", "c@x.com", "d@x.com"],
        "created_at": pa.array(when, pa.timestamp("us", tz="UTC")),
        "stage": ["won"] * 4,
        "amount": pa.array([Decimal("10.50"), Decimal("1.00"), Decimal("2.00"), None],
                           pa.decimal128(18, 2)),
        "seats": pa.array([3, 4, 5, 6], pa.int32()),
    })
    (inbox / "crm_deals").mkdir(parents=True)
    pq.write_table(table, inbox / "crm_deals" / "deals.parquet")

    [result] = ingest_source(con, SOURCES["crm_deals"], inbox).files

    assert (result.status, result.rows_loaded, result.rows_quarantined) == ("loaded", 1, 3)
    assert con.execute("SELECT deal_id, created_at, amount, seats FROM raw.crm_deals"
                       ).fetchall() == [("d1", when[0], Decimal("10.50"), "3")]
    bad = con.execute("SELECT row_number, reason, original_text FROM raw._quarantine "
                      "ORDER BY row_number").fetchall()
    assert [(r[0], r[1]) for r in bad] == [
        (2, "bad timestamp in created_at: 1970-01-01 00:00:00+00"),
        (3, "missing required value: created_at"),
        (4, "missing required value: amount"),
    ]
    assert '"created_at":"1970-01-01 00:00:00+00"' in bad[0][2] and '"amount":"1.00"' in bad[0][2]
