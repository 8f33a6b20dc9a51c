"""The suppression list: keyed hashes, never addresses; ingestion holds an erased person's
later rows in quarantine as "erased person", without their text."""

from __future__ import annotations

import stat

import pytest

from pipelines.ingest import ingest_source
from pipelines.privacy import suppression
from pipelines.sources import SOURCES
from tests.inbox_files import FORMATS, form, web_event, write_rows, write_text


def _suppress(con, data_dir, *addresses: str, anonymous: tuple[str, ...] = ()) -> None:
    key = suppression.secret_key(data_dir)
    hashes = {suppression.keyed_hash(key, suppression.checked(a)): "email" for a in addresses}
    hashes |= {suppression.keyed_hash(key, a.strip().lower()): "anonymous_id" for a in anonymous}
    suppression.add(con, hashes, "test")


def test_normalise_is_the_dbt_person_key():
    assert suppression.normalise("  <Jane.Doe+News@Example.COM> ") == "jane.doe@example.com"
    assert suppression.normalise("mailto:A@b.io") == "a@b.io"
    with pytest.raises(suppression.InvalidAddress):
        suppression.checked("not-an-address")


def test_key_is_made_once_private(lf_paths):
    key = suppression.secret_key(lf_paths.data)
    path = suppression.key_path(lf_paths.data)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert suppression.secret_key(lf_paths.data) == key and len(key) == 32


def test_sql_hash_equals_python_hash(con, lf_paths):
    key = suppression.secret_key(lf_paths.data)
    expr = suppression.keyed_hash_sql(key, suppression.normalised_sql("' Jane+x@Ex.com'"))
    assert con.execute(f"SELECT {expr}").fetchone()[0] == \
        suppression.keyed_hash(key, "jane@ex.com")


def test_list_holds_no_address(con, lf_paths):
    _suppress(con, lf_paths.data, "Jane@Example.com")
    text = str(con.execute("SELECT * FROM raw._suppressed").fetchall())
    assert "jane" not in text.lower() and "example" not in text.lower()


@pytest.mark.parametrize("fmt", FORMATS)
def test_erased_person_is_quarantined_without_text(con, lf_paths, inbox, fmt):
    _suppress(con, lf_paths.data, "erased@acme.com")
    rows = [form(1), form(2, email="  ERASED+promo@Acme.com "), form(3)]
    write_rows(inbox / "forms" / f"f.{fmt}", rows, fmt, gz=fmt == "csv")
    result = ingest_source(con, SOURCES["forms"], inbox)
    assert result.rows_loaded == 2 and result.rows_quarantined == 1
    assert con.execute("SELECT reason, original_text, row_number FROM raw._quarantine"
                       ).fetchall() == [("erased person", None, 2)]
    assert con.execute("SELECT count(*) FROM raw.forms WHERE email ILIKE '%erased%'"
                       ).fetchone()[0] == 0


def test_stitched_visitor_is_quarantined(con, lf_paths, inbox):
    _suppress(con, lf_paths.data, "erased@acme.com", anonymous=("anon1",))
    rows = [web_event(i) for i in range(5)]  # anon0..anon4
    write_rows(inbox / "web" / "w.jsonl", rows, "jsonl")
    ingest_source(con, SOURCES["web"], inbox)
    assert con.execute("SELECT count(*) FROM raw.web_events").fetchone()[0] == 4
    assert con.execute("SELECT reason, original_text FROM raw._quarantine").fetchall() == \
        [("erased person", None)]


def test_malformed_line_naming_erased_person_keeps_no_text(con, lf_paths, inbox):
    _suppress(con, lf_paths.data, "erased@acme.com")
    write_text(inbox / "forms" / "f.jsonl",
               '{"submission_id": "s1", "submitted_at": "2025-03-01T10:00:00Z", '
               '"email": "a@b.com", "form_id": "x"}\n'
               '{"submission_id": "s2", "email": "Erased@acme.com", broken\n')
    ingest_source(con, SOURCES["forms"], inbox)
    held = con.execute("SELECT reason, original_text FROM raw._quarantine").fetchall()
    assert held == [("erased person", None)]


def test_nobody_suppressed_changes_nothing(con, lf_paths, inbox):
    write_rows(inbox / "forms" / "f.csv", [form(1), form(2)], "csv")
    assert ingest_source(con, SOURCES["forms"], inbox).rows_loaded == 2
    assert not suppression.key_path(lf_paths.data).exists()
