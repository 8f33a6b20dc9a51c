"""Delivering one message: a POST of its JSON to the webhook (stdlib urllib; a 2xx answer
is delivery), or one JSON line appended to the alert file (flushed and synced). A failure
is a :class:`DeliveryFailed` with a one-line reason; the caller keeps the alerts pending."""

from __future__ import annotations

import datetime as dt
import json
import os
import urllib.error
import urllib.request
from pathlib import Path

USER_AGENT = "leadflow-alerts"


class DeliveryFailed(RuntimeError):
    """The message did not reach its destination (one-line reason)."""


def post(url: str, payload: dict, timeout: float) -> None:
    body = json.dumps(payload).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read(1024)
            status = response.status
    except urllib.error.HTTPError as exc:
        raise DeliveryFailed(f"HTTP {exc.code} {exc.reason}") from None
    except TimeoutError:
        raise DeliveryFailed(f"no answer within {timeout:g} s") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise DeliveryFailed(f"no answer within {timeout:g} s") from None
        raise DeliveryFailed(f"cannot reach the webhook: {reason}") from None
    except (OSError, ValueError) as exc:  # connection reset mid-answer, bad URL...
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from None
    if not 200 <= status < 300:
        raise DeliveryFailed(f"HTTP {status}")


def append_line(path: Path, payload: dict, *, team: str | None, alert_ids: list[str],
                sent_at: dt.datetime) -> None:
    record = {"sent_at": sent_at.isoformat(), "team": team, "alert_ids": alert_ids, **payload}
    line = json.dumps(record, sort_keys=False) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise DeliveryFailed(f"cannot write {path}: {exc.strerror or exc}") from None
