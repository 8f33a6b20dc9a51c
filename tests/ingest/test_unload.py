"""`leadflow unload`'s part in raw (pipelines/unload.py): a file's rows and its quarantine
go, its ledger entries stay marked unloaded, and the same file (same name, same content, a
copy) loads again when dropped again. The dbt rebuild is tested end to end in
tests/pipelines/test_set_aside.py."""

from __future__ import annotations

import pytest

from pipelines import unload
from pipelines.ingest import ingest_source
from pipelines.sources import SOURCES
from tests.inbox_files import form, write_rows

FORMS = SOURCES["forms"]


def _count(con, sql: str) -> int:
    return con.execute(sql).fetchone()[0]


def test_unload_takes_the_rows_out_and_the_same_file_loads_again(con, inbox):
    path = write_rows(inbox / "forms" / "a.csv", [form(1), form(2, email="bad"), form(3)], "csv")
    write_rows(inbox / "forms" / "b.csv", [form(4)], "csv")
    ingest_source(con, FORMS, inbox)

    loaded = unload.find_loaded(con, "forms/a.csv", inbox)
    assert (loaded.source, loaded.table, len(loaded.file_ids)) == ("forms", "forms", 1)
    removed = unload.remove_rows(con, loaded)
    assert removed.rows == {"raw.forms": 2, "raw._quarantine": 1} and removed.raw_rows == 2
    assert _count(con, "SELECT count(*) FROM raw.forms") == 1  # b.csv's row stays
    assert con.execute("SELECT path, status FROM raw._files ORDER BY file_id").fetchall() == \
        [("forms/a.csv", "unloaded"), ("forms/b.csv", "loaded")]

    with pytest.raises(unload.UnknownFile, match="already unloaded"):
        unload.find_loaded(con, "forms/a.csv", inbox)

    # the very same file, untouched, is read again, and its rows are no duplicate
    again = ingest_source(con, FORMS, inbox)
    assert [(f.path, f.status) for f in again.files] == [("forms/a.csv", "loaded")]
    assert _count(con, "SELECT count(*) FROM raw.forms") == 3
    assert _count(con, "SELECT count(*) FROM raw._quarantine") == 1
    # named by its path on disk, it is the same ledger entry
    assert unload.find_loaded(con, str(path), inbox).path == "forms/a.csv"


def test_a_copy_of_an_unloaded_file_is_no_duplicate(con, inbox):
    path = write_rows(inbox / "forms" / "a.csv", [form(1)], "csv")
    ingest_source(con, FORMS, inbox)
    unload.remove_rows(con, unload.find_loaded(con, "forms/a.csv", inbox))
    path.unlink()
    write_rows(inbox / "forms" / "a_fixed.csv", [form(1)], "csv")
    result = ingest_source(con, FORMS, inbox)
    assert [(f.path, f.status) for f in result.files] == [("forms/a_fixed.csv", "loaded")]


def test_an_unknown_file_is_named_in_the_error(con, inbox):
    write_rows(inbox / "forms" / "a.csv", [form(1)], "csv")
    ingest_source(con, FORMS, inbox)
    with pytest.raises(unload.UnknownFile, match="no loaded file 'forms/nope.csv': not in"):
        unload.find_loaded(con, "forms/nope.csv", inbox)


def test_the_rebuild_is_every_model_downstream_of_the_raw_table_from_raw():
    assert unload.rebuild_args("web_events") == [
        "build", "--full-refresh", "--select", "source:raw.web_events+",
        "--exclude-resource-type", "unit_test"]
