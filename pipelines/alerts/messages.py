"""The message of one team: Slack-compatible JSON, ``{"text": ..., "blocks": [...]}``.

What a sales manager needs to act, and no more: per lead its lead_id (the key to look it
up in the warehouse or the CRM), tier, owner (or "no owner") and how far it is past its
SLA, untouched or touched late, and the queue of a lead without owner. No name, e-mail
address, company or phone: a message sent is outside the warehouse, where `leadflow
forget` cannot reach it (docs/alerts.md). ``text`` carries the whole list too, for
notifications and for receivers that ignore blocks."""

from __future__ import annotations

import datetime as dt

MAX_LEADS = 40  # per message; a team's longer list goes out in parts
LINES_PER_SECTION = 20  # a Slack section holds at most 3,000 characters
KINDS = (("sla_breach", "Past SLA"), ("unassigned_lead", "No owner"))
NO_TEAM = "no team"


def team_label(team: str | None) -> str:
    return team if team else NO_TEAM


def _hours(value: float) -> str:
    return f"{value:,.1f} h"


def lead_line(alert: dict) -> str:
    """One lead of the message, e.g. ``3f2a… · tier A · ana.silva · 5.2 h over the 1 h
    SLA · untouched``."""
    parts = [f"`{alert['lead_id']}`", f"tier {alert['tier']}"]
    if alert["alert"] == "sla_breach":
        parts.append(alert["owner"] or "no owner")
        parts.append(f"{_hours(alert['hours_over_sla'])} over the "
                     f"{_hours(alert['sla_hours'])} SLA")
        parts.append("untouched" if alert["is_untouched"] else "touched late")
    else:
        parts.append(f"no owner for {_hours(alert['hours_since_handoff'])} since the handoff")
        if alert.get("queue"):
            parts.append(f"queue {alert['queue']}")
        over = alert.get("hours_over_sla")
        if over is not None:
            parts.append(f"{_hours(over)} over the SLA" if over >= 0.05
                         else f"SLA due in {_hours(-over)}" if over <= -0.05
                         else "SLA due now")
    return " · ".join(parts)


def _summary(alerts: list[dict]) -> str:
    breaches = sum(a["alert"] == "sla_breach" for a in alerts)
    unowned = len(alerts) - breaches
    parts = []
    if breaches:
        parts.append(f"{breaches} lead{'s' * (breaches != 1)} past SLA")
    if unowned:
        parts.append(f"{unowned} lead{'s' * (unowned != 1)} without owner")
    return ", ".join(parts)


def _stamp(value: str | None) -> str:
    if not value:
        return "unknown"
    return dt.datetime.fromisoformat(value).astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def team_messages(team: str | None, alerts: list[dict]) -> list[tuple[list[str], dict]]:
    """(alert_ids, payload) of the messages for one team's alerts: one message, or parts
    of at most MAX_LEADS leads. Within a kind, the longest overdue first."""
    ordered = sorted(alerts, key=lambda a: ([k for k, _ in KINDS].index(a["alert"]),
                                            -(a.get("hours_over_sla") or 0), a["lead_id"]))
    chunks = [ordered[i:i + MAX_LEADS] for i in range(0, len(ordered), MAX_LEADS)]
    return [( [a["alert_id"] for a in chunk],
              _payload(team, chunk, n, len(chunks)) ) for n, chunk in enumerate(chunks, 1)]


def _payload(team: str | None, alerts: list[dict], part: int, parts: int) -> dict:
    title = f"Leadflow · team {team_label(team)}: {_summary(alerts)}"
    if parts > 1:
        title += f" (part {part} of {parts})"
    blocks: list[dict] = [{"type": "header",
                           "text": {"type": "plain_text", "text": title[:150]}}]
    text_lines = [title]
    for kind, heading in KINDS:
        lines = [lead_line(a) for a in alerts if a["alert"] == kind]
        if not lines:
            continue
        text_lines += [f"{heading}:", *(f"- {line}" for line in lines)]
        for i in range(0, len(lines), LINES_PER_SECTION):
            head = f"*{heading}*\n" if i == 0 else ""
            blocks.append({"type": "section", "text": {
                "type": "mrkdwn",
                "text": head + "\n".join(f"• {line}" for line in lines[i:i + LINES_PER_SECTION])}})
    as_of = max((a.get("as_of") or "" for a in alerts), default="")
    footer = (f"Data as of {_stamp(as_of)} · lead ids are Leadflow's "
              "(marts.dim_leads, activation.lead_alerts)")
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": footer}]})
    text_lines.append(footer)
    return {"text": "\n".join(text_lines), "blocks": blocks}


def probe_message(now: dt.datetime) -> dict:
    """What `leadflow alerts test` sends: no lead, only proof that the channel works."""
    text = (f"Leadflow alert test at {now.astimezone(dt.UTC):%Y-%m-%d %H:%M UTC}: this "
            "destination receives SLA breaches and leads without owner, one message per team.")
    return {"text": text, "blocks": [{"type": "section",
                                      "text": {"type": "mrkdwn", "text": text}}]}
