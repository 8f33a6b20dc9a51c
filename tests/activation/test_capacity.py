"""Routing with capacity (issue 18, point 5): a rep at max_open_leads (open leads held,
counting those dealt earlier in the same run) or away on the assignment date (seed
rep_availability) passes the lead to the next rep of the team in round-robin order, else
it waits in the team queue; ops.lead_assignments.routing_note says why. The walk alone
(pipelines/activation/capacity.py), then routing over a hand-made warehouse."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import duckdb

from pipelines.activation.capacity import Dealer, Lead, Rep, team_slots
from pipelines.activation.warehouse import ensure_tables
from tests.activation import fixtures as fx

DAY = dt.date(2026, 3, 3)
AT = dt.datetime(2026, 3, 3, 6, 0, tzinfo=dt.UTC)


def reps(cap_amy=None, cap_bob=None, cap_carol=None) -> list[Rep]:
    return [Rep("amy", "na", 2, True, cap_amy), Rep("bob", "na", 1, True, cap_bob),
            Rep("carol", "na", 1, True, cap_carol), Rep("zed", "na", 3, False, None)]


def lead(i: int, rule_owner: str | None = None, day: dt.date = DAY,
         closes_at: dt.datetime | None = None) -> Lead:
    at = dt.datetime.combine(day, dt.time(9), dt.UTC) + dt.timedelta(minutes=i)
    return Lead(f"l{i}", "na", rule_owner, day, at, closes_at)


def test_slots_are_dealt_round_by_round_by_name():
    assert team_slots(reps()) == {"na": ["amy", "bob", "carol", "amy"]}


def test_without_caps_or_absences_the_round_robin_is_unchanged():
    dealer = Dealer(reps(), [], {}, {})
    got = [dealer.deal(lead(i)) for i in range(6)]
    assert [d.owner for d in got] == ["amy", "bob", "carol", "amy", "amy", "bob"]
    assert [d.round_robin_seq for d in got] == [1, 2, 3, 4, 5, 6]
    assert {d.routing_note for d in got} == {None}


def test_a_capped_rep_passes_the_turn_to_the_next_rep_counting_leads_of_the_same_run():
    # bob holds 1 open lead already and may hold 2: the first lead of his turn is his,
    # the second goes on to carol
    dealer = Dealer(reps(cap_bob=2), [], {"bob": 1}, {})
    got = [dealer.deal(lead(i)) for i in range(8)]
    # bob's second turn (6) goes to carol, and the rotation goes on after carol's slot (7)
    assert [d.owner for d in got] == ["amy", "bob", "carol", "amy",
                                      "amy", "carol", "amy", "amy"]
    assert [d.round_robin_seq for d in got] == [1, 2, 3, 4, 5, 7, 8, 9]
    assert got[5].routing_note == "owner_at_capacity" and got[5].intended_owner == "bob"
    assert [d.routing_note for d in got].count("owner_at_capacity") == 1
    assert dealer.load["bob"] == 2 and dealer.peak["bob"] == 2


def test_an_away_rep_is_passed_over_only_on_the_days_away():
    away = [("amy", DAY, DAY)]
    dealer = Dealer(reps(), away, {}, {})
    today = [dealer.deal(lead(i)) for i in range(4)]
    assert [d.owner for d in today] == ["bob", "carol", "bob", "carol"]
    assert [d.routing_note for d in today] == ["owner_away", None, "owner_away", None]
    tomorrow = dealer.deal(lead(9, day=DAY + dt.timedelta(days=1)))
    assert tomorrow.owner == "amy" and tomorrow.routing_note is None


def test_an_absent_reps_turns_are_spread_over_the_team_by_weight():
    # regression: every turn of an absent rep went to the rep behind them in the slots
    team = [Rep("ana", "na", 3, True, None), Rep("ben", "na", 2, True, None),
            Rep("david", "na", 2, True, None), Rep("grace", "na", 1, True, None)]
    dealer = Dealer(team, [("ana", DAY, DAY)], {}, {})
    got = [dealer.deal(lead(i)) for i in range(50)]
    owners = Counter(d.owner for d in got)
    assert owners["ana"] == 0 and sum(owners.values()) == 50
    # ben 2 : david 2 : grace 1, as their weights
    assert owners == {"ben": 20, "david": 20, "grace": 10}
    # each lead that reached one of her turns says why it went on
    noted = [d for d in got if d.routing_note is not None]
    assert noted and all((d.routing_note, d.intended_owner) == ("owner_away", "ana")
                         for d in noted)
    # and the rotation continues where it stopped: the kept number is the slot that took it
    slots = team_slots(team)["na"]
    assert all(slots[(d.round_robin_seq - 1) % len(slots)] == d.owner for d in got)


def test_a_capped_rep_spreads_the_turns_honouring_the_other_caps():
    team = [Rep("ana", "na", 1, True, 0), Rep("ben", "na", 1, True, 2),
            Rep("cleo", "na", 1, True, None), Rep("dora", "na", 1, True, None)]
    dealer = Dealer(team, [], {}, {})
    got = [dealer.deal(lead(i)) for i in range(10)]
    owners = Counter(d.owner for d in got)
    assert owners == {"ben": 2, "cleo": 4, "dora": 4}
    assert dealer.peak["ben"] == 2


def test_a_pinned_rep_at_capacity_or_away_falls_back_to_the_team_rotation():
    dealer = Dealer(reps(cap_carol=1), [("bob", DAY, DAY)], {}, {})
    first = dealer.deal(lead(0, rule_owner="carol"))
    assert (first.owner, first.round_robin_seq, first.routing_note) == ("carol", None, None)
    second = dealer.deal(lead(1, rule_owner="carol"))
    assert (second.owner, second.round_robin_seq, second.routing_note) == (
        "amy", 1, "owner_at_capacity")
    third = dealer.deal(lead(2, rule_owner="bob"))
    # bob is away; the rotation's turn 2 is bob too: the next rep with room is carol's
    # slot (full), then amy
    assert (third.owner, third.routing_note, third.intended_owner) == ("amy", "owner_away", "bob")
    unavailable = dealer.deal(lead(3, rule_owner="zed"))
    assert unavailable.routing_note == "owner_unavailable" and unavailable.owner == "amy"


def test_when_no_rep_can_take_it_the_lead_waits_in_the_team_queue():
    dealer = Dealer(reps(cap_amy=0, cap_bob=0, cap_carol=1), [], {}, {})
    got = [dealer.deal(lead(i)) for i in range(3)]
    assert [d.owner for d in got] == ["carol", None, None]
    assert [d.routing_note for d in got] == ["owner_at_capacity", "team_at_capacity",
                                             "team_at_capacity"]
    everyone_away = Dealer(reps(), [(r, DAY, DAY) for r in ("amy", "bob", "carol")], {}, {})
    assert everyone_away.deal(lead(0)).routing_note == "team_away"
    no_team = Dealer([Rep("amy", "na", 0, True, None)], [], {}, {})
    assert no_team.deal(lead(0)).routing_note == "team_unavailable"


def test_a_replayed_lead_stops_counting_once_it_closed():
    closes = dt.datetime.combine(DAY, dt.time(9, 1), dt.UTC)
    dealer = Dealer([Rep("amy", "na", 1, True, 1), Rep("bob", "na", 1, True, 1)], [], {}, {})
    got = [dealer.deal(lead(0, closes_at=closes)), dealer.deal(lead(1)),
           dealer.deal(lead(2))]
    # l0 closed at 9:01, before l2 (9:02) is dealt: amy has room again
    assert [d.owner for d in got] == ["amy", "bob", "amy"]
    assert {d.routing_note for d in got} == {None}


# ---------------------------------------------------------------- routing on a warehouse

REPS = """owner,team,capacity_weight,is_available,max_open_leads
amy,na,1,true,2
bob,na,1,true,
"""


def test_routing_honours_caps_across_runs_and_records_why(wh, tmp_path):
    (tmp_path / "reps.csv").write_text(REPS)
    fx.seed(wh, "sales_reps", tmp_path / "reps.csv")
    wh.execute("DELETE FROM seeds.rep_availability")
    for i in range(4):
        fx.add_lead(wh, f"a{i}", minutes=i)
    fx.route(wh, AT)
    got = wh.execute("SELECT lead_id, owner, routing_note FROM ops.lead_assignments "
                     "ORDER BY lead_id").fetchall()
    assert got == [("a0", "amy", None), ("a1", "bob", None), ("a2", "amy", None),
                   ("a3", "bob", None)]
    # amy holds 2 open leads: her next turn goes to bob, with the reason, in both tables
    for i in range(4, 6):
        fx.add_lead(wh, f"a{i}", minutes=100 + i)
    summary = fx.route(wh, AT + dt.timedelta(days=1))
    got = {r[0]: r[1:] for r in wh.execute(
        "SELECT lead_id, owner, routing_note FROM ops.lead_assignments").fetchall()}
    assert got["a4"] == ("bob", "owner_at_capacity") and got["a5"] == ("bob", "owner_at_capacity")
    assert summary.by_note == {"owner_at_capacity": 2}
    assert wh.execute("SELECT routing_note FROM ops.lead_assignment_events WHERE lead_id = "
                      "'a4'").fetchone()[0] == "owner_at_capacity"
    # a0 is won: amy has room again on the next run; kept leads keep their note
    fx.set_stage(wh, "a0", "customer")
    fx.add_lead(wh, "a6", minutes=300)
    fx.route(wh, AT + dt.timedelta(days=2))
    rows = dict(wh.execute("SELECT lead_id, owner || '/' || coalesce(routing_note, '-') "
                           "FROM ops.lead_assignments").fetchall())
    assert rows["a6"] == "amy/-" and rows["a4"] == "bob/owner_at_capacity"


def test_routing_passes_over_a_rep_away_on_the_run_date(wh, tmp_path):
    (tmp_path / "reps.csv").write_text(REPS)
    fx.seed(wh, "sales_reps", tmp_path / "reps.csv")
    wh.execute("DELETE FROM seeds.rep_availability")
    wh.execute("INSERT INTO seeds.rep_availability VALUES ('amy', ?, ?, 'leave')",
               [AT.date(), AT.date()])
    fx.add_lead(wh, "first")
    fx.route(wh, fx.T0 + dt.timedelta(hours=1))
    # created since that run: dealt at this run's moment, on amy's day away
    fx.add_lead(wh, "x0", minutes=120)
    fx.add_lead(wh, "x1", minutes=121)
    fx.route(wh, AT)
    got = wh.execute("SELECT lead_id, owner, routing_note, round_robin_seq, assigned_at "
                     "FROM ops.lead_assignments ORDER BY 1").fetchall()
    assert got == [("first", "amy", None, 1, fx.T0), ("x0", "bob", None, 2, AT),
                   ("x1", "bob", "owner_away", 4, AT)]


def test_a_backfilled_lead_is_dealt_on_its_own_day_away(wh, tmp_path):
    (tmp_path / "reps.csv").write_text(REPS)
    fx.seed(wh, "sales_reps", tmp_path / "reps.csv")
    wh.execute("DELETE FROM seeds.rep_availability")
    wh.execute("INSERT INTO seeds.rep_availability VALUES ('amy', ?, ?, 'leave')",
               [fx.DAY0, fx.DAY0])
    fx.add_lead(wh, "old")  # created on amy's day away, routed for the first time later
    fx.route(wh, AT)
    assert wh.execute("SELECT owner, routing_note, assigned_at FROM ops.lead_assignments"
                      ).fetchall() == [("bob", "owner_away", fx.T0)]


def test_a_warehouse_made_before_routing_note_gains_it_and_keeps_its_rows(tmp_path):
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    con.execute("""
        CREATE SCHEMA ops;
        CREATE TABLE ops.lead_assignments (
            lead_id VARCHAR PRIMARY KEY, team VARCHAR, owner VARCHAR, queue VARCHAR,
            tier VARCHAR, rule_id VARCHAR, round_robin_seq BIGINT, assigned_at TIMESTAMPTZ,
            is_open BOOLEAN, updated_at TIMESTAMPTZ);
        CREATE TABLE ops.lead_assignment_events (
            lead_id VARCHAR, action VARCHAR, team VARCHAR, owner VARCHAR,
            previous_owner VARCHAR, rule_id VARCHAR, assigned_at TIMESTAMPTZ);""")
    con.execute("INSERT INTO ops.lead_assignments VALUES ('old', 'na', 'amy', 'standard', "
                "NULL, 'default', 7, ?, true, ?)", [AT, AT])
    con.execute("INSERT INTO ops.lead_assignment_events VALUES ('old', 'new', 'na', 'amy', "
                "NULL, 'default', ?)", [AT])
    ensure_tables(con)
    ensure_tables(con)  # idempotent
    assert con.execute("SELECT lead_id, owner, round_robin_seq, routing_note "
                       "FROM ops.lead_assignments").fetchall() == [("old", "amy", 7, None)]
    assert con.execute("SELECT count(*), count(routing_note) FROM ops.lead_assignment_events"
                       ).fetchone() == (1, 0)
    con.close()
