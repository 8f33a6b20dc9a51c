"""The alert ledger: what was detected and what was delivered where, one JSON line per
event, in <data>/alerts/ledger.jsonl.

- ``detected``: an alert of activation.lead_alerts seen for the first time, with the
  figures the message shows and the destinations configured then (``to``). It is the
  outbox: delivery reads it, not the warehouse, so an alert whose lead has closed since,
  or one found while a run now writes the warehouse, still goes out.
- ``delivered``: one message carrying the alert reached one destination (webhook: a 2xx
  answer; file: the line written and synced).

An alert is pending for a destination of its ``to`` until delivered there, so a failed
POST is retried at the next evaluation, and an alert is never detected twice. Why a file
of its own and not a warehouse table or the sensor's cursor: docs/alerts.md. Appends are
whole lines, flushed and synced; a line torn by a crash is skipped (and reported) on
reading. The lock file beside it keeps two evaluations (the sensor, `leadflow alerts
send`) from running at once.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)


class LedgerBusy(RuntimeError):
    """Another evaluation holds the ledger."""


@contextmanager
def hold(path: Path) -> Iterator[None]:
    """The ledger's lock for the duration, or :class:`LedgerBusy` at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LedgerBusy(f"another alert evaluation holds {path}") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class Ledger:
    path: Path
    detected: dict[str, dict] = field(default_factory=dict)  # alert_id -> detected record
    delivered: dict[str, set[str]] = field(default_factory=dict)  # alert_id -> destinations
    torn_lines: int = 0

    @classmethod
    def read(cls, path: Path) -> Ledger:
        ledger = cls(path)
        if not path.exists():
            return ledger
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    ledger._take(record)
                except (ValueError, KeyError, TypeError):
                    ledger.torn_lines += 1
                    log.warning("alert ledger %s line %d is not a ledger record: skipped",
                                path, number)
        return ledger

    def _take(self, record: dict) -> None:
        alert_id = record["alert_id"]
        if record["event"] == "detected":
            self.detected.setdefault(alert_id, record)
        elif record["event"] == "delivered":
            self.delivered.setdefault(alert_id, set()).add(record["destination"])
        else:
            raise ValueError(record["event"])

    def pending(self, destination: str) -> list[dict]:
        """Detected alerts meant for ``destination`` and not delivered there, in the order
        they were detected."""
        return [r for alert_id, r in self.detected.items()
                if destination in r["to"] and destination not in self.delivered.get(alert_id, ())]

    def append(self, records: Iterable[dict]) -> None:
        """Append records as whole lines, synced; recorded in memory too."""
        records = list(records)
        if not records:
            return
        text = "".join(json.dumps(r, sort_keys=True, default=str) + "\n" for r in records)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a+b") as handle:
            handle.seek(0, os.SEEK_END)
            if handle.tell():  # a line torn by a crash must not swallow the next one
                handle.seek(-1, os.SEEK_END)
                if handle.read(1) != b"\n":
                    text = "\n" + text
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        for record in records:
            self._take(record)
