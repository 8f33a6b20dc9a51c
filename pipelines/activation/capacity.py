"""Dealing leads to the reps of a team with capacity: weighted round-robin that passes over
a rep who is away on the assignment date (seed rep_availability) or holds max_open_leads
open leads (seed sales_reps), counting the leads dealt before in the same run.

The walk is sequential: whether a rep has room for a lead depends on every lead dealt
before it, which set-based SQL cannot say without a recursive query per lead. So routing
(routing.deal) computes in SQL what each lead is and what each rep holds, and this module
only walks the ordered leads of each team; it reads and writes plain values, no table.

Each available rep of a team holds capacity_weight slots, dealt round by round (round k
holds every rep with weight >= k, by owner name), so weights 2 and 1 give a, b, a, ...;
the leads a team receives are numbered after the last sequence number it handed out, and
lead n's turn is slot (n - 1) mod slots. A lead whose rule pins a rep goes to that rep,
unless the rep is unavailable, away or at capacity: then it takes the team's next number
like any other lead. When the rep whose turn it is cannot take the lead, it goes to the
next slot's rep that can (the round-robin order) and the rotation goes on after that
slot: the lead takes that slot's number, so the turns of an absent or full rep are spread
over the team by weight instead of all falling to the rep behind them. When none can, it
stays without owner (the team queue, with the reason) and is dealt again on the next run.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import Counter, defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class Rep:
    owner: str
    team: str
    capacity_weight: int
    is_available: bool
    max_open_leads: int | None  # None: no cap

    @property
    def takes_leads(self) -> bool:
        return bool(self.is_available) and (self.capacity_weight or 0) > 0


@dataclass(frozen=True)
class Lead:
    lead_id: str
    team: str
    rule_owner: str | None  # the rep the rule names, if it names one
    dealt_on: dt.date  # the assignment date (UTC), against which absences are judged
    dealt_at: dt.datetime
    closes_at: dt.datetime | None = None  # replay only: when the lead stops counting


@dataclass(frozen=True)
class Dealt:
    lead_id: str
    owner: str | None
    round_robin_seq: int | None
    routing_note: str | None  # routing.NOTES, None when routed normally
    intended_owner: str | None  # the pinned rep or the rep whose turn it was


def team_slots(reps: list[Rep]) -> dict[str, list[str]]:
    """team -> its reps' slots in round-robin order."""
    slots: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for rep in reps:
        if rep.takes_leads:
            slots[rep.team] += [(k, rep.owner) for k in range(1, rep.capacity_weight + 1)]
    return {team: [owner for _, owner in sorted(pairs)] for team, pairs in slots.items()}


class Dealer:
    """Deals the leads of one run (or one replay). ``open_leads`` counts the open leads each
    rep already holds; ``last_seq`` the last round-robin number each team handed out."""

    def __init__(self, reps: list[Rep], away: list[tuple[str, dt.date, dt.date]],
                 open_leads: dict[str, int], last_seq: dict[str, int]):
        self.reps = {rep.owner: rep for rep in reps}
        self.slots = team_slots(reps)
        self.away: dict[str, list[tuple[dt.date, dt.date]]] = defaultdict(list)
        for owner, start, end in away:
            self.away[owner].append((start, end))
        self.load: Counter[str] = Counter(open_leads)
        self.peak: Counter[str] = Counter(open_leads)
        self.last_seq = dict(last_seq)
        self._closing: dict[str, list[tuple[dt.datetime, str]]] = defaultdict(list)

    def is_away(self, owner: str, day: dt.date) -> bool:
        return any(start <= day <= end for start, end in self.away.get(owner, ()))

    def why_not(self, owner: str, lead: Lead) -> str | None:
        """Why ``owner`` cannot take ``lead`` now (a routing note), None if they can."""
        rep = self.reps.get(owner)
        if rep is None or not rep.takes_leads:
            return "owner_unavailable"
        if self.is_away(owner, lead.dealt_on):
            return "owner_away"
        if rep.max_open_leads is not None and self.load[owner] >= rep.max_open_leads:
            return "owner_at_capacity"
        return None

    def _take(self, owner: str, lead: Lead) -> None:
        self.load[owner] += 1
        self.peak[owner] = max(self.peak[owner], self.load[owner])
        if lead.closes_at is not None:
            heapq.heappush(self._closing[lead.team], (lead.closes_at, owner))

    def _release(self, lead: Lead) -> None:
        """Leads of the team that closed before ``lead`` is dealt stop counting."""
        closing = self._closing[lead.team]
        while closing and closing[0][0] <= lead.dealt_at:
            self.load[heapq.heappop(closing)[1]] -= 1

    def deal(self, lead: Lead) -> Dealt:
        """Deal one lead; leads of a team must come in their order (created, lead id)."""
        self._release(lead)
        note = intended = None
        if lead.rule_owner is not None:
            intended = lead.rule_owner
            note = self.why_not(lead.rule_owner, lead)
            if note is None:
                self._take(lead.rule_owner, lead)
                return Dealt(lead.lead_id, lead.rule_owner, None, None, intended)
        seq = self.last_seq.get(lead.team, 0) + 1
        self.last_seq[lead.team] = seq
        slots = self.slots.get(lead.team, [])
        if not slots:
            return Dealt(lead.lead_id, None, seq, note or "team_unavailable", intended)
        turn = (seq - 1) % len(slots)
        passed = []  # why each rep from the turn's on could not take it
        for step in range(len(slots)):
            owner = slots[(turn + step) % len(slots)]
            reason = self.why_not(owner, lead)
            if reason is None:
                self._take(owner, lead)
                # the rotation goes on after the slot that took the lead: the turns a rep
                # cannot take are spread over the others (no single rep behind it takes
                # them all), and the number kept is the slot's
                self.last_seq[lead.team] = seq + step
                if passed and note is None:  # the rep whose turn it was passed it on
                    return Dealt(lead.lead_id, owner, seq + step, passed[0], slots[turn])
                return Dealt(lead.lead_id, owner, seq + step, note, intended or owner)
            passed.append(reason)
        team_note = "team_at_capacity" if "owner_at_capacity" in passed else "team_away"
        return Dealt(lead.lead_id, None, seq, team_note, intended or slots[turn])
