"""A person present in every source, with an anonymous web history, for erasure tests:
loaded after the hand-made fixture's first day (data/sample/dbt/day1)."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import duckdb

from models_ml.runs import ensure_tables as ensure_ml_tables
from pipelines.activation.warehouse import ensure_tables as ensure_ops_tables
from pipelines.ingest import ingest_source
from pipelines.resources import open_duckdb
from pipelines.sources import SOURCES
from tests.inbox_files import write_rows, write_text

ADDRESS = "Zed.Quixote@Erasable.io"
KEY = "zed.quixote@erasable.io"
VISITOR = "anon-zq-7"
NAMES = ("quixote", "erasable")  # lower-case words that name only this person
LEAD_ID = hashlib.md5(KEY.encode()).hexdigest()  # dbt's lead_id of the person


def write_person_files(inbox: Path, tag: str = "zq", with_person: bool = True) -> list[Path]:
    """The person's rows in each source, in CSV, gzip CSV and JSON Lines, beside other
    people's rows (which must survive), and one malformed row quoting their address.
    ``with_person`` false: the same files without the person's rows (what a fresh build
    without them reads)."""
    files = [
        write_rows(inbox / "forms" / f"{tag}_forms.csv", [
            {"submission_id": f"{tag}-f1", "submitted_at": "2026-03-04T09:00:00Z",
             "email": f" {ADDRESS} ", "form_id": "demo-request", "first_name": "Zed",
             "last_name": "Quixote", "company": "Erasable GmbH", "job_title": "CTO",
             "phone": "+49 30 5550199", "country": "DE", "consent_marketing": "yes",
             "anonymous_id": VISITOR},
            {"submission_id": f"{tag}-f2", "submitted_at": "2026-03-05T09:00:00Z",
             "email": "keep.me@survivor.org", "form_id": "demo-request",
             "first_name": "Kim", "last_name": "Survivor", "consent_marketing": "yes"},
            {"submission_id": f"{tag}-f3", "submitted_at": "not a time",
             "email": "zed.quixote+typo@erasable.io", "form_id": "demo-request"},
        ], "csv"),
        write_rows(inbox / "web" / f"{tag}_web.jsonl", [
            {"event_id": f"{tag}-w1", "occurred_at": "2026-03-01T08:00:00Z",
             "anonymous_id": VISITOR, "event_type": "page",
             "url": "https://www.example.com/pricing"},
            {"event_id": f"{tag}-w2", "occurred_at": "2026-03-01T08:05:00Z",
             "anonymous_id": VISITOR, "event_type": "page", "url": "https://www.example.com/demo"},
            {"event_id": f"{tag}-w3", "occurred_at": "2026-03-04T09:01:00Z",
             "anonymous_id": VISITOR, "event_type": "identify",
             "email": "ZED.QUIXOTE+web@erasable.io"},
        ], "jsonl"),
        write_rows(inbox / "email" / f"{tag}_email.jsonl", [
            {"event_id": f"{tag}-m1", "occurred_at": "2026-03-06T10:00:00Z",
             "email": KEY, "event": "delivered", "campaign_id": "newsletter_2026_03_10"},
            {"event_id": f"{tag}-m2", "occurred_at": "2026-03-06T11:00:00Z",
             "email": KEY, "event": "open", "campaign_id": "newsletter_2026_03_10",
             "user_agent": "Mozilla/5.0 (Macintosh)"},
        ], "jsonl", gz=True),
        write_rows(inbox / "crm_deals" / f"{tag}_deals.csv", [
            {"deal_id": f"{tag}-d1", "email": ADDRESS, "created_at": "2026-03-07T10:00:00Z",
             "stage": "appointmentscheduled", "amount": "5000.00", "currency": "EUR",
             "owner": "ana.silva", "status": "open", "updated_at": "2026-03-07T10:00:00Z"},
        ], "csv", gz=True),
        write_rows(inbox / "crm_activities" / f"{tag}_activities.csv", [
            {"activity_id": f"{tag}-a1", "email": KEY, "occurred_at": "2026-03-04T09:30:00Z",
             "activity_type": "call", "owner": "ana.silva", "outcome": "connected"},
        ], "csv"),
    ]
    if not with_person:
        for path in files:
            _drop_person(path)
    return files


def _drop_person(path: Path) -> None:
    """Remove the person's rows from a file written above (the other rows stay)."""
    gz = path.read_bytes()[:2] == b"\x1f\x8b"
    text = (gzip.decompress(path.read_bytes()) if gz else path.read_bytes()).decode()
    lines = text.splitlines(keepends=True)
    kept = [ln for i, ln in enumerate(lines)
            if (i == 0 and path.suffix != ".jsonl" and ".jsonl" not in path.name)
            or not any(n in ln.lower() for n in ("quixote", VISITOR))]
    data = "".join(kept).encode()
    if len(kept) == (0 if ".jsonl" in path.name else 1):
        path.unlink()
        return
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)


