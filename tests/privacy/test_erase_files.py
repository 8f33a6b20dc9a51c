"""`leadflow forget` over the files: inbox files (CSV, JSON Lines, gzip), segment exports
(CSV, Parquet), a report's page and tables, the generator's truth file; after it, no file
under data/ (gzip opened, the warehouse file's bytes included) names the person, the
other rows stay, and the next run takes no rewritten file for a new one."""

from __future__ import annotations

import csv
import datetime as dt
import gzip

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.cli import main
from pipelines.ingest import ingest_source
from pipelines.privacy import erase_files, people
from pipelines.report.build import build_report
from pipelines.resources import open_duckdb
from pipelines.sources import SOURCES
from tests.privacy.person import ADDRESS, KEY, LEAD_ID, VISITOR, traces_in_files, traces_in_tables

OTHER_ROW = {"segment": "demo", "lead_id": "0" * 32, "email": "keep.me@survivor.org"}


def _outputs(where) -> None:
    """A segment export in CSV and Parquet, a report, the truth file, naming the person."""
    seg = where.exports / "segments" / "demo"
    seg.mkdir(parents=True)
    rows = [{"segment": "demo", "lead_id": LEAD_ID, "email": ADDRESS}, OTHER_ROW]
    with open(seg / "2026-03-10.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    pq.write_table(pa.Table.from_pylist(rows), seg / "2026-03-11.parquet")
    con = open_duckdb(where.warehouse, read_only=True)
    try:
        report = build_report(con, where.reports, dt.date(2026, 3, 10))
    finally:
        con.close()
    page = report.index.read_text()
    report.index.write_text(page.replace("</body>", f"<p>{ADDRESS}</p></body>"))
    where.generated.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist([{"email": KEY, "p": 0.3},
                                         {"email": "keep.me@survivor.org", "p": 0.2}]),
                   where.truth)


def test_matcher_finds_every_spelling_and_nothing_else():
    person = people.Person(KEY, "h", LEAD_ID, {VISITOR})
    m = erase_files.Matcher([person])
    assert m.who('x,"  ZED.quixote+promo@erasable.IO ",y') == {"h"}
    assert m.who(f"lead {LEAD_ID}") == {"h"} and m.who(f"a={VISITOR}&b") == {"h"}
    assert m.who("anon-zq-70 other.quixote@erasable.io") == set()


def test_files_are_rewritten_and_the_ledger_follows(with_person, capsys):
    where = with_person
    _outputs(where)
    assert traces_in_files(where.data, skip=("privacy",))
    assert main(["forget", ADDRESS]) == 0
    out = capsys.readouterr().out
    assert "complete: yes" in out and "inbox/crm_deals/zq_deals.csv" in out

    assert traces_in_files(where.data, skip=("privacy",)) == []
    kept = (where.exports / "segments" / "demo" / "2026-03-10.csv").read_text()
    assert "keep.me@survivor.org" in kept
    assert pq.read_table(where.exports / "segments" / "demo" / "2026-03-11.parquet"
                         ).num_rows == 1
    assert pq.read_table(where.truth).num_rows == 1
    assert "keep.me@survivor.org" in (where.inbox / "forms" / "zq_forms.csv").read_text()
    deals = where.inbox / "crm_deals" / "zq_deals.csv"
    assert gzip.decompress(deals.read_bytes()).decode().count("\n") == 1  # header only
    assert (where.reports / "2026-03-10" / "index.html").exists()

    con = open_duckdb(where.warehouse)
    try:
        assert traces_in_tables(con) == []
        for src in SOURCES.values():  # the rewritten files are not new files
            assert ingest_source(con, src, where.inbox).files == []
    finally:
        con.close()


def test_erased_rows_leave_no_bytes_in_the_warehouse_file(with_person):
    where = with_person
    assert main(["forget", ADDRESS]) == 0
    data = where.warehouse.read_bytes()
    for needle in (b"quixote", b"erasable", LEAD_ID.encode(), VISITOR.encode()):
        assert needle not in data.lower()
