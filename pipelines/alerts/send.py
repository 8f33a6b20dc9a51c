"""One evaluation of the alerts (the sensor's tick, `leadflow alerts send`): record the
alerts of activation.lead_alerts not seen before, then deliver what is pending to each
configured destination, one message per team. Nothing configured: nothing is read,
recorded or sent. A destination that fails is logged in one line and its alerts stay
pending for the next evaluation; delivered alerts are never sent there again."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import duckdb

from pipelines.alerts import delivery, ledger
from pipelines.alerts.config import AlertSettings
from pipelines.alerts.messages import team_label, team_messages

# per destination and evaluation: a first evaluation over a long backlog stays within the
# sensor's tick time and a webhook's rate limit (Slack: about one message a second); the
# rest goes at the next ticks
MAX_MESSAGES = 20
COLUMNS = ("alert_id", "alert", "lead_id", "team", "owner", "queue", "tier", "sla_hours",
           "handed_at", "sla_due_at", "is_untouched", "hours_since_handoff", "hours_over_sla",
           "as_of")


def read_alerts(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every alert of activation.lead_alerts (none before the first build), JSON-ready."""
    try:
        rows = con.execute(f"SELECT {', '.join(COLUMNS)} FROM activation.lead_alerts "
                           "ORDER BY alert_id").fetchall()
    except duckdb.CatalogException:
        return []
    return [{c: _plain(v) for c, v in zip(COLUMNS, row, strict=True)} for row in rows]


def read_while_idle(warehouse) -> list[dict] | None:
    """activation.lead_alerts' rows through a WarehouseResource (pipelines/resources.py),
    read-only and only while no run writes the warehouse (then None); none without a
    warehouse file."""
    if not warehouse.file.exists():
        return []
    with warehouse.read_while_idle() as con:
        return None if con is None else read_alerts(con)


def _plain(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


@dataclass
class Outcome:
    configured: list[str]
    detected: int = 0
    warehouse_busy: bool = False
    sent: dict[str, tuple[int, int]] = field(default_factory=dict)  # -> (messages, alerts)
    failed: dict[str, str] = field(default_factory=dict)
    pending: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        if not self.configured:
            return "no alert destination configured: nothing sent"
        parts = [f"{self.detected} new alert{'s' * (self.detected != 1)}"]
        if self.warehouse_busy:
            parts[0] += " (a run writes the warehouse: new alerts are looked for after it)"
        for dest in self.configured:
            messages, alerts = self.sent.get(dest, (0, 0))
            text = f"{dest}: {messages} message{'s' * (messages != 1)} ({alerts} alerts)"
            if dest in self.failed:
                text += f", failed: {self.failed[dest]}, {self.pending[dest]} pending"
            elif self.pending.get(dest):
                text += f", {self.pending[dest]} pending for the next tick"
            parts.append(text)
        return "; ".join(parts)


def evaluate(settings: AlertSettings, read: Callable[[], list[dict] | None], now: dt.datetime,
             log: logging.Logger | None = None, *, baseline: bool = False) -> Outcome:
    """Detect and deliver. ``read`` gives activation.lead_alerts' rows, or None while the
    warehouse cannot be read (a run writes it): then only what is pending is delivered.
    ``baseline``: record the alerts not seen before as known, for no destination, and send
    nothing (`leadflow alerts baseline`). Raises ledger.LedgerBusy while another evaluation
    runs."""
    log = log or logging.getLogger(__name__)
    outcome = Outcome(configured=[] if baseline else settings.destinations)
    if not (settings.destinations or baseline):
        return outcome
    with ledger.hold(settings.ledger):
        book = ledger.Ledger.read(settings.ledger)
        rows = read()
        if rows is None:
            outcome.warehouse_busy = True
        else:
            new = [r for r in rows if r["alert_id"] not in book.detected]
            book.append({"event": "detected", **r, "detected_at": now.isoformat(),
                         "to": outcome.configured} for r in new)
            outcome.detected = len(new)
        for destination in outcome.configured:
            _deliver(settings, book, destination, now, outcome, log)
    return outcome


def _deliver(settings: AlertSettings, book: ledger.Ledger, destination: str, now: dt.datetime,
             outcome: Outcome, log: logging.Logger) -> None:
    pending = book.pending(destination)
    by_team: dict[str | None, list[dict]] = {}
    for alert in pending:
        by_team.setdefault(alert["team"], []).append(alert)
    messages = sent = 0
    for team in sorted(by_team, key=lambda t: (t is None, t or "")):
        for alert_ids, payload in team_messages(team, by_team[team]):
            if messages == MAX_MESSAGES:
                outcome.pending[destination] = len(pending) - sent
                outcome.sent[destination] = (messages, sent)
                return
            try:
                if destination == "webhook":
                    delivery.post(settings.webhook_url, payload, settings.timeout_seconds)
                else:
                    delivery.append_line(settings.file, payload, team=team,
                                         alert_ids=alert_ids, sent_at=now)
            except delivery.DeliveryFailed as exc:
                outcome.failed[destination] = str(exc)
                outcome.pending[destination] = len(pending) - sent
                log.warning("alerts: %s failed for team %s (%s): %d alerts pending, retried at "
                            "the next evaluation", settings.describe(destination),
                            team_label(team), exc, len(pending) - sent)
                outcome.sent[destination] = (messages, sent)
                return
            lead_of = {a["alert_id"]: a["lead_id"] for a in by_team[team]}
            book.append({"event": "delivered", "alert_id": alert_id, "lead_id": lead_of[alert_id],
                         "destination": destination, "delivered_at": now.isoformat()}
                        for alert_id in alert_ids)
            messages += 1
            sent += len(alert_ids)
    outcome.sent[destination] = (messages, sent)
