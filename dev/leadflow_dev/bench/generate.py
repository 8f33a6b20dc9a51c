"""Phase: generating a scale's inbox with ``leadflow_dev.generator.generate``, timed."""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path

log = logging.getLogger(__name__)


class _Progress:
    """Generator progress as a log line at most every ``every`` seconds."""

    def __init__(self, every: float = 10.0):
        self.every, self.last = every, time.monotonic()

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            log.info("generate: %s %s / %s", stage, f"{done:,}", f"{total:,}")


def run_task(inbox: str, truth: str, leads: int, days: int, seed: int, end_date: str) -> dict:
    from leadflow_dev.generator import generate

    started = time.perf_counter()
    summary = generate(Path(inbox), Path(truth), leads=leads, days=days, seed=seed,
                       end_date=dt.date.fromisoformat(end_date), progress=_Progress())
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "generator_seconds": summary.seconds,
            "rows": dict(summary.rows), "files": dict(summary.files),
            "dirt": dict(getattr(summary, "dirt", {}))}
