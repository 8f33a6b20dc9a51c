"""The first build end to end: `leadflow run` on the scale's inbox into a fresh data directory.

What a new user at this scale waits for the first time: the daily job as the command line
runs it (ingestion, the three dbt builds, scoring, activation, the report), generation
excluded. The run happens in a child process (``first_run_task``) while the parent samples
the RSS of the child's whole process tree (dbt runs in processes of its own) and the load
(sampler.py); each phase's time comes from the run's own Dagster step records, and its peak
memory and load from the samples taken meanwhile.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from leadflow_dev.bench.child import run_in_child
from leadflow_dev.bench.sampler import Sample, within

log = logging.getLogger(__name__)

SAMPLE_EVERY = 0.5  # seconds


def phase_spans(step_stats: list[dict], phases: dict[str, str]) -> list[dict]:
    """Steps' start and end -> per phase, in the order the phases began: its seconds (the
    sum of its steps': the daily job runs one step at a time), first start, last end, each
    step's window (for the memory sampled during it), and the steps that did not succeed."""
    spans: dict[str, dict] = {}
    for step in sorted(step_stats, key=lambda s: s["start"] or float("inf")):
        if step["start"] is None:  # skipped: never started
            continue
        end = step["end"] or step["start"]
        name = phases.get(step["step"], "other")
        span = spans.setdefault(name, {"phase": name, "start": step["start"], "end": end,
                                       "seconds": 0.0, "steps": 0, "windows": [],
                                       "failed": []})
        span["end"] = max(span["end"], end)
        span["seconds"] += end - step["start"]
        span["steps"] += 1
        span["windows"].append((step["start"], end))
        if step["status"] != "SUCCESS":
            span["failed"].append(step["step"])
    return list(spans.values())


def first_run_task(inbox: str, data_dir: str) -> dict:
    """Child: `leadflow run` with ``data_dir`` as the data directory reading ``inbox``."""
    os.environ["LEADFLOW_DATA_DIR"] = data_dir
    os.environ["LEADFLOW_INBOX"] = inbox
    for name in ("LEADFLOW_WAREHOUSE", "LEADFLOW_DAGSTER_STORAGE", "LEADFLOW_DAGSTER_COMPUTE_LOGS"):
        os.environ.pop(name, None)
    from pipelines.cli import main
    from pipelines.cli.common import CliError
    from pipelines.project import paths

    try:
        code = main(["run", "--log-level", "ERROR"])
        error = None
    except CliError as exc:  # a failed run: its phases are still worth reading
        code, error = 1, str(exc)
    return run_record(paths(), code, error)


def run_record(where, code: int, error: str | None) -> dict:
    """The latest run of ``where``'s Dagster instance: its time and its steps per phase."""
    from pipelines.cli.run_progress import step_phases
    from pipelines.definitions import build_definitions
    from pipelines.instance import get_instance
    from pipelines.status import run_seconds

    instance = get_instance(where)
    [record] = instance.get_run_records(limit=1)
    stats = [{"step": s.step_key, "start": s.start_time, "end": s.end_time,
              "status": s.status.value if s.status else None}
             for s in instance.get_run_step_stats(record.dagster_run.run_id)]
    phases = {step: phase
              for step, (phase, _) in step_phases(build_definitions(), checks=True).items()}
    return {"exit_code": code, "error": error, "status": record.dagster_run.status.value,
            "run_start": record.start_time, "run_end": record.end_time,
            "run_seconds": run_seconds(record), "phases": phase_spans(stats, phases)}


def with_samples(result: dict, samples: list[Sample], child_seconds: float,
                 child_peak_rss: int) -> dict:
    """The child's run record with each phase's peak memory and load, and the whole run's."""
    phases = [{**p, **within(samples, p["windows"])} for p in result["phases"]]
    whole = within(samples, [(float("-inf"), float("inf"))])
    return {**result, "phases": phases, "child_seconds": child_seconds,
            "peak_rss_bytes": whole["peak_rss_bytes"], "max_load_1m": whole["max_load_1m"],
            "largest_process_rss_bytes": child_peak_rss, "samples": len(samples)}


def run_first_build(workdir: Path, inbox: Path, scratch: Path, keep: bool = False) -> dict:
    """Time `leadflow run` on ``inbox`` into a fresh ``workdir/first_run/data``."""
    data = workdir / "first_run" / "data"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    log.info("first build: leadflow run on %s into a fresh %s", inbox, data)
    load_before = os.getloadavg()[0]
    run = run_in_child("first_run", {"inbox": str(inbox), "data_dir": str(data)}, scratch,
                       sample_every=SAMPLE_EVERY)
    result = with_samples(run.result, run.samples, run.seconds, run.peak_rss_bytes)
    result["load_1m_at_start"] = load_before
    for p in result["phases"]:
        log.info("first build %-10s %8.1f s   peak RSS %6.0f MiB   load %4.1f", p["phase"],
                 p["seconds"], (p["peak_rss_bytes"] or 0) / 2**20, p["max_load_1m"] or 0)
    log.info("first build: %s in %.1f s (run), peak RSS of the run's processes %.2f GiB",
             result["status"], result["run_seconds"] or 0, (result["peak_rss_bytes"] or 0) / 2**30)
    if not keep:
        shutil.rmtree(data.parent, ignore_errors=True)
    return result
