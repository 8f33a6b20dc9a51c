"""The leads the alerts sensor tells sales managers about (dbt model
activation.lead_alerts, seed alert_rules): SLA breaches, and open leads handed to sales
that have had no owner for longer than the rule's hours."""

from __future__ import annotations

import datetime as dt

from tests.activation import fixtures as fx
from tests.activation.test_tables import SLA, handed

RUN = dt.datetime(2026, 3, 3, 6, 0, tzinfo=dt.UTC)


def alert_story(wh) -> None:
    """a_late: tier A touched after 2 h (SLA 1 h); b_ok: tier B touched within 4 h;
    queued: routed, then left in its team's queue without a rep, untouched for 3 h;
    fresh: the same for half an hour (under the one-hour rule); late_arrival: handed to
    sales after routing ran (no assignment yet), waiting 30 h; closed: a customer."""
    for i, (lead, tier, touch_h, as_of_h) in enumerate([
            ("a_late", "A", 2, 100), ("b_ok", "B", 3, 100), ("queued", "C", None, 3),
            ("fresh", "C", None, 0.5)]):
        fx.add_lead(wh, lead, stage="mql", minutes=i, region="emea", country="FR")
        fx.score(wh, lead, tier)
        handed(wh, lead, touched_after_h=touch_h, sla_h=SLA[tier], as_of_h=as_of_h)
    fx.add_lead(wh, "closed", stage="customer", minutes=9)
    handed(wh, "closed", touched_after_h=None, sla_h=SLA[None])
    fx.route(wh, RUN)
    wh.execute("UPDATE ops.lead_assignments SET owner = NULL "
               "WHERE lead_id IN ('queued', 'fresh')")
    fx.add_lead(wh, "late_arrival", stage="mql", minutes=20, region="na", country="US")
    handed(wh, "late_arrival", touched_after_h=None, sla_h=SLA[None], as_of_h=30)
    wh.build()


def test_breaches_and_leads_without_owner_are_alerted_once_each(wh):
    alert_story(wh)
    rows = {r[0]: r[1:] for r in wh.execute(
        "SELECT alert_id, alert, lead_id, team, owner, tier, hours_over_sla, "
        "hours_since_handoff, is_untouched FROM activation.lead_alerts").fetchall()}
    by_lead = {(r[0], r[1]): r for r in rows.values()}
    # late_arrival is past its 24 h SLA too, but sla_breaches lists assigned leads only
    assert set(by_lead) == {("sla_breach", "a_late"), ("unassigned_lead", "queued"),
                            ("unassigned_lead", "late_arrival")}
    a_late = by_lead[("sla_breach", "a_late")]
    assert a_late[2] == "emea" and a_late[3] and a_late[4:7] == ("A", 1.0, 2.0)
    queued = by_lead[("unassigned_lead", "queued")]
    assert queued[2:8] == ("emea", None, "C", -21.0, 3.0, True)  # C: 24 h SLA
    # no assignment: the team its routing rule targets
    late = by_lead[("unassigned_lead", "late_arrival")]
    assert late[2] == "na" and late[4:7] == ("unscored", 6.0, 30.0)
    assert all(key == f"{r[0]}:{r[1]}:2026-03-02T09:00:00Z" for key, r in rows.items())


def test_the_rule_hours_are_tunable(wh):
    wh.execute("UPDATE seeds.alert_rules SET after_hours = 5 WHERE alert = 'unassigned_lead'")
    wh.execute("UPDATE seeds.alert_rules SET after_hours = 2 WHERE alert = 'sla_breach'")
    alert_story(wh)
    assert sorted(wh.execute("SELECT alert, lead_id FROM activation.lead_alerts").fetchall()
                  ) == [("unassigned_lead", "late_arrival")]  # a_late: 1 h over, under 2
