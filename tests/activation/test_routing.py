"""Routing over a hand-made warehouse: first match wins with a default (dbt model
routing_matches), weighted round-robin that skips unavailable reps and continues across
runs, owners kept unless a rule overrides, closed leads flagged (pipelines/activation/
routing.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.activation import fixtures as fx

RULES = """rule_order,rule_id,country_code,region,product_interest,tier,\
assign_team,assign_owner,queue,overrides_existing,description
10,platform_hot,,,Data Platform,A,,carol,enterprise,true,x
20,germany,DE,,,,,dan,,false,x
30,emea,,emea,,,emea,,,false,x
40,emea_again,,emea,,,na,,,false,never fires: emea above wins
99,default,,,,,na,,,false,x
"""
REPS = """owner,team,capacity_weight,is_available
amy,na,2,true
bob,na,1,true
carol,na,1,true
zed,na,5,false
dan,emea,1,true
eve,emea,1,true
"""
RUN1 = dt.datetime(2026, 3, 3, 6, 0, tzinfo=dt.UTC)
RUN2 = dt.datetime(2026, 3, 4, 6, 0, tzinfo=dt.UTC)


@pytest.fixture
def rules_wh(wh, tmp_path):
    (tmp_path / "rules.csv").write_text(RULES)
    (tmp_path / "reps.csv").write_text(REPS)
    fx.seed(wh, "routing_rules", tmp_path / "rules.csv")
    fx.seed(wh, "sales_reps", tmp_path / "reps.csv")
    return wh


def test_first_matching_rule_wins_and_the_default_catches_the_rest(rules_wh):
    wh = rules_wh
    fx.add_lead(wh, "de1", country="DE", region="emea")
    fx.add_lead(wh, "fr1", country="FR", region="emea", minutes=1)
    fx.add_lead(wh, "xx1", country=None, region=None, minutes=2)
    fx.add_lead(wh, "hot", country="DE", region="emea", product="data platform", minutes=3)
    fx.score(wh, "hot", "A")
    fx.add_lead(wh, "warm", country="DE", region="emea", product="Data Platform", minutes=4)
    fx.score(wh, "warm", "B")
    fx.route(wh, RUN1)
    got = fx.assignments(wh)
    assert got["de1"][:3] == ("emea", "dan", "germany")
    assert got["fr1"][0] == "emea" and got["fr1"][2] == "emea"
    assert got["xx1"][0] == "na" and got["xx1"][2] == "default"
    # product matched case-insensitively, tier A: the named rep (in team na) with its queue
    assert got["hot"][:3] == ("na", "carol", "platform_hot")
    assert wh.execute("SELECT queue FROM ops.lead_assignments WHERE lead_id = 'hot'"
                      ).fetchone()[0] == "enterprise"
    # tier B falls through to the country rule
    assert got["warm"][:3] == ("emea", "dan", "germany")
    # queue of the tier from sla_policies when the rule sets none; 'unscored' without a score
    queues = dict(wh.execute("SELECT lead_id, queue FROM ops.lead_assignments").fetchall())
    assert queues["warm"] == "standard" and queues["de1"] == "standard"


def test_weighted_round_robin_skips_unavailable_reps_and_continues_next_run(rules_wh):
    wh = rules_wh
    for i in range(8):
        fx.add_lead(wh, f"n{i}", minutes=i)
    fx.route(wh, RUN1)
    got = fx.assignments(wh)
    # slots by round then name: amy, bob, carol (round 1), amy (round 2); zed unavailable
    assert [got[f"n{i}"][1] for i in range(8)] == [
        "amy", "bob", "carol", "amy", "amy", "bob", "carol", "amy"]
    assert [got[f"n{i}"][3] for i in range(8)] == list(range(1, 9))
    # the next run's new leads continue the rotation where the team stopped
    for i in range(8, 11):
        fx.add_lead(wh, f"n{i}", minutes=100 + i)
    summary = fx.route(wh, RUN2)
    got = fx.assignments(wh)
    assert [got[f"n{i}"][1] for i in range(8, 11)] == ["amy", "bob", "carol"]
    assert [got[f"n{i}"][3] for i in range(8, 11)] == [9, 10, 11]
    assert (summary.new, summary.kept, summary.reassigned) == (3, 8, 0)


def test_owner_kept_unless_an_overriding_rule_points_elsewhere(rules_wh):
    wh = rules_wh
    fx.add_lead(wh, "a", country="FR", region="emea", product="Data Platform")
    fx.add_lead(wh, "b", country="FR", region="emea", minutes=1)
    fx.route(wh, RUN1)
    first = fx.assignments(wh)
    assert first["a"][:3] == ("emea", "dan", "emea")
    # a's score rises to tier A: the Data Platform rule overrides; b moves to na by a rule
    # change without override and keeps its owner
    fx.score(wh, "a", "A")
    wh.execute("UPDATE seeds.routing_rules SET assign_team = 'na' WHERE rule_id = 'emea'")
    summary = fx.route(wh, RUN2)
    got = fx.assignments(wh)
    assert got["a"][:3] == ("na", "carol", "platform_hot")
    assert got["b"] == first["b"]
    assert (summary.reassigned, summary.kept) == (1, 1)
    events = wh.execute("SELECT lead_id, action, owner, previous_owner, assigned_at "
                        "FROM ops.lead_assignment_events ORDER BY assigned_at, lead_id").fetchall()
    assert events[-1] == ("a", "reassigned", "carol", "dan", RUN2)
    # b was created before the first run: assigned as of its creation, and kept so
    assert wh.execute("SELECT assigned_at FROM ops.lead_assignments WHERE lead_id = 'b'"
                      ).fetchone()[0] == fx.T0 + dt.timedelta(minutes=1)


def test_the_first_run_backfills_history_each_lead_as_of_its_creation(rules_wh):
    # regression: the first run stamped every historic lead with the run's moment
    wh = rules_wh
    for i in range(3):
        fx.add_lead(wh, f"h{i}", minutes=60 * i)
    summary = fx.route(wh, RUN1)
    assert summary.new == 3
    first = fx.assignments(wh)
    at = dict(wh.execute("SELECT lead_id, assigned_at FROM ops.lead_assignments").fetchall())
    assert at == {f"h{i}": fx.T0 + dt.timedelta(hours=i) for i in range(3)}
    events = dict(wh.execute("SELECT lead_id, assigned_at FROM ops.lead_assignment_events "
                             "WHERE action = 'new'").fetchall())
    assert events == at
    # the next run: a lead created since the first run takes the run's moment; one created
    # before it that routing never saw (it arrived late) is history, as of its creation;
    # the first run's leads are kept, nothing stored is lost
    fx.add_lead(wh, "fresh", minutes=(RUN1 - fx.T0) // dt.timedelta(minutes=1) + 30)
    fx.add_lead(wh, "late", minutes=30)
    summary = fx.route(wh, RUN2)
    assert (summary.new, summary.kept) == (2, 3)
    got = fx.assignments(wh)
    assert all(got[k] == first[k] for k in first)
    after = dict(wh.execute("SELECT lead_id, assigned_at FROM ops.lead_assignments").fetchall())
    assert {k: after[k] for k in at} == at
    assert after["fresh"] == RUN2 and after["late"] == fx.T0 + dt.timedelta(minutes=30)
    assert wh.execute("SELECT count(*) FROM ops.lead_assignment_events").fetchone()[0] == 5


def test_unavailable_named_rep_falls_back_to_their_team(rules_wh):
    wh = rules_wh
    wh.execute("UPDATE seeds.sales_reps SET is_available = false WHERE owner = 'dan'")
    fx.add_lead(wh, "de", country="DE", region="emea")
    fx.route(wh, RUN1)
    assert fx.assignments(wh)["de"][:3] == ("emea", "eve", "germany")


def test_rerun_changes_nothing_and_closed_leads_are_flagged(rules_wh):
    wh = rules_wh
    for i in range(3):
        fx.add_lead(wh, f"n{i}", minutes=i)
    fx.add_lead(wh, "won", stage="customer", minutes=9)
    fx.route(wh, RUN1)
    before = fx.assignments(wh)
    assert "won" not in before
    fx.route(wh, RUN1)
    assert fx.assignments(wh) == before
    fx.set_stage(wh, "n1", "disqualified")
    fx.set_stage(wh, "n2", "recycled")
    summary = fx.route(wh, RUN2)
    got = fx.assignments(wh)
    assert got["n1"][4] is False and got["n2"][4] is True and got["n2"][1] == before["n2"][1]
    assert (summary.open_leads, summary.closed) == (2, 1)


def test_a_team_without_available_reps_leaves_the_owner_open_until_one_is(rules_wh):
    wh = rules_wh
    wh.execute("UPDATE seeds.sales_reps SET is_available = false WHERE team = 'emea'")
    fx.add_lead(wh, "fr", country="FR", region="emea")
    summary = fx.route(wh, RUN1)
    assert fx.assignments(wh)["fr"][:2] == ("emea", None) and summary.unowned == 1
    wh.execute("UPDATE seeds.sales_reps SET is_available = true WHERE owner = 'eve'")
    fx.route(wh, RUN2)
    assert fx.assignments(wh)["fr"][:2] == ("emea", "eve")


def test_the_project_rules_route_every_open_lead(wh):
    con = wh
    for i, (country, region) in enumerate([("US", "na"), ("DE", "emea"), ("JP", "apac"),
                                           ("BR", "latam"), (None, None), ("IT", "emea")]):
        fx.add_lead(con, f"l{i}", country=country, region=region, minutes=i)
    fx.route(con, RUN1)
    got = fx.assignments(con)
    assert len(got) == 6 and all(owner for _, owner, *_ in got.values())
    assert got["l1"][1] == "hannah.schmidt" and got["l2"][0] == "apac_latam"


RULE_SCORE_RULES = """rule_order,rule_id,country_code,region,product_interest,tier,\
min_fit_grade,min_engagement_band,assign_team,assign_owner,queue,overrides_existing,description
10,fit_and_engaged,,,,,B,2,,carol,fast,false,rule score B2 or better to the closer
20,fit_only,,,,,A,,,bob,,false,fit grade A whatever the engagement
99,default,,,,,,,na,,,false,x
"""


def test_rules_can_ask_for_a_rule_score(wh, tmp_path):
    (tmp_path / "rules.csv").write_text(RULE_SCORE_RULES)
    (tmp_path / "reps.csv").write_text(REPS)
    fx.seed(wh, "routing_rules", tmp_path / "rules.csv")
    fx.seed(wh, "sales_reps", tmp_path / "reps.csv")
    for i, (lead, label) in enumerate([("a1", "A1"), ("b2", "B2"), ("b3", "B3"),
                                       ("a4", "A4"), ("c1", "C1"), ("none", None)]):
        fx.add_lead(wh, lead, minutes=i)
        if label:
            fx.rule_score(wh, lead, label)
    fx.route(wh, RUN1)
    rules = {lead: row[2] for lead, row in fx.assignments(wh).items()}
    assert rules == {"a1": "fit_and_engaged", "b2": "fit_and_engaged", "b3": "default",
                     "a4": "fit_only", "c1": "default", "none": "default"}
    matched = dict(wh.execute("SELECT lead_id, fit_grade || engagement_band "
                              "FROM activation.routing_matches").fetchall())
    assert matched["b3"] == "B3" and matched["none"] is None
