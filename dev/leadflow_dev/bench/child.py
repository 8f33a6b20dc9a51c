"""Running one benchmark phase in a child process of its own.

Each phase (generate, ingest, bare, profile, the dbt tasks) runs as
``python -m leadflow_dev.bench.child`` so its peak resident memory is its own: the parent
waits for it with ``os.wait4``, whose resource usage is that one child's (``ru_maxrss``,
the same figure ``/usr/bin/time`` prints), not the maximum over every child so far as
``RUSAGE_CHILDREN`` would give. The parent stays small (no DuckDB or Dagster imported),
because a child's ``ru_maxrss`` also counts the parent's memory it was started from.

Parameters go to the child, and its result comes back, as JSON files in a scratch folder;
the child's stderr is the parent's, so its progress lines show as they happen.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import subprocess
import sys
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from leadflow_dev.bench.sampler import Sample, TreeSampler
from pipelines.project import PROJECT_ROOT

# task name -> "module:function"; each function takes the JSON parameters as keywords
# and returns a JSON-able dict
TASKS = {
    "generate": "leadflow_dev.bench.generate:run_task",
    "ingest": "leadflow_dev.bench.ingest:run_task",
    "bare": "leadflow_dev.bench.baseline:run_task",
    "profile": "leadflow_dev.bench.profile:run_task",
    "dbt_prepare": "leadflow_dev.bench.dbt_tasks:prepare_task",
    "dbt_release_day": "leadflow_dev.bench.dbt_tasks:release_day_task",
    "dbt_direct": "leadflow_dev.bench.dbt_tasks:direct_task",
    "dbt_floors": "leadflow_dev.bench.floors:floors_task",
    "ml_prepare": "leadflow_dev.bench.ml:prepare_task",
    "ml_train": "leadflow_dev.bench.ml:train_task",
    "ml_score": "leadflow_dev.bench.ml:score_task",
    "first_run": "leadflow_dev.bench.first_run:first_run_task",
}


class PhaseFailed(RuntimeError):
    """A child process of the benchmark exited with an error."""


@dataclass(frozen=True)
class ChildRun:
    result: dict
    peak_rss_bytes: int
    seconds: float  # the child's whole life, interpreter start-up included
    samples: list[Sample] = field(default_factory=list)  # its tree's RSS, when asked for


def run_in_child(task: str, params: dict, scratch: Path,
                 sample_every: float | None = None) -> ChildRun:
    """Run ``task`` with ``params`` in a fresh interpreter; return its result and peak RSS,
    and with ``sample_every`` the RSS of its whole process tree and the load over time."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}")
    scratch.mkdir(parents=True, exist_ok=True)
    params_file, result_file = scratch / f"{task}.params.json", scratch / f"{task}.result.json"
    params_file.write_text(json.dumps(params))
    result_file.unlink(missing_ok=True)
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "leadflow_dev.bench.child", task, str(params_file),
         str(result_file)],
        cwd=PROJECT_ROOT,
    )
    sampler = TreeSampler(proc.pid, sample_every) if sample_every else None
    try:
        with sampler or nullcontext():
            _, status, usage = os.wait4(proc.pid, 0)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    if proc.returncode != 0:
        raise PhaseFailed(f"the {task} phase failed (exit code {proc.returncode}; see above)")
    result = json.loads(result_file.read_text())
    params_file.unlink()
    result_file.unlink()
    return ChildRun(result, usage.ru_maxrss * 1024, seconds,  # ru_maxrss is in KiB on Linux
                    sampler.samples if sampler else [])


def main(argv: list[str]) -> int:
    task, params_file, result_file = argv
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="    %(message)s")
    logging.getLogger("pipelines.ingest").setLevel(logging.WARNING)  # one line per file
    logging.getLogger("alembic").setLevel(logging.WARNING)  # Dagster's storage set-up
    module, func = TASKS[task].split(":")
    run = getattr(importlib.import_module(module), func)
    result = run(**json.loads(Path(params_file).read_text()))
    Path(result_file).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
