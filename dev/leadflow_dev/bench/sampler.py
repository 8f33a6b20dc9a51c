"""The memory of a process tree and the machine's load, sampled while a phase runs.

A daily run is one Python process that starts dbt as child processes: its peak memory is
the sum of the resident sets of the whole tree at one moment, which no single process's
``ru_maxrss`` gives. The sampler reads ``/proc`` (Linux) from a thread of the benchmark's
parent every ``every`` seconds: the root process, its descendants, their summed RSS, and
the one-minute load average. Pure reading, no third-party module.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Sample:
    at: float  # time.time(), the clock Dagster's step records use
    rss_bytes: int  # summed over the tree
    processes: int
    load_1m: float


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (those that exist at the moment of reading)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:  # the task or process ended meanwhile
                continue
    return found


def rss_bytes(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):  # ended meanwhile
        return 0


def sample_tree(pid: int) -> Sample:
    tree = descendants(pid)
    return Sample(time.time(), sum(rss_bytes(p) for p in tree), len(tree), os.getloadavg()[0])


class TreeSampler:
    """``with TreeSampler(pid) as s: ...`` then ``s.samples``; one sample at the start and one
    at the end at least."""

    def __init__(self, pid: int, every: float = 0.5):
        self.pid, self.every = pid, every
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tree-sampler", daemon=True)

    def _run(self) -> None:
        while True:
            self.samples.append(sample_tree(self.pid))
            if self._stop.wait(self.every):
                return

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def within(samples: list[Sample], windows: list[tuple[float, float]]) -> dict:
    """Peak tree RSS, its process count then, and the highest one-minute load in the time
    ``windows`` ((start, end) each); a window shorter than the sampling interval gets the
    sample nearest to it."""
    inside = []
    for start, end in windows:
        hits = [s for s in samples if start <= s.at <= end]
        if not hits and samples:
            hits = [min(samples, key=lambda s: min(abs(s.at - start), abs(s.at - end)))]
        inside += hits
    if not inside:
        return {"peak_rss_bytes": None, "processes_at_peak": None, "max_load_1m": None}
    peak = max(inside, key=lambda s: s.rss_bytes)
    return {"peak_rss_bytes": peak.rss_bytes, "processes_at_peak": peak.processes,
            "max_load_1m": max(s.load_1m for s in inside)}
