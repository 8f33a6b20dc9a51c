"""SLA breaches per tier and nurture tracks from stage, score and recent behaviour (dbt
models activation.sla_breaches and activation.nurture_tracks)."""

from __future__ import annotations

import datetime as dt

from tests.activation import fixtures as fx

RUN = dt.datetime(2026, 3, 3, 6, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


def handed(con, lead_id, *, touched_after_h: float | None, sla_h: float,
           as_of_h: float = 100) -> None:
    """The lead in fct_speed_to_lead, with its SLA verdict (the model judges it, in business
    hours of the team: tests/dbt/test_activation.py; here the wait in hours stands in)."""
    handed_at = fx.T0
    touch = None if touched_after_h is None else handed_at + touched_after_h * H
    waited = as_of_h if touched_after_h is None else touched_after_h
    con.execute("INSERT INTO marts.fct_speed_to_lead VALUES (?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?)",
                [lead_id, handed_at, touch,
                 None if touched_after_h is None else touched_after_h * 60,
                 touch is not None, sla_h, handed_at + as_of_h * H, waited > sla_h])


SLA = {"A": 1, "B": 4, "C": 24, "D": 72, None: 24}


def test_sla_breaches_list_the_open_assigned_leads_past_their_tier_sla(wh):
    # seed sla_policies: A 1 h, B 4 h, C 24 h, D 72 h, unscored 24 h
    cases = {"a_late": ("A", 2), "a_fast": ("A", 0.5), "b_late": ("B", 5), "b_ok": ("B", 3),
             "d_ok": ("D", 70), "unscored_late": (None, 30), "a_waiting": ("A", None)}
    for i, (lead, (tier, touch_h)) in enumerate(cases.items()):
        fx.add_lead(wh, lead, stage="mql", minutes=i)
        if tier:
            fx.score(wh, lead, tier)
        handed(wh, lead, touched_after_h=touch_h, sla_h=SLA[tier])
    fx.add_lead(wh, "closed", stage="customer", minutes=20)
    fx.score(wh, "closed", "A")
    handed(wh, "closed", touched_after_h=10, sla_h=1)
    fx.route(wh, RUN)
    wh.build()
    rows = {r[0]: r[1:] for r in wh.execute(
        "SELECT lead_id, tier, sla_hours, is_untouched, hours_over_sla, owner, team "
        "FROM activation.sla_breaches").fetchall()}
    assert set(rows) == {"a_late", "b_late", "unscored_late", "a_waiting"}
    assert rows["a_late"][:4] == ("A", 1, False, 1.0)
    assert rows["unscored_late"][:3] == ("unscored", 24, False)
    assert rows["a_waiting"][:4] == ("A", 1, True, 99.0)  # untouched at as_of = 100 h
    assert all(r[4] and r[5] for r in rows.values())  # the assignment's owner and team
    assert sum(r[2] for r in rows.values()) == 1  # untouched
    assert wh.execute("SELECT sum(breaches), sum(untouched) FROM marts.rpt_open_sla_breaches"
                      ).fetchone() == (4, 1)


def test_nurture_tracks_follow_the_first_matching_rule(wh):
    leads = {
        # lead: (stage, score, days since engagement)
        "recycled": ("recycled", 90, 1),
        "bofu": ("sql", 10, 200),
        "mofu_ready": ("mql", 70, 3),
        "mofu_quiet": ("mql", 70, 61),
        "mofu": ("mql", 20, 3),
        "tofu_rising": ("lead", 80, 2),
        "tofu_dormant": ("lead", 80, 120),
        "tofu_new": ("lead", None, None),  # never engaged: created at T0
        "tofu": ("lead", 30, 5),
    }
    for i, (lead, (stage, value, days)) in enumerate(leads.items()):
        fx.add_lead(wh, lead, stage=stage, minutes=i, engaged_days_ago=days)
        if value is not None:
            fx.score(wh, lead, "B", value)
    # created long ago, except tofu_new: a new lead is not dormant
    wh.execute("UPDATE marts.dim_leads SET created_at = created_at - INTERVAL 400 DAY "
               "WHERE lead_id <> 'tofu_new'")
    fx.route(wh, RUN)
    wh.build()
    got = dict(wh.execute("SELECT lead_id, nurture_track FROM activation.nurture_tracks"
                          ).fetchall())
    assert got == {"recycled": "recycle", "bofu": "BOFU", "mofu_ready": "BOFU",
                   "mofu_quiet": "recycle", "mofu": "MOFU", "tofu_rising": "MOFU",
                   "tofu_dormant": "recycle", "tofu_new": "TOFU", "tofu": "TOFU"}
    assert len(got) == len(leads)
    row = wh.execute("SELECT email, next_step, owner, days_since_engagement, "
                     "has_marketing_consent FROM activation.nurture_tracks "
                     "WHERE lead_id = 'tofu'").fetchone()
    assert row[0] == "tofu@acme.example" and row[1].startswith("Educational") and row[2]
    assert row[3] == 5 and row[4] is True  # as_of = the newest: tofu_new's creation
