"""Re-drops load nothing, new versions load, and a crash mid-file leaves no trace."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from pipelines.ingest import ingest_source
from pipelines.resources import open_duckdb
from pipelines.sources import SOURCES
from tests.inbox_files import form, web_event, write_rows

FORMS = SOURCES["forms"]


def counts(con) -> tuple[int, int, int]:
    return con.execute(
        "SELECT (SELECT count(*) FROM raw.forms), (SELECT count(*) FROM raw._quarantine), "
        "(SELECT count(*) FROM raw._files)"
    ).fetchone()


def test_same_file_again_loads_nothing(con, inbox):
    write_rows(inbox / "forms" / "a.csv", [form(1), form(2, email="bad")], "csv")
    ingest_source(con, FORMS, inbox)
    before = counts(con)
    assert before == (1, 1, 1)
    second = ingest_source(con, FORMS, inbox)
    assert second.files == [] and counts(con) == before


def test_same_content_touched_or_renamed_is_a_duplicate_not_a_reload(con, inbox):
    path = write_rows(inbox / "forms" / "a.csv", [form(1)], "csv")
    ingest_source(con, FORMS, inbox)
    os.utime(path, (time.time() + 5, time.time() + 5))  # touched: new mtime, same bytes
    (inbox / "forms" / "copy_of_a.csv").write_bytes(path.read_bytes())
    result = ingest_source(con, FORMS, inbox)
    assert sorted(f.status for f in result.files) == ["duplicate", "duplicate"]
    assert con.execute("SELECT count(*) FROM raw.forms").fetchone()[0] == 1
    # and the duplicates are remembered: the next run does not even look at them
    assert ingest_source(con, FORMS, inbox).files == []


def test_changed_file_under_the_same_name_is_a_new_version(con, inbox):
    path = write_rows(inbox / "forms" / "a.csv", [form(1)], "csv")
    ingest_source(con, FORMS, inbox)
    write_rows(path, [form(1), form(2)], "csv")
    result = ingest_source(con, FORMS, inbox)
    assert [(f.status, f.rows_loaded) for f in result.files] == [("loaded", 2)]
    versions = con.execute(
        "SELECT file_id, path, rows_loaded FROM raw._files ORDER BY file_id").fetchall()
    assert versions == [(1, "forms/a.csv", 1), (2, "forms/a.csv", 2)]
    # rows of both versions are kept, each with its version's file id
    assert con.execute("SELECT _file_id, count(*) FROM raw.forms GROUP BY 1 ORDER BY 1"
                       ).fetchall() == [(1, 1), (2, 2)]


def _fill_inbox(inbox: Path) -> None:
    write_rows(inbox / "forms" / "a.csv", [form(i) for i in range(50)], "csv")
    write_rows(inbox / "forms" / "b.jsonl", [form(i, email="x" if i == 53 else f"p{i}@b.io")
                                             for i in range(50, 90)], "jsonl")
    write_rows(inbox / "forms" / "c.parquet", [form(i) for i in range(90, 95)], "parquet")
    write_rows(inbox / "web" / "w.jsonl.gz", [web_event(i) for i in range(30)], "jsonl", gz=True)


def _snapshot(con) -> dict[str, list]:
    tables = {
        "raw.forms": "* EXCLUDE (_loaded_at)",
        "raw.web_events": "* EXCLUDE (_loaded_at)",
        "raw._files": "* EXCLUDE (loaded_at)",
        "raw._quarantine": "* EXCLUDE (quarantined_at)",
    }
    return {t: con.execute(f"SELECT {cols} FROM {t} ORDER BY ALL").fetchall()
            for t, cols in tables.items()}


CRASHING_RUN = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from pipelines.ingest import loader
    from pipelines.resources import open_duckdb
    from pipelines.sources import SOURCES

    real_record, calls = loader._record, []

    def crash_on_second_file(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:        # rows of file 2 are inserted, its commit never comes
            os._exit(17)
        return real_record(*args, **kwargs)

    loader._record = crash_on_second_file
    con = open_duckdb(Path(sys.argv[1]))
    for name in ("forms", "web"):
        loader.ingest_source(con, SOURCES[name], Path(sys.argv[2]))
    """
)


def test_crash_mid_file_then_rerun_equals_a_clean_run(lf_paths, inbox, tmp_path):
    _fill_inbox(inbox)
    crashed_db = tmp_path / "crashed.duckdb"
    proc = subprocess.run(
        [sys.executable, "-c", CRASHING_RUN, str(crashed_db), str(inbox)],
        cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True,
    )
    assert proc.returncode == 17, proc.stderr

    with open_duckdb(crashed_db) as con:
        # only the first file survived the crash: nothing of the second is half there
        assert con.execute("SELECT path FROM raw._files").fetchall() == [("forms/a.csv",)]
        assert con.execute("SELECT count(*) FROM raw.forms").fetchone()[0] == 50
        for name in ("forms", "web"):
            ingest_source(con, SOURCES[name], inbox)
        rerun = _snapshot(con)

    with open_duckdb(tmp_path / "clean.duckdb") as con:
        for name in ("forms", "web"):
            ingest_source(con, SOURCES[name], inbox)
        clean = _snapshot(con)

    assert rerun == clean
    assert len(clean["raw.forms"]) == 94 and len(clean["raw._quarantine"]) == 1
