"""Where alerts go (env, config file, resource), the message of a team, the `leadflow
alerts` commands, and the sensor in the Definitions."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest

from pipelines.alerts import config, messages
from pipelines.alerts.config import AlertConfigError, resolve
from pipelines.cli import main


def _alert(i: int, kind: str = "sla_breach", team: str | None = "emea") -> dict:
    return {"alert_id": f"{kind}:lead{i:03d}:t", "alert": kind, "lead_id": f"lead{i:03d}",
            "team": team, "owner": "ana.silva" if kind == "sla_breach" else None,
            "queue": "standard", "tier": "B", "sla_hours": 4.0, "is_untouched": True,
            "hours_since_handoff": 4.0 + i, "hours_over_sla": float(i),
            "as_of": "2026-03-10T06:00:00+00:00"}


def test_nothing_configured_means_no_destination(lf_paths):
    settings = resolve(lf_paths, environ={})
    assert settings.destinations == []
    assert settings.ledger == lf_paths.data / "alerts" / "ledger.jsonl"


def test_the_environment_then_the_config_file(lf_paths, tmp_path):
    env = {config.WEBHOOK_ENV: "https://hooks.example/services/T/B/x",
           config.FILE_ENV: "alerts/out.jsonl", config.TIMEOUT_ENV: "3"}
    settings = resolve(lf_paths, environ=env)
    assert settings.destinations == ["webhook", "file"]
    assert settings.file == lf_paths.data / "alerts" / "out.jsonl"
    assert settings.timeout_seconds == 3.0
    assert settings.describe("webhook") == "webhook https://hooks.example/…"  # no token

    (lf_paths.data / "alerts").mkdir(parents=True)
    (lf_paths.data / "alerts" / "config.toml").write_text(
        '[alerts]\nwebhook_url = "http://127.0.0.1:9/hook"\ntimeout_seconds = 5\n')
    from_file = resolve(lf_paths, environ={})
    assert from_file.webhook_url == "http://127.0.0.1:9/hook" and from_file.file is None
    assert resolve(lf_paths, environ=env).webhook_url == env[config.WEBHOOK_ENV]  # env wins
    assert resolve(lf_paths, environ=env, webhook_url="http://h/x").webhook_url == "http://h/x"


@pytest.mark.parametrize("env, reason", [
    ({config.WEBHOOK_ENV: "hooks.example/x"}, r"must be http\(s\)"),
    ({config.TIMEOUT_ENV: "soon"}, "timeout must be a number"),
    ({config.TIMEOUT_ENV: "0"}, "timeout must be a number"),
    ({config.CONFIG_ENV: "/nonexistent/alerts.toml"}, "no such file"),
])
def test_unusable_settings_are_one_line_errors(lf_paths, env, reason):
    with pytest.raises(AlertConfigError, match=reason):
        resolve(lf_paths, environ=env)


def test_a_config_file_with_an_unknown_key_is_refused(lf_paths):
    path = lf_paths.data / "alerts.toml"
    path.write_text('webhook = "http://x/y"\n')
    with pytest.raises(AlertConfigError, match="unknown key"):
        resolve(lf_paths, environ={config.CONFIG_ENV: str(path)})


def test_a_long_list_goes_out_in_parts_within_slack_limits():
    alerts = [_alert(i) for i in range(60)] + [_alert(i, "unassigned_lead") for i in range(5)]
    parts = messages.team_messages("emea", alerts)
    assert [len(ids) for ids, _ in parts] == [40, 25]
    assert sorted(i for ids, _ in parts for i in ids) == sorted(a["alert_id"] for a in alerts)
    first = parts[0][1]
    assert "(part 1 of 2)" in first["blocks"][0]["text"]["text"]
    assert "lead059" in first["text"]  # the longest overdue first
    assert all(len(b["text"]["text"]) <= 3000 for _, p in parts for b in p["blocks"]
               if b["type"] == "section")
    assert all(len(p["blocks"]) <= 50 for _, p in parts)
    last = parts[1][1]["text"]
    assert "No owner:" in last and "SLA due in" not in last  # 0-4 h over the 4 h SLA
    assert "lead000` · tier B · no owner for 4.0 h since the handoff · queue standard · " \
           "SLA due now" in last
    assert "lead004` · tier B · no owner for 8.0 h since the handoff · queue standard · " \
           "4.0 h over the SLA" in last


def test_leads_without_team_are_sent_under_no_team():
    [(ids, payload)] = messages.team_messages(None, [_alert(1, "unassigned_lead", team=None)])
    assert "team no team: 1 lead without owner" in payload["text"]


def test_alerts_test_and_send_need_a_destination(lf_paths, monkeypatch, capsys):
    monkeypatch.delenv(config.WEBHOOK_ENV, raising=False)
    monkeypatch.delenv(config.FILE_ENV, raising=False)
    assert main(["alerts", "test"]) == 2
    assert "no alert destination configured" in capsys.readouterr().err
    assert main(["alerts", "send"]) == 2
    monkeypatch.setenv(config.WEBHOOK_ENV, "ftp://x")
    assert main(["alerts", "list"]) == 2
    assert "must be http(s)" in capsys.readouterr().err


def test_alerts_test_posts_a_message_naming_no_lead(lf_paths, monkeypatch, capsys, webhook):
    monkeypatch.setenv(config.WEBHOOK_ENV, webhook.url)
    monkeypatch.setenv(config.FILE_ENV, "alerts/alerts.jsonl")
    assert main(["alerts", "test"]) == 0
    out = capsys.readouterr().out
    assert "webhook http://127.0.0.1" in out and "secret" not in out
    [post] = webhook.received
    assert "Leadflow alert test" in post["json"]["text"]
    [line] = (lf_paths.data / "alerts" / "alerts.jsonl").read_text().splitlines()
    assert json.loads(line)["alert_ids"] == []
    assert not (lf_paths.data / "alerts" / "ledger.jsonl").exists()  # nothing recorded
    webhook.status = 500
    assert main(["alerts", "test"]) == 1
    assert "FAILED: HTTP 500" in capsys.readouterr().out


def test_alerts_send_and_list(lf_paths, monkeypatch, capsys, webhook):
    from pipelines.alerts.ledger import Ledger

    monkeypatch.setenv(config.WEBHOOK_ENV, webhook.url)
    assert main(["alerts", "list"]) == 0
    assert "no alert recorded yet" in capsys.readouterr().out
    book = Ledger(lf_paths.data / "alerts" / "ledger.jsonl")
    book.append({"event": "detected", **_alert(i), "detected_at": "2026-03-10T06:01:00+00:00",
                 "to": ["webhook"]} for i in range(3))
    webhook.status = 500
    assert main(["alerts", "send"]) == 1  # no warehouse yet: only the pending three
    assert "failed: HTTP 500 Internal Server Error, 3 pending" in capsys.readouterr().out
    assert main(["alerts", "list", "--pending"]) == 0
    listed = capsys.readouterr().out
    assert listed.count("webhook pending") == 3 and "3 pending" in listed
    webhook.status = 200
    assert main(["alerts", "send"]) == 0
    assert "webhook: 1 message (3 alerts)" in capsys.readouterr().out
    assert main(["alerts", "list", "--pending"]) == 0
    assert "0 of 0 shown" in capsys.readouterr().out


def test_a_torn_ledger_line_is_skipped_and_the_next_append_kept(lf_paths):
    from pipelines.alerts.ledger import Ledger

    path = lf_paths.data / "alerts" / "ledger.jsonl"
    book = Ledger(path)
    book.append([{"event": "detected", **_alert(1), "to": ["file"]}])
    with open(path, "a") as handle:
        handle.write('{"event": "deliv')  # a crash mid-line
    Ledger.read(path).append([{"event": "delivered", "alert_id": _alert(1)["alert_id"],
                               "lead_id": "lead001", "destination": "file"}])
    again = Ledger.read(path)
    assert again.torn_lines == 1 and again.pending("file") == []


def test_the_sensor_is_in_the_definitions(lf_paths):
    from pipelines.definitions import build_definitions

    defs = build_definitions()
    sensor = defs.resolve_sensor_def("lead_alerts_sensor")
    assert not sensor.has_jobs  # it starts no run
    assert {"warehouse", "alerts"} <= sensor.required_resource_keys
    assert defs.resources["alerts"].webhook_url is None  # the environment decides


def test_forget_rewrites_the_ledger_and_the_alert_file_without_the_person(lf_paths):
    """The ledger and the alert file are JSON lines under data/: `leadflow forget`'s file
    step (pipelines/privacy/erase_files.py) drops the lines naming the lead."""
    from pipelines.alerts import delivery
    from pipelines.alerts.ledger import Ledger
    from pipelines.privacy.erase_files import erase_files
    from pipelines.privacy.people import Person, lead_id

    gone, kept = lead_id("jane@example.com"), lead_id("joe@example.com")
    folder = lf_paths.data / "alerts"
    book = Ledger(folder / "ledger.jsonl")
    for who in (gone, kept):
        alert = {**_alert(1), "lead_id": who, "alert_id": f"sla_breach:{who}:t"}
        book.append([{"event": "detected", **alert, "to": ["file"]}])
        [(ids, payload)] = messages.team_messages("emea", [alert])
        delivery.append_line(folder / "alerts.jsonl", payload, team="emea", alert_ids=ids,
                             sent_at=dt.datetime(2026, 3, 10))
    erase_files(lf_paths, [Person(key="jane@example.com", person_hash="h", lead_id=gone)])
    for name in ("ledger.jsonl", "alerts.jsonl"):
        text = (folder / name).read_text()
        assert gone not in text and kept in text
    assert list(Ledger.read(folder / "ledger.jsonl").detected) == [f"sla_breach:{kept}:t"]


def test_a_long_backlog_goes_out_over_several_evaluations(lf_paths, webhook):
    from pipelines.alerts import send
    from pipelines.alerts.config import resolve

    settings = resolve(lf_paths, environ={}, webhook_url=webhook.url)
    backlog = [_alert(i, team=f"team{i % 25:02d}") for i in range(50)]
    first = send.evaluate(settings, lambda: backlog, dt.datetime(2026, 3, 10, tzinfo=dt.UTC))
    assert first.sent["webhook"] == (send.MAX_MESSAGES, 40)
    assert "10 pending for the next tick" in first.summary()
    second = send.evaluate(settings, lambda: backlog, dt.datetime(2026, 3, 10, tzinfo=dt.UTC))
    assert second.detected == 0 and second.sent["webhook"] == (5, 10)
    teams = [p["json"]["blocks"][0]["text"]["text"] for p in webhook.received]
    assert len(teams) == len(set(teams)) == 25  # one message per team, none twice


def test_baseline_records_the_warehouse_alerts_as_known_without_sending(lf_paths, monkeypatch,
                                                                       capsys, webhook):
    from pipelines.alerts import send
    from pipelines.alerts.ledger import Ledger

    old = [_alert(i) for i in range(3)]
    monkeypatch.setattr(send, "read_alerts", lambda con: old)
    assert main(["alerts", "baseline"]) == 2  # no warehouse yet: one line
    assert "no warehouse" in capsys.readouterr().err
    duckdb.connect(str(lf_paths.warehouse)).close()  # an empty warehouse
    assert main(["alerts", "baseline"]) == 0
    assert "3 alerts of the warehouse recorded as known" in capsys.readouterr().out
    assert main(["alerts", "list"]) == 0
    assert capsys.readouterr().out.count("baseline): not sent") == 3

    settings = resolve(lf_paths, environ={}, webhook_url=webhook.url)
    outcome = send.evaluate(settings, lambda: [*old, _alert(7)],
                            dt.datetime(2026, 3, 11, tzinfo=dt.UTC))
    assert outcome.detected == 1 and outcome.sent["webhook"] == (1, 1)
    [post] = webhook.received
    assert "lead007" in post["json"]["text"] and "lead001" not in post["json"]["text"]
    assert Ledger.read(settings.ledger).pending("webhook") == []
