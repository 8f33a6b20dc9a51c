"""The alerts sensor evaluated as Dagster evaluates it (build_sensor_context) on a
warehouse built by the activation models (story: tests/activation/test_lead_alerts.py),
posting to a local webhook: one message per team, once per alert, nothing without a
destination, a failed delivery retried at the next tick without loss or duplicate."""

from __future__ import annotations

import json
import subprocess
import sys

import dagster as dg

from pipelines.alerts.ledger import Ledger
from pipelines.resources import AlertsResource, WarehouseResource
from pipelines.sensors import lead_alerts_sensor
from tests.activation import fixtures as fx
from tests.activation.test_lead_alerts import alert_story
from tests.activation.test_tables import SLA, handed

EXPECTED = {("emea", "a_late"), ("emea", "queued"), ("na", "late_arrival")}


def _evaluate(lf_paths, **alerts) -> dg.SkipReason:
    resources = {"warehouse": WarehouseResource(path=str(lf_paths.warehouse)),
                 "alerts": AlertsResource(**alerts)}
    with dg.build_sensor_context(resources=resources) as context:
        result = lead_alerts_sensor(context)
    assert isinstance(result, dg.SkipReason)  # the sensor never starts a run
    return result


def _leads(messages) -> set[tuple[str, str]]:
    """(team, lead) of every lead the messages list."""
    out = set()
    for m in messages:
        body = m["json"] if "json" in m else m
        team = body["blocks"][0]["text"]["text"].split("team ", 1)[1].split(":", 1)[0]
        for lead in ("a_late", "queued", "late_arrival", "fresh", "b_ok", "closed", "new_late"):
            if f"`{lead}`" in body["text"]:
                out.add((team, lead))
    return out


def _story(wh):
    alert_story(wh)
    wh.close()  # the sensor opens the file read-only, as in production


def test_one_message_per_team_then_nothing_new(wh, lf_paths, webhook):
    _story(wh)
    result = _evaluate(lf_paths, webhook_url=webhook.url)
    assert "3 new alerts" in result.skip_message and "webhook: 2 messages" in result.skip_message
    assert len(webhook.received) == 2
    assert _leads(webhook.received) == EXPECTED
    post = webhook.received[0]
    assert post["path"] == "/services/T000/B000/secret"
    assert post["headers"]["Content-Type"].startswith("application/json")
    emea = next(p["json"] for p in webhook.received if "team emea" in p["json"]["text"])
    assert set(emea) == {"text", "blocks"}
    assert [b["type"] for b in emea["blocks"]] == ["header", "section", "section", "context"]
    assert "`a_late` · tier A · " in emea["blocks"][1]["text"]["text"]
    assert "1.0 h over the 1.0 h SLA · touched late" in emea["text"]
    assert "`queued` · tier C · no owner for 3.0 h since the handoff" in emea["text"]
    assert "@" not in json.dumps(emea)  # no e-mail address leaves the warehouse

    again = _evaluate(lf_paths, webhook_url=webhook.url)
    assert "0 new alerts" in again.skip_message
    assert len(webhook.received) == 2

    # the next day's run: a new breach, and late_arrival routed at last but past its SLA
    # (a new alert: sla_breach); only they are sent, each in its team's message
    wh.con = fx.open_duckdb(wh.path)
    fx.add_lead(wh, "new_late", stage="mql", minutes=30, region="emea", country="FR")
    fx.score(wh, "new_late", "A")
    handed(wh, "new_late", touched_after_h=None, sla_h=SLA["A"], as_of_h=5)
    fx.route(wh, fx.T0)
    wh.build()
    wh.close()
    _evaluate(lf_paths, webhook_url=webhook.url)
    assert _leads(webhook.received[2:]) == {("emea", "new_late"), ("na", "late_arrival")}
    assert len(webhook.received) == 4
    na = next(p["json"]["text"] for p in webhook.received[2:] if "team na" in p["json"]["text"])
    assert "Past SLA:" in na and "No owner" not in na


def test_nothing_is_sent_or_recorded_without_a_destination(wh, lf_paths, webhook):
    _story(wh)
    result = _evaluate(lf_paths)
    assert "no alert destination configured" in result.skip_message
    assert webhook.received == []
    assert not (lf_paths.data / "alerts").exists()


def test_a_failing_webhook_is_retried_next_tick_without_loss_or_duplicate(wh, lf_paths,
                                                                          webhook, capfd):
    _story(wh)
    webhook.status = 500
    result = _evaluate(lf_paths, webhook_url=webhook.url)
    assert "failed: HTTP 500" in result.skip_message and "3 pending" in result.skip_message
    assert webhook.received == []
    failures = [line for line in capfd.readouterr().err.splitlines() if "failed for team" in line]
    assert len(failures) == 1 and "\n" not in failures[0]  # one line, stops at the first
    assert "secret" not in failures[0]  # the webhook's path is its token

    webhook.status = 200
    _evaluate(lf_paths, webhook_url=webhook.url)
    assert _leads(webhook.received) == EXPECTED and len(webhook.received) == 2
    _evaluate(lf_paths, webhook_url=webhook.url)
    assert len(webhook.received) == 2


def test_a_timeout_is_a_failure_retried_next_tick(wh, lf_paths, webhook):
    _story(wh)
    webhook.delay = 2.0
    result = _evaluate(lf_paths, webhook_url=webhook.url, timeout_seconds=0.3)
    assert "failed: no answer within 0.3 s" in result.skip_message
    webhook.delay, webhook.received[:] = 0.0, []  # the slow server may have kept it
    _evaluate(lf_paths, webhook_url=webhook.url)
    assert _leads(webhook.received) == EXPECTED


def test_the_alert_file_and_the_webhook_are_delivered_on_their_own(wh, lf_paths, webhook):
    _story(wh)
    webhook.status = 503
    out = lf_paths.data / "alerts" / "alerts.jsonl"
    _evaluate(lf_paths, webhook_url=webhook.url, file="alerts/alerts.jsonl")
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 2 and _leads(lines) == EXPECTED
    assert {line["team"] for line in lines} == {"emea", "na"}
    assert all(line["text"] and line["blocks"] and line["alert_ids"] for line in lines)
    book = Ledger.read(lf_paths.data / "alerts" / "ledger.jsonl")
    assert len(book.pending("webhook")) == 3 and book.pending("file") == []

    webhook.status = 200
    _evaluate(lf_paths, webhook_url=webhook.url, file="alerts/alerts.jsonl")
    assert len(out.read_text().splitlines()) == 2  # the file is not written again
    assert _leads(webhook.received) == EXPECTED


def test_pending_alerts_go_out_while_a_run_writes_the_warehouse(wh, lf_paths, webhook):
    _story(wh)
    webhook.status = 500
    _evaluate(lf_paths, webhook_url=webhook.url)
    webhook.status = 200
    writer = subprocess.Popen([sys.executable, "-c", HOLD_THE_LOCK, str(lf_paths.warehouse)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "held"
        result = _evaluate(lf_paths, webhook_url=webhook.url)
    finally:
        writer.kill()
        writer.wait()
    assert "a run writes the warehouse" in result.skip_message
    assert _leads(webhook.received) == EXPECTED


HOLD_THE_LOCK = """
import sys, time
from pipelines.resources import WarehouseResource
with WarehouseResource(path=sys.argv[1]).connect():
    print("held", flush=True)
    time.sleep(60)
"""
