"""Only the inbox is read: links and special files are quarantined whole, with their
reason and no text, and never opened (a named pipe must not hang the run)."""

from __future__ import annotations

import os
import socket
import threading

import pytest

from pipelines.ingest import ingest_source
from pipelines.ingest.detect import UnreadableFile, open_regular
from pipelines.ingest.inbox import inbox_files, scan
from pipelines.resources import InboxResource
from pipelines.sensors import Ledger, unloaded_files
from pipelines.sources import SOURCES
from tests.inbox_files import form, write_rows

SECRET = "root:x:0:0:secret-first-line"


@pytest.fixture
def hostile_inbox(inbox, tmp_path):
    """A forms folder with one good file beside a link to a file outside the inbox, a link
    to a folder outside it, a dangling link, a named pipe and a socket."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd").write_text(SECRET + "\n")
    write_rows(outside / "stolen" / "more.csv", [form(90)], "csv")
    folder = inbox / "forms"
    write_rows(folder / "good.csv", [form(1), form(2)], "csv")
    (folder / "passwd.csv").symlink_to(outside / "passwd")
    (folder / "elsewhere").symlink_to(outside / "stolen", target_is_directory=True)
    (folder / "dangling.csv").symlink_to(outside / "gone.csv")
    os.mkfifo(folder / "pipe.csv")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "sock.csv"))
    yield inbox
    server.close()


def _ingest_with_timeout(con, inbox, seconds: float = 60):
    """Ingest forms on a thread: a run that opens the pipe would block forever."""
    outcome: dict = {}
    worker = threading.Thread(
        target=lambda: outcome.update(result=ingest_source(con, SOURCES["forms"], inbox)),
        daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "ingestion hung on a special file"
    return outcome["result"]


def test_links_and_special_files_are_quarantined_without_content(con, hostile_inbox):
    result = _ingest_with_timeout(con, hostile_inbox)
    statuses = {f.path: f.status for f in result.files}
    assert statuses == {
        "forms/good.csv": "loaded", "forms/passwd.csv": "quarantined",
        "forms/elsewhere": "quarantined", "forms/dangling.csv": "quarantined",
        "forms/pipe.csv": "quarantined", "forms/sock.csv": "quarantined",
    }
    held = dict(con.execute(
        "SELECT path, reason FROM raw._quarantine WHERE original_text IS NULL "
        "AND row_number IS NULL").fetchall())
    assert held["forms/passwd.csv"].startswith("symbolic link: not followed")
    assert held["forms/elsewhere"].startswith("symbolic link: not followed")
    assert held["forms/dangling.csv"].startswith("symbolic link: not followed")
    assert held["forms/pipe.csv"].startswith("named pipe (FIFO): not read")
    assert held["forms/sock.csv"].startswith("socket: not read")
    assert con.execute("SELECT count(*) FROM raw._quarantine").fetchone()[0] == 5
    # nothing from outside the inbox reached the warehouse
    assert sorted(r[0] for r in con.execute("SELECT submission_id FROM raw.forms").fetchall()
                  ) == ["s1", "s2"]
    dump = con.execute("SELECT string_agg(CAST(q AS VARCHAR), '|') FROM raw._quarantine q"
                       ).fetchone()[0]
    assert "secret-first-line" not in dump
    ledger = con.execute(
        "SELECT path, status, sha256, rows_read FROM raw._files WHERE path <> 'forms/good.csv'"
    ).fetchall()
    assert {(status, sha, rows) for _, status, sha, rows in ledger} == {("quarantined", "", 0)}


def test_refused_entries_are_recorded_once(con, hostile_inbox):
    _ingest_with_timeout(con, hostile_inbox)
    again = _ingest_with_timeout(con, hostile_inbox)
    assert again.files == []
    assert con.execute("SELECT count(*) FROM raw._files").fetchone()[0] == 6


def test_the_scan_follows_nothing_and_the_sensor_sees_every_entry(hostile_inbox):
    entries = {e.path.name: e for e in scan(hostile_inbox / "forms")}
    assert set(entries) == {"good.csv", "passwd.csv", "elsewhere", "dangling.csv",
                            "pipe.csv", "sock.csv"}
    assert [p.name for p in inbox_files(hostile_inbox / "forms")] == ["good.csv"]
    assert "more.csv" not in {p.name for p in inbox_files(hostile_inbox / "forms")}
    found = unloaded_files(InboxResource(path=str(hostile_inbox)), Ledger.empty(), now=4e9)
    assert set(found) == {f"forms/{name}" for name in entries}


def test_a_file_swapped_for_a_link_after_the_scan_is_not_opened(tmp_path):
    target = tmp_path / "secret.txt"
    target.write_text(SECRET)
    link = tmp_path / "swapped.csv"
    link.symlink_to(target)
    with pytest.raises(UnreadableFile, match="symbolic link"):
        open_regular(link)
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(UnreadableFile, match="not a regular file"):
        open_regular(tmp_path / "pipe")