def traces_in_tables(con: duckdb.DuckDBPyConnection, skip=("_suppressed", "_erasures")
                     ) -> list[str]:
    """Every table column whose text holds the person's name, address, lead_id or visitor."""
    found = []
    for schema, table, column in con.execute(
            "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
            "WHERE database_name = current_database() AND NOT internal "
            "AND table_name NOT IN (SELECT view_name FROM duckdb_views())").fetchall():
        if table in skip:
            continue
        hit = con.execute(
            f'SELECT count(*) FROM "{schema}"."{table}" WHERE '
            f'regexp_matches(lower(CAST("{column}" AS VARCHAR)), ?)',
            ["quixote|erasable|" + LEAD_ID + "|" + VISITOR]).fetchone()[0]
        if hit:
            found.append(f"{schema}.{table}.{column} ({hit})")
    return found


def traces_in_files(folder: Path, skip: tuple[str, ...] = ()) -> list[str]:
    """Every file under ``folder`` (gzip opened) whose bytes name the person."""
    needles = [n.encode() for n in (*NAMES, LEAD_ID, VISITOR)]
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if any(part in skip for part in path.parts):
            continue
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        if any(n in data.lower() for n in needles):
            found.append(str(path.relative_to(folder)))
    return found


def malformed_line(inbox: Path, tag: str = "zq") -> Path:
    return write_text(inbox / "forms" / f"{tag}_xbroken.jsonl",
                      '{"submission_id": "zq-b1", "email": "zed.quixote@erasable.io", oops\n')


BUILD = ("build", "--exclude-resource-type", "unit_test")
OTHER = hashlib.md5(b"ann.lee@acme.com").hexdigest()  # a lead of the fixture, kept


def score(con, lead: str) -> None:
    con.execute("INSERT INTO ml.lead_scores (score_date, lead_id, model_version, probability, "
                "score, tier, reason_1) VALUES (DATE '2026-03-10', ?, 'v1', 0.8, 80, 'A', "
                "'+ visited pricing')", [lead])


def load_all(warehouse, inbox) -> None:
    con = open_duckdb(warehouse)
    try:
        for src in SOURCES.values():
            ingest_source(con, src, inbox)
    finally:
        con.close()


def python_rows(warehouse) -> None:
    """Scores and assignments, as the scoring and routing assets would write them."""
    con = open_duckdb(warehouse)
    try:
        ensure_ml_tables(con)
        ensure_ops_tables(con)
        for lead in (LEAD_ID, OTHER):
            score(con, lead)
            con.execute("INSERT INTO ops.lead_assignments (lead_id, team, owner, assigned_at, "
                        "is_open) VALUES (?, 'emea', 'ana.silva', TIMESTAMPTZ "
                        "'2026-03-10 09:00:00+00', true)", [lead])
            con.execute("INSERT INTO ops.lead_assignment_events (lead_id, action, team, owner) "
                        "VALUES (?, 'assigned', 'emea', 'ana.silva')", [lead])
    finally:
        con.close()
