"""Layer 3: generated data through the whole daily run, twice."""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines.cli import main
from pipelines.resources import open_duckdb
from pipelines.sources import SOURCES

pytestmark = pytest.mark.e2e

COUNTS = """
SELECT 'files' AS t, count(*) AS n FROM raw._files UNION ALL
SELECT 'quarantine', count(*) FROM raw._quarantine UNION ALL
SELECT 'drift', count(*) FROM raw._schema_drift
""" + "".join(f" UNION ALL SELECT '{s.table}', count(*) FROM raw.{s.table}"
              for s in SOURCES.values())


def test_generate_run_run_again(lf_paths, capsys):
    assert main(["generate", "--leads", "1500", "--days", "120", "--seed", "7",
                 "--end-date", "2026-06-30"]) == 0
    assert lf_paths.truth.exists()
    assert main(["run", "--log-level", "ERROR"]) == 0

    with open_duckdb(lf_paths.warehouse, read_only=True) as con:
        first = dict(con.execute(COUNTS).fetchall())
        files = con.execute(
            "SELECT source, status, rows_read, rows_loaded, rows_quarantined FROM raw._files"
        ).fetchall()
        whole_file_reasons = [r[0] for r in con.execute(
            "SELECT reason FROM raw._quarantine WHERE row_number IS NULL").fetchall()]
        row_reasons = {r[0] for r in con.execute(
            "SELECT DISTINCT split_part(reason, ':', 1) FROM raw._quarantine "
            "WHERE row_number IS NOT NULL").fetchall()}
        newest = con.execute("SELECT max(occurred_at) FROM raw.web_events").fetchone()[0]

    # all six sources loaded, and the generator's dirt was caught
    assert all(first[s.table] > 0 for s in SOURCES.values()), first
    assert first["quarantine"] > 0 and first["drift"] > 0
    assert any(r.startswith("missing required column") for r in whole_file_reasons)
    assert any(r.startswith("empty file") for r in whole_file_reasons)
    assert any(r.startswith("corrupt gzip") for r in whole_file_reasons)
    assert "invalid email in email" in row_reasons
    assert any(r.startswith("bad timestamp in") for r in row_reasons), row_reasons
    assert any(r.startswith("malformed row") or r == "unparseable JSON line"
               for r in row_reasons), row_reasons
    # every row read is either loaded or quarantined
    assert all(read == loaded + quarantined for _, _, read, loaded, quarantined in files)
    assert newest <= dt.datetime(2026, 7, 1, tzinfo=dt.UTC)

    # a second run over the same inbox changes no row count
    assert main(["run", "--log-level", "ERROR"]) == 0
    with open_duckdb(lf_paths.warehouse, read_only=True) as con:
        assert dict(con.execute(COUNTS).fetchall()) == first
    capsys.readouterr()
