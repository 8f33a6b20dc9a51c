"""The benchmark's measuring and reporting, on a handful of small hand-written files.

No generator and no timing assertions: only that every phase measures what it should,
that the results have their structure, and that a ratio is ingestion time / bare time.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leadflow_dev.bench.baseline import measure_bare, reader_sql
from leadflow_dev.bench.child import run_in_child
from leadflow_dev.bench.ingest import measure_ingest
from leadflow_dev.bench.profile import profile_ingest, sql_label
from leadflow_dev.bench.results import median_seconds, summarise
from leadflow_dev.bench.run import BenchConfig, prepare_data
from leadflow_dev.bench.scales import SCALES
from leadflow_dev.bench.summary import render
from tests.inbox_files import form, web_event, write_rows, write_text

SOURCES = ["forms", "web"]


@pytest.fixture
def small_inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    write_rows(inbox / "forms" / "a.csv", [form(i) for i in range(10)]
               + [form(10, email="not-an-email")], "csv")
    write_rows(inbox / "forms" / "b.jsonl.gz", [form(i) for i in range(20, 25)], "jsonl", True)
    write_rows(inbox / "web" / "c.parquet", [web_event(i) for i in range(8)], "parquet")
    write_text(inbox / "web" / "d.jsonl", json.dumps(web_event(99)) + "\n{broken\n")
    gz = write_rows(inbox / "web" / "e.jsonl.gz", [web_event(i) for i in range(50)], "jsonl", True)
    gz.write_bytes(gz.read_bytes()[:40])  # truncated: neither side can read it
    return inbox


def _runs(measured: dict, peak: int = 100 * 2**20) -> dict:
    return {"rep": 1, **measured, "peak_rss_bytes": peak}


def test_both_sides_measure_every_source(small_inbox, tmp_path):
    ingest = measure_ingest(small_inbox, tmp_path / "w.duckdb", tmp_path / "tmp", SOURCES)
    bare = measure_bare(small_inbox, tmp_path / "b.duckdb", tmp_path / "tmp", SOURCES)

    forms, web = ingest["sources"]["forms"], ingest["sources"]["web"]
    assert (forms["files"], forms["rows"], forms["rows_quarantined"]) == (2, 16, 1)
    assert (web["files"], web["files_quarantined"]) == (3, 1)
    assert bare["sources"]["forms"]["rows"] == 16
    assert bare["sources"]["web"]["files_failed"] == 1
    assert bare["sources"]["web"]["failures"][0].startswith("web/e.jsonl.gz: ")
    for side in (ingest, bare):
        assert side["db_bytes"] > 0
        assert all(s["seconds"] > 0 for s in side["sources"].values())


def test_the_bare_read_picks_duckdbs_reader_by_name():
    assert reader_sql(Path("x/a.csv.gz")) == "read_csv('x/a.csv.gz', ignore_errors = true)"
    assert reader_sql(Path("x/a.JSONL")).startswith("read_json(")
    assert reader_sql(Path("x/a.parquet.gz")) == "read_parquet('x/a.parquet.gz')"


def test_ratios_are_ingest_over_bare_medians(small_inbox, tmp_path):
    ingest = [_runs(measure_ingest(small_inbox, tmp_path / f"w{i}.duckdb", tmp_path / "tmp",
                                   SOURCES)) for i in range(3)]
    bare = [_runs(measure_bare(small_inbox, tmp_path / f"b{i}.duckdb", tmp_path / "tmp",
                               SOURCES)) for i in range(3)]
    meta = {"scale": {"name": "S", **SCALES["S"].generator_params()}, "repeat": 3,
            "workdir": str(tmp_path), "environment": {
                "cpus": 2, "memory_bytes": 2**34, "duckdb": "x", "python": "3",
                "load_average_at_start": [0.5, 0, 0], "load_average_at_end": [0.7, 0, 0]}}
    generator = {"reused": True, "generated_at": "then", "seconds": 1.5,
                 "rows": {"forms": 16, "web": 59}, "files": {"forms": 2, "web": 3},
                 "peak_rss_bytes": 2**28, "inbox_files": 5, "inbox_bytes": 4096}

    results = json.loads(json.dumps(summarise(meta, generator, ingest, bare)))

    ing_median, bare_median = median_seconds(ingest), median_seconds(bare)
    for name in SOURCES:
        row = results["sources"][name]
        assert row["ingest_seconds"] == ing_median[name]
        assert row["bare_seconds"] == bare_median[name]
        assert row["ratio"] == pytest.approx(ing_median[name] / bare_median[name])
    assert results["total"]["ratio"] == pytest.approx(ing_median["total"] / bare_median["total"])
    assert results["total"]["rows"] == 16 + 8 + 2  # the broken JSON line is read, quarantined
    assert [t["target"] for t in results["targets"]] == [
        "ingest / bare read, forms", "ingest / bare read, web", "ingest / bare read, total",
        "ingestion peak RSS", "generator peak RSS"]
    assert [t["note"] for t in results["targets"][:3]] == \
        ["the target is set for scales M and L"] * 3  # at S fixed costs dominate
    assert results["targets"][3]["passed"] is True
    text = render(results)
    assert "forms" in text and "ratio" in text and ("PASS" in text or "FAIL" in text)


def test_medians_per_source_and_of_totals():
    runs = [{"sources": {"a": {"seconds": a}, "b": {"seconds": b}}}
            for a, b in [(3.0, 1.0), (1.0, 9.0), (2.0, 2.0)]]
    assert median_seconds(runs) == {"a": 2.0, "b": 2.0, "total": 4.0}


def test_profile_phases_add_up_to_each_source(small_inbox, tmp_path):
    profiled = profile_ingest(small_inbox, tmp_path / "p.duckdb", tmp_path / "tmp", SOURCES)

    for name in SOURCES:
        p = profiled["sources"][name]
        assert sum(ph["seconds"] for ph in p["phases"]) == pytest.approx(p["seconds"])
    labels = {ph["phase"] for ph in profiled["sources"]["forms"]["phases"]}
    assert {"CSV: parse -> _read", "validate + type + insert raw.<source>"} <= labels
    quarantine = "INSERT INTO raw._quarantine SELECT * FROM _read UNION SELECT * FROM _malformed"
    assert sql_label(quarantine) == "reasons + insert raw._quarantine"
    assert sql_label("DROP TABLE IF EXISTS temp._malformed") == "drop temp tables"


def test_a_phase_runs_in_a_child_and_reports_its_peak_memory(small_inbox, tmp_path):
    run = run_in_child("bare", {"inbox": str(small_inbox), "db": str(tmp_path / "c.duckdb"),
                                "temp_dir": str(tmp_path / "tmp"), "sources": ["forms"]},
                       tmp_path / "scratch")
    assert run.result["sources"]["forms"]["rows"] == 16
    assert run.peak_rss_bytes > 10 * 2**20


def test_generated_data_is_reused_when_complete(tmp_path, monkeypatch):
    cfg = BenchConfig(scale=SCALES["S"], workdir=tmp_path, repeat=1)
    cfg.inbox.mkdir()
    cfg.generated.write_text(json.dumps({
        "params": SCALES["S"].generator_params(), "generated_at": "earlier", "seconds": 2.0,
        "rows": {}, "files": {}, "peak_rss_bytes": 1}))
    monkeypatch.setattr("leadflow_dev.bench.run.run_in_child", pytest.fail)

    assert prepare_data(cfg)["reused"] is True
