"""Phase (``--profile``): where ingestion time goes, measured from outside the library.

In this child process only, functions of ``pipelines.ingest`` are replaced by timed
wrappers and the connection handed to ``ingest_source`` is a proxy that times every SQL
statement under a label saying what it does. Times are exclusive (a wrapped function's
time leaves out the wrapped calls and statements inside it), so a source's phases add up
to its total; ``sha256`` runs on another thread meanwhile and is shown apart. Files are
staged one after the other here (not one ahead on a second connection, as ingestion does),
so that every statement is timed on one thread.
"""

from __future__ import annotations

import functools
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from leadflow_dev.bench.ingest import measure_ingest
from pipelines.ingest import loader, readers

OVERLAPPED = "sha256 of the file (other thread, overlapped)"
REMAINDER = "ingest_source: listing, stat, Python"

# (pattern over the statement, label); the first match wins, so the statements named by
# their start come before those found by a table they mention
SQL_LABELS = [
    (r"^INSERT INTO raw\._quarantine", "reasons + insert raw._quarantine"),
    (r"^INSERT INTO raw\.\w+ BY NAME", "validate + type + insert raw.<source>"),
    (r"^DROP TABLE IF EXISTS", "drop temp tables"),
    (r"^CHECKPOINT", "checkpoint"),
    (r"^CREATE (SCHEMA|TABLE) IF NOT EXISTS", "schema DDL"),
    (r"_schema_drift|^ALTER TABLE", "schema drift"),
    (r"raw\._files", "file ledger"),
    (r"information_schema|^SELECT \* FROM raw\.\S+ LIMIT 0", "catalog lookups"),
    (r"^CREATE (TEMP )?TABLE [\w.]*_read AS .*read_csv\(", "CSV: parse -> _read"),
    (r"^CREATE (TEMP )?TABLE [\w.]*_lines", "JSONL: lines -> _lines"),
    (r"^SELECT DISTINCT k FROM", "JSONL: collect keys"),
    (r"^CREATE (TEMP )?TABLE [\w.]*_read AS .*json_extract", "JSONL: parse lines -> _read"),
    (r"^CREATE (TEMP )?TABLE [\w.]*_read AS .*read_parquet\(", "Parquet: read -> _read"),
    (r"^DESCRIBE ", "Parquet: schema"),
    (r"_malformed|_gaps|_rej", "parser rejects: bookkeeping"),
    (r"^SELECT count\(\*\), sum\(hash\(", "content fingerprint"),
]
# (module, function, label) of the Python steps timed
FUNCTIONS = [
    (loader, "ingest_file", "ingest_file: Python, waiting for sha256"),
    (loader, "detect", "sniff format + header (Python)"),
    (readers, "csv_columns", "sniff format + header (Python)"),
    (loader, "_stage", "stage: Python, gunzip of Parquet"),
    (readers, "read_csv", "readers: Python"),
    (readers, "read_jsonl", "readers: Python"),
    (readers, "read_parquet", "readers: Python"),
    (loader, "_load_rows", "load rows: Python"),
    (loader, "_quarantine_file", "quarantine whole file"),
]


def sql_label(sql: str) -> str:
    text = " ".join(sql.split())
    for pattern, label in SQL_LABELS:
        if re.search(pattern, text, re.IGNORECASE | re.DOTALL):
            return label
    return "other SQL"


class Clock:
    """Exclusive time per label on the main thread; plain sums for other threads."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._stack: list[list] = []  # [label, seconds of timed calls inside]
        self._lock = threading.Lock()

    @contextmanager
    def phase(self, label: str) -> Iterator[None]:
        frame = [label, 0.0]
        self._stack.append(frame)
        started = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - started
            self._stack.pop()
            self.seconds[label] += elapsed - frame[1]
            self.calls[label] += 1
            if self._stack:
                self._stack[-1][1] += elapsed

    def add(self, label: str, seconds: float) -> None:
        with self._lock:
            self.seconds[label] += seconds
            self.calls[label] += 1

    def take(self) -> tuple[dict[str, float], dict[str, int]]:
        with self._lock:
            taken = dict(self.seconds), dict(self.calls)
            self.seconds.clear()
            self.calls.clear()
        return taken


class TimedConnection:
    """Stands in for a DuckDB connection; times ``execute`` and ``commit``."""

    def __init__(self, con, clock: Clock) -> None:
        self._con, self._clock = con, clock

    def execute(self, sql: str, *args, **kwargs):
        with self._clock.phase(sql_label(sql)):
            return self._con.execute(sql, *args, **kwargs)

    def commit(self):
        with self._clock.phase("commit"):
            return self._con.commit()

    def __getattr__(self, name: str):
        return getattr(self._con, name)


def _timed(original, label: str, clock: Clock):
    @functools.wraps(original)
    def timed(*args, **kwargs):
        with clock.phase(label):
            return original(*args, **kwargs)

    return timed


def _timed_other_thread(original, label: str, clock: Clock):
    @functools.wraps(original)
    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            clock.add(label, time.perf_counter() - started)

    return timed


def install(clock: Clock) -> Callable[[], None]:
    """Replace the timed functions of ``pipelines.ingest``; return what puts them back."""
    originals = [(module, name, getattr(module, name)) for module, name, _ in FUNCTIONS]
    originals.append((loader, "sha256_of", loader.sha256_of))
    for module, name, label in FUNCTIONS:
        setattr(module, name, _timed(getattr(module, name), label, clock))
    loader.sha256_of = _timed_other_thread(loader.sha256_of, OVERLAPPED, clock)

    def restore() -> None:
        for module, name, original in originals:
            setattr(module, name, original)

    return restore


def profile_ingest(inbox: Path, db: Path, temp_dir: Path,
                   sources: list[str] | None = None) -> dict:
    """One ingestion of ``inbox`` with the phases of each source timed."""
    clock = Clock()
    restore = install(clock)
    stage_ahead, loader.STAGE_AHEAD = loader.STAGE_AHEAD, False  # every statement on one thread
    profiled: dict[str, dict] = {}

    def after_source(name: str, figures: dict) -> None:
        seconds, calls = clock.take()
        overlapped = seconds.pop(OVERLAPPED, 0.0)
        calls.pop(OVERLAPPED, None)
        seconds[REMAINDER] = figures["seconds"] - sum(seconds.values())
        ranked = sorted(seconds.items(), key=lambda kv: kv[1], reverse=True)
        profiled[name] = {"seconds": figures["seconds"], "rows": figures["rows"],
                          "phases": [{"phase": label, "seconds": s, "calls": calls.get(label, 1)}
                                     for label, s in ranked],
                          "overlapped_sha256_seconds": overlapped}

    try:
        measure_ingest(inbox, db, temp_dir, sources,
                       wrap=lambda con: TimedConnection(con, clock), after_source=after_source)
    finally:
        restore()
        loader.STAGE_AHEAD = stage_ahead
    return {"sources": profiled}


def run_task(inbox: str, db: str, temp_dir: str, sources: list[str] | None = None) -> dict:
    return profile_ingest(Path(inbox), Path(db), Path(temp_dir), sources)
