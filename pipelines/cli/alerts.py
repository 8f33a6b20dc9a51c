"""`leadflow alerts list | send | baseline | test`: the lead alerts from the command line
(the sensor lead_alerts_sensor sends them under Dagster; docs/alerts.md). `list` reads the alert
ledger only; `send` is one evaluation, as a sensor tick; `baseline` records the alerts in
the warehouse as known without sending them; `test` sends a message naming no lead to each
configured destination and records nothing."""

from __future__ import annotations

import argparse
import datetime as dt
import logging

from pipelines.cli.common import CliError, positive_int

log = logging.getLogger("leadflow.alerts")


def _settings():
    from pipelines.alerts.config import AlertConfigError
    from pipelines.resources import AlertsResource

    try:
        return AlertsResource().settings()
    except AlertConfigError as exc:
        raise CliError(str(exc)) from None


def _require_destination(settings) -> None:
    if not settings.destinations:
        raise CliError("no alert destination configured: set LEADFLOW_ALERT_WEBHOOK_URL "
                       "and/or LEADFLOW_ALERT_FILE, or webhook_url / file in "
                       "<data>/alerts/config.toml (docs/alerts.md)")


def cmd_alerts_list(args: argparse.Namespace) -> int:
    from pipelines.alerts.ledger import Ledger

    settings = _settings()
    book = Ledger.read(settings.ledger)
    if not book.detected:
        print(f"no alert recorded yet ({settings.ledger})")
        return 0
    rows = list(book.detected.values())
    if args.pending:
        rows = [r for r in rows if set(r["to"]) - book.delivered.get(r["alert_id"], set())]
    shown = rows[-args.limit:]
    print(f"{'detected (UTC)':<17} {'alert':<16}{'team':<12}{'tier':<9}{'lead_id':<34}"
          f"{'h over SLA':>10}  delivered")
    for r in shown:
        done = book.delivered.get(r["alert_id"], set())
        state = (", ".join(f"{d}" if d in done else f"{d} pending" for d in r["to"])
                 or "known before alerts were on (baseline): not sent")
        detected = dt.datetime.fromisoformat(r["detected_at"]).strftime("%Y-%m-%d %H:%M")
        over = r.get("hours_over_sla")
        print(f"{detected:<17} {r['alert']:<16}{r['team'] or '-':<12}{r['tier']:<9}"
              f"{r['lead_id']:<34}{'-' if over is None else f'{over:.1f}':>10}  {state}")
    pending = sum(bool(set(r["to"]) - book.delivered.get(r["alert_id"], set()))
                  for r in book.detected.values())
    print(f"\n{len(shown)} of {len(rows)} shown; {len(book.detected)} alerts recorded, "
          f"{pending} pending; destinations now: {', '.join(settings.destinations) or 'none'}")
    return 0


def cmd_alerts_send(args: argparse.Namespace) -> int:
    from pipelines.alerts import send
    from pipelines.alerts.ledger import LedgerBusy
    from pipelines.project import paths
    from pipelines.resources import WarehouseResource

    settings = _settings()
    _require_destination(settings)
    warehouse = WarehouseResource(path=str(paths().warehouse))
    try:
        outcome = send.evaluate(settings, lambda: send.read_while_idle(warehouse),
                                dt.datetime.now(dt.UTC), log)
    except LedgerBusy as exc:
        raise CliError(f"{exc}: try again in a minute") from None
    print(outcome.summary())
    return 1 if outcome.failed else 0


def cmd_alerts_baseline(args: argparse.Namespace) -> int:
    from pipelines.alerts import send
    from pipelines.alerts.ledger import LedgerBusy
    from pipelines.cli.common import read_only_warehouse

    settings = _settings()
    with read_only_warehouse() as con:
        rows = send.read_alerts(con)
    try:
        outcome = send.evaluate(settings, lambda: rows, dt.datetime.now(dt.UTC), log,
                                baseline=True)
    except LedgerBusy as exc:
        raise CliError(f"{exc}: try again in a minute") from None
    print(f"{outcome.detected} alerts of the warehouse recorded as known, sent nowhere; "
          f"{len(rows) - outcome.detected} were known already. From now on only new ones "
          "are sent.")
    return 0


def cmd_alerts_test(args: argparse.Namespace) -> int:
    from pipelines.alerts import delivery
    from pipelines.alerts.messages import probe_message

    settings = _settings()
    _require_destination(settings)
    now = dt.datetime.now(dt.UTC)
    payload = probe_message(now)
    failed = 0
    for destination in settings.destinations:
        try:
            if destination == "webhook":
                delivery.post(settings.webhook_url, payload, settings.timeout_seconds)
            else:
                delivery.append_line(settings.file, payload, team=None, alert_ids=[],
                                     sent_at=now)
        except delivery.DeliveryFailed as exc:
            failed += 1
            print(f"{settings.describe(destination)}: FAILED: {exc}")
        else:
            print(f"{settings.describe(destination)}: test message delivered")
    return 1 if failed else 0


def add_alerts_parser(sub: argparse._SubParsersAction) -> None:
    alerts = sub.add_parser("alerts", help="lead alerts: SLA breaches and leads without owner",
                            description="Lead alerts (docs/alerts.md): new SLA breaches and "
                                        "leads left without owner, one message per team.")
    actions = alerts.add_subparsers(dest="alerts_command", required=True, metavar="ACTION")
    show = actions.add_parser("list", help="the alerts recorded and where they were delivered")
    show.add_argument("--pending", action="store_true", help="only alerts not yet delivered")
    show.add_argument("--limit", type=positive_int, default=50,
                      help="show the latest N (default 50)")
    show.set_defaults(func=cmd_alerts_list)
    once = actions.add_parser("send", help="detect and deliver now, as one sensor tick")
    once.set_defaults(func=cmd_alerts_send)
    base = actions.add_parser(
        "baseline", help="record the alerts in the warehouse now as known, without sending: "
                         "only later ones will be sent (before switching alerts on)")
    base.set_defaults(func=cmd_alerts_baseline)
    probe = actions.add_parser("test", help="send a message naming no lead to each destination")
    probe.set_defaults(func=cmd_alerts_test)
