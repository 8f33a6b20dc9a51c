"""The benchmark's first build end to end: a process tree's memory sampled, the daily job's
steps grouped into phases, each phase given the memory and load sampled meanwhile, its
targets and its table. A real daily run's records come from the shared sample run."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap

import pytest

from leadflow_dev.bench.first_run import phase_spans, run_record, with_samples
from leadflow_dev.bench.results import first_build_targets
from leadflow_dev.bench.sampler import Sample, TreeSampler, within
from leadflow_dev.bench.scales import FIRST_BUILD_RSS, FIRST_BUILD_SECONDS
from leadflow_dev.bench.summary import _first_build, _targets
from tests.data_dir import point_at

# a parent that starts a child holding 200 MiB, as a daily run starts dbt
TREE = textwrap.dedent("""
    import subprocess, sys
    child = subprocess.Popen([sys.executable, "-c",
        "import time; b = bytearray(200 * 2**20); b[::4096] = b'x' * len(b[::4096]); "
        "time.sleep(1.5)"])
    child.wait()
""")


def test_the_sampler_sums_the_memory_of_the_whole_tree():
    proc = subprocess.Popen([sys.executable, "-c", TREE])
    with TreeSampler(proc.pid, every=0.1) as sampler:
        proc.wait()
    peak = max(sampler.samples, key=lambda s: s.rss_bytes)
    assert peak.processes == 2
    assert peak.rss_bytes > 200 * 2**20  # the child's 200 MiB and the parent's interpreter
    assert all(s.load_1m >= 0 for s in sampler.samples)


def _step(step, start, end, status="SUCCESS"):
    return {"step": step, "start": start, "end": end, "status": status}


def test_steps_become_phases_in_the_order_they_began():
    phases = {"ingest_forms": "ingest", "ingest_web": "ingest", "dbt_1": "dbt 1/2",
              "score": "scoring", "dbt_2": "dbt 2/2", "check_web": "ingest"}
    spans = phase_spans([
        _step("dbt_1", 30.0, 90.0), _step("ingest_web", 12.0, 20.0),
        _step("ingest_forms", 10.0, 12.0), _step("score", 90.0, 95.0, "FAILURE"),
        _step("dbt_2", None, None, None),  # skipped after the failure: never started
        _step("housekeeping", 95.0, 96.0), _step("check_web", 96.0, 99.0),
    ], phases)
    assert [(s["phase"], s["start"], s["end"], s["seconds"], s["steps"], s["failed"])
            for s in spans] == [
        ("ingest", 10.0, 99.0, 13.0, 3, []), ("dbt 1/2", 30.0, 90.0, 60.0, 1, []),
        ("scoring", 90.0, 95.0, 5.0, 1, ["score"]), ("other", 95.0, 96.0, 1.0, 1, [])]
    assert spans[0]["windows"] == [(10.0, 12.0), (12.0, 20.0), (96.0, 99.0)]


def test_each_phase_gets_the_peak_memory_and_load_sampled_during_its_steps():
    samples = [Sample(t, rss, n, load) for t, rss, n, load in
               [(10.0, 100, 1, 0.5), (20.0, 300, 1, 1.0), (40.0, 900, 3, 2.5),
                (60.0, 700, 3, 3.0), (95.0, 200, 1, 2.0)]]
    record = {"status": "SUCCESS", "error": None, "run_seconds": 86.0, "phases": [
        {"phase": "ingest", "windows": [(10.0, 30.0)], "seconds": 20.0, "failed": []},
        {"phase": "dbt 1/1", "windows": [(30.0, 50.0)], "seconds": 20.0, "failed": []},
        # between its two steps dbt held 700: not the activation's
        {"phase": "activation", "windows": [(55.0, 58.0), (62.0, 90.0)], "seconds": 31.0,
         "failed": []},
        {"phase": "report", "windows": [(93.0, 93.5)], "seconds": 0.5, "failed": []}]}
    first = with_samples(record, samples, child_seconds=99.0, child_peak_rss=800)
    got = [(p["phase"], p["peak_rss_bytes"], p["processes_at_peak"], p["max_load_1m"])
           for p in first["phases"]]
    # windows shorter than the interval get the sample nearest to them
    assert got == [("ingest", 300, 1, 1.0), ("dbt 1/1", 900, 3, 2.5),
                   ("activation", 700, 3, 3.0), ("report", 200, 1, 2.0)]
    assert (first["peak_rss_bytes"], first["max_load_1m"]) == (900, 3.0)
    assert first["largest_process_rss_bytes"] == 800 and first["samples"] == 5
    assert within([], [(0.0, 1.0)])["peak_rss_bytes"] is None


def test_the_first_builds_targets_and_table():
    first = {"status": "SUCCESS", "error": None, "run_seconds": 540.0, "child_seconds": 560.0,
             "peak_rss_bytes": 5 * 2**30, "max_load_1m": 2.4, "largest_process_rss_bytes": 2**30,
             "load_1m_at_start": 0.3, "samples": 9,
             "phases": [{"phase": "ingest", "seconds": 200.0, "peak_rss_bytes": 2**31,
                         "processes_at_peak": 1, "max_load_1m": 1.5, "failed": []}]}
    checks = first_build_targets("L", first)
    assert [(t["limit"], t["passed"], t["note"]) for t in checks] == [
        (FIRST_BUILD_SECONDS, True, None), (FIRST_BUILD_RSS, True, None)]
    assert first_build_targets("M", first)[0]["note"] == "the target is set for scale L"
    slow = first_build_targets("L", {**first, "run_seconds": 700.0})
    failed = first_build_targets("L", {**first, "status": "FAILURE", "error": "run x failed"})
    assert not slow[0]["passed"] and not failed[0]["passed"]
    assert failed[0]["note"] == "the run ended FAILURE: run x failed"
    text = "\n".join(_first_build(first) + _targets({"targets": checks}))
    assert "ingest" in text and "540.00" in text and "5.00 GiB" in text and "PASS" in text


@pytest.mark.e2e
def test_a_real_runs_records_give_every_phase(sample_run, tmp_path, monkeypatch):
    shutil.copytree(sample_run, tmp_path / "data")
    where = point_at(monkeypatch, tmp_path / "data")
    record = run_record(where, 0, None)
    assert record["status"] == "SUCCESS" and record["run_seconds"] > 0
    assert [p["phase"] for p in record["phases"]] == [
        "ingest", "dbt 1/3", "mart checks", "scoring", "dbt 2/3", "activation", "dbt 3/3",
        "report"]  # every step in a phase: no "other"
    assert all(p["seconds"] > 0 and not p["failed"] for p in record["phases"])
    assert sum(p["seconds"] for p in record["phases"]) <= record["run_seconds"]
