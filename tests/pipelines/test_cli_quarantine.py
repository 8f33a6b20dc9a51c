"""`leadflow quarantine`: what is held and why, by source, file and reason; one file's
rows with their text; one-line errors."""

from __future__ import annotations

import os

import pytest

from pipelines.cli import main
from pipelines.ingest import ingest_source
from pipelines.resources import open_duckdb
from pipelines.sources import SOURCES
from tests.inbox_files import form, web_event, write_rows, write_text


@pytest.fixture
def held(lf_paths, tmp_path):
    inbox = lf_paths.inbox
    write_rows(inbox / "forms" / "f.csv",
               [form(1), form(2, email="nope"), form(3, email="bad@"), form(4)], "csv")
    write_rows(inbox / "web" / "w.jsonl", [web_event(1), web_event(2, event_type="pv")],
               "jsonl")
    write_text(inbox / "web" / "empty.csv", "")
    (tmp_path / "secret").write_text("do not read\n")
    os.symlink(tmp_path / "secret", inbox / "web" / "link.csv")
    with open_duckdb(lf_paths.warehouse) as con:
        for src in SOURCES.values():
            ingest_source(con, src, inbox)
    return lf_paths


def test_lists_what_is_held_by_source_file_and_reason(held, capsys):
    assert main(["quarantine"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["source", "file", "rows", "reason"]
    body = [line.split(None, 3) for line in out[1:] if line.strip()][:-1]
    assert body == [
        ["forms", "forms/f.csv", "2", "invalid email in email"],
        ["web", "web/link.csv", "whole",  # recorded by the scan, before the files it reads
         "symbolic link: not followed (only regular files in the inbox are read)"],
        ["web", "web/empty.csv", "whole", "empty file (0 bytes)"],
        ["web", "web/w.jsonl", "1",
         "unknown event_type pv (expected one of page, track, identify, screen, alias, group)"],
    ]
    assert out[-1].startswith("3 rows and 2 whole files held; ")


def test_one_source_and_one_files_rows(held, capsys):
    assert main(["quarantine", "--source", "forms"]) == 0
    out = capsys.readouterr().out
    assert "forms/f.csv" in out and "web/" not in out
    assert main(["quarantine", "--file", "forms/f.csv", "--limit", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "forms/f.csv: 2 held"
    assert lines[1].split() == ["row", "2", "invalid", "email", "in", "email:", "nope"]
    assert "s2," in lines[2] and "nope" in lines[2]
    assert lines[3].strip() == "... 1 more (--limit)"
    assert main(["quarantine", "--file", "web/link.csv"]) == 0
    assert "(no text kept)" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "says"), [
    (["quarantine", "--source", "nope"], "unknown source 'nope'"),
    (["quarantine", "--file", "forms/none.csv"], "nothing held from 'forms/none.csv'"),
])
def test_bad_input_is_a_one_line_error(held, capsys, argv, says):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("leadflow: error: ") and says in err and "\n" not in err


def test_before_any_run_and_with_nothing_held(lf_paths, capsys):
    assert main(["quarantine"]) == 2
    assert "no warehouse" in capsys.readouterr().err
    write_rows(lf_paths.inbox / "forms" / "f.csv", [form(1)], "csv")
    with open_duckdb(lf_paths.warehouse) as con:
        ingest_source(con, SOURCES["forms"], lf_paths.inbox)
    assert main(["quarantine"]) == 0
    assert capsys.readouterr().out.strip() == "nothing held in the quarantine"
    with pytest.raises(SystemExit) as exit_info:
        main(["quarantine", "--limit", "0"])
    assert exit_info.value.code == 2
