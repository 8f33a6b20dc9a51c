"""Lead routing's decision: who owns each open lead after this run.

dbt computes what is stateless: for every open lead the first matching rule of seed
routing_rules and its target team, named rep and queue (dbt_project/models/activation/
routing_matches.sql). What stays here reads routing's own previous output,
ops.lead_assignments: whether a lead keeps its owner (new / kept / reassigned) and where
each team's weighted round-robin continues. As a dbt model this would read
ops.lead_assignments and feed the asset that writes it, a cycle in the lineage; so the
routing asset runs it against the table it owns, inside one transaction, and dbt reads the
result back as the source ops.lead_assignments. Dealing honours each rep's cap of open
leads and dated absences (capacity.py); a lead a rep could not take records why in
routing_note. The replay of candidate rules (`leadflow routing simulate`, replay.py) and
the hand-off what-if deal leads with the same code (:func:`deal`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from pipelines.activation.capacity import Dealer, Lead, Rep
from pipelines.activation.warehouse import (
    REP_AVAILABILITY,
    ROUTING_MATCHES,
    SALES_REPS,
    ensure_tables,
    table_exists,
)

ASSIGNMENT_COLUMNS = ("lead_id", "team", "owner", "queue", "tier", "rule_id",
                      "round_robin_seq", "assigned_at", "routing_note")

# Why a lead did not go to the rep whose turn it was (ops.lead_assignments.routing_note;
# NULL when routed normally). owner_* name the rep the rule pinned or whose round-robin
# turn it was; the lead went to the next rep of the team with room (the round-robin order).
# team_* : no rep of the team could take it; the lead waits in the team's queue with no
# owner and is dealt again on the next run.
NOTES = {
    "owner_at_capacity": "the rep held max_open_leads open leads (seed sales_reps)",
    "owner_away": "the rep was away on the assignment date (seed rep_availability)",
    "owner_unavailable": "the rule's named rep is not taking leads (sales_reps.is_available "
                         "false or capacity_weight 0)",
    "team_at_capacity": "every available rep of the team was at capacity or away (one at "
                        "capacity at least)",
    "team_away": "every available rep of the team was away",
    "team_unavailable": "the team has no available rep (is_available, capacity_weight)",
}

# Step 1, one row per lead of {matches} (the columns of routing_matches): what happens to
# it. {prior} is ops.lead_assignments as it stood before this run (empty to replay).
# action: new        no owner yet: routed by its first matching rule
#         reassigned an owner already, but the first matching rule has overrides_existing
#                    and points at another team, or at another (available) named rep
#         kept       an owner already: owner, team, rule, assigned_at and routing_note
#                    stay; the queue follows the lead's current tier
# {moment} is when the lead is dealt (:func:`dealt_moment`): its own moment, when it was
# created (a replay; and in a run, a lead routing never saw that was created before the
# last run, or before this one on the first run: a backfill of history), else the run's
# moment ($assigned_at); away dates are judged on its UTC date.
DECIDE = """
select
    matches.*,
    {moment}                                                        as dealt_at,
    prior.team                                                      as prior_team,
    prior.owner                                                     as prior_owner,
    prior.rule_id                                                   as prior_rule_id,
    prior.round_robin_seq                                           as prior_round_robin_seq,
    prior.assigned_at                                               as prior_assigned_at,
    prior.routing_note                                              as prior_routing_note,
    case
        when prior.owner is null then 'new'
        when matches.overrides_existing
             and (matches.target_team is distinct from prior.team
                  or (matches.named_owner is not null
                      and matches.named_owner is distinct from prior.owner))
            then 'reassigned'
        else 'kept'
    end                                                             as action
from {matches} as matches
left join {prior} as prior using (lead_id)
"""

# Step 3: the assignment of every lead, from step 1 (deal_decided) and the dealing of
# step 2 (deal_dealt: owner, round_robin_seq, routing_note, intended_owner).
ASSIGN = """
select
    decided.lead_id,
    decided.action,
    case when decided.action = 'kept' then decided.prior_team
         else decided.target_team end                               as team,
    case when decided.action = 'kept' then decided.prior_owner
         else dealt.owner end                                       as owner,
    decided.target_queue                                            as queue,
    decided.tier,
    case when decided.action = 'kept' then decided.prior_rule_id
         else decided.rule_id end                                   as rule_id,
    case when decided.action = 'kept' then decided.prior_round_robin_seq
         else dealt.round_robin_seq end                             as round_robin_seq,
    case when decided.action = 'kept' then decided.prior_assigned_at
         else decided.dealt_at end                                  as assigned_at,
    case when decided.action = 'kept' then decided.prior_routing_note
         else dealt.routing_note end                                as routing_note,
    dealt.intended_owner,
    decided.prior_owner                                             as previous_owner
from deal_decided as decided
left join deal_dealt as dealt using (lead_id)
"""

DEALT_COLUMNS = ("lead_id", "owner", "round_robin_seq", "routing_note", "intended_owner")


class RoutingError(ValueError):
    """A rule set that cannot be applied (no default rule, unknown team or rep...), or a
    warehouse routing cannot run on yet."""


@dataclass(frozen=True)
class RoutingSummary:
    open_leads: int
    new: int
    reassigned: int
    kept: int
    unowned: int
    closed: int
    by_team: dict[str, int]
    by_note: dict[str, int]  # leads dealt this run that a rep could not take, by reason


def dealt_moment(replay: bool) -> str:
    """When a lead of DECIDE is dealt, the one definition for the run, the routing replay
    and the hand-off what-if. A replay deals every lead at its own moment (``created_at``
    of the matches: the lead's creation, or in the hand-off what-if its hand-off). A run
    deals at its own moment ($assigned_at) the leads that arrived since the last run
    ($last_run_at, the last ``updated_at`` of ops.lead_assignments); a lead routing never
    saw that was created before the last run (on the first run: before this one) is
    history being backfilled, dealt as the replay deals it, at its creation: the first
    daily run after it would have given it an owner then. The source data carries no
    owner-assignment time (crm_deals and crm_activities name a rep, not when the lead was
    given to them), so there is nothing earlier to take."""
    if replay:
        return "matches.created_at"
    return ("case when prior.lead_id is null and matches.created_at < "
            "coalesce(cast($last_run_at as timestamptz), cast($assigned_at as timestamptz)) "
            "then least(matches.created_at, cast($assigned_at as timestamptz)) "
            "else cast($assigned_at as timestamptz) end")


def deal(con: duckdb.DuckDBPyConnection, matches: str, prior: str, reps: str,
         availability: str, *, assigned_at: dt.datetime | None = None,
         last_run_at: dt.datetime | None = None, closes: str | None = None,
         into: str = "routed") -> Dealer:
    """Deal the leads of relation ``matches`` (routing_matches' columns) given the
    assignments of relation ``prior``, the reps of ``reps`` (sales_reps' columns) and the
    absences of ``availability`` (rep_availability's), into the temp table ``into``: one row
    per lead with ASSIGNMENT_COLUMNS, action, previous_owner and intended_owner.
    ``assigned_at`` is the run's moment and ``last_run_at`` the previous run's (None on
    the first run); without ``assigned_at`` (a replay) each lead is dealt at its creation,
    and ``closes`` (lead_id, closed_at) says when a replayed lead stops counting towards
    its rep's open leads. Leads are dealt in the order of their moments (dealt_moment).
    Returns the dealer (loads and peaks per rep)."""
    moment = dealt_moment(replay=assigned_at is None)
    params = ({"assigned_at": assigned_at, "last_run_at": last_run_at}
              if assigned_at is not None else {})
    con.execute("CREATE OR REPLACE TEMP TABLE deal_decided AS "
                + DECIDE.format(matches=matches, prior=prior, moment=moment), params)
    dealer = Dealer(
        reps=[Rep(*row) for row in con.execute(
            f"SELECT owner, team, capacity_weight, is_available, max_open_leads FROM {reps}"
        ).fetchall()],
        away=con.execute(f"SELECT owner, away_from, away_to FROM {availability}").fetchall(),
        open_leads=dict(con.execute(
            "SELECT prior_owner, count(*) FROM deal_decided "
            "WHERE action = 'kept' AND prior_owner IS NOT NULL GROUP BY 1").fetchall()),
        last_seq=dict(con.execute(
            f"SELECT team, max(round_robin_seq) FROM {prior} "
            "WHERE round_robin_seq IS NOT NULL GROUP BY 1").fetchall()))
    closed_at = "closes.closed_at" if closes else "NULL::TIMESTAMPTZ"
    join = f"LEFT JOIN {closes} AS closes USING (lead_id)" if closes else ""
    leads = con.execute(f"""
        SELECT decided.lead_id, decided.target_team, decided.rule_owner,
               cast(timezone('UTC', decided.dealt_at) AS DATE), decided.dealt_at, {closed_at}
        FROM deal_decided AS decided {join}
        WHERE decided.action <> 'kept' AND decided.target_team IS NOT NULL
        ORDER BY decided.target_team, decided.dealt_at, decided.created_at, decided.lead_id
        """).fetchall()
    dealt = [dealer.deal(Lead(*row)) for row in leads]
    # the walk's result as columns (lists zipped by unnest): no Python object to register
    columns = {name: [getattr(d, name) for d in dealt] for name in DEALT_COLUMNS}
    con.execute("CREATE OR REPLACE TEMP TABLE deal_dealt AS SELECT "
                "unnest($lead_id::VARCHAR[]) AS lead_id, unnest($owner::VARCHAR[]) AS owner, "
                "unnest($round_robin_seq::BIGINT[]) AS round_robin_seq, "
                "unnest($routing_note::VARCHAR[]) AS routing_note, "
                "unnest($intended_owner::VARCHAR[]) AS intended_owner", columns)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {into} AS {ASSIGN}")
    return dealer

def assign(con: duckdb.DuckDBPyConnection, assigned_at: dt.datetime) -> RoutingSummary:
    """Route every open lead of activation.routing_matches and merge the result into
    ops.lead_assignments (new and reassigned leads also into ops.lead_assignment_events);
    leads no longer open are flagged closed. Re-running changes nothing for leads already
    assigned. A lead arrived since the last run is assigned as of ``assigned_at``; one
    from before it (the first run's history) as of its creation (dealt_moment)."""
    ensure_tables(con)
    for relation in (ROUTING_MATCHES, SALES_REPS, REP_AVAILABILITY):
        if not table_exists(con, *relation.split(".")):
            raise RoutingError(f"no {relation} yet: run the dbt build first")
    con.execute("BEGIN")
    try:
        # the previous run's moment: every run stamps updated_at on the rows it routes
        last_run_at = con.execute(
            "SELECT max(updated_at) FROM ops.lead_assignments").fetchone()[0]
        deal(con, ROUTING_MATCHES, "ops.lead_assignments", SALES_REPS, REP_AVAILABILITY,
             assigned_at=assigned_at, last_run_at=last_run_at)
        columns = ", ".join(ASSIGNMENT_COLUMNS)
        con.execute("""
            INSERT INTO ops.lead_assignment_events (lead_id, action, team, owner,
                previous_owner, rule_id, assigned_at, routing_note)
            SELECT lead_id, action, team, owner, previous_owner, rule_id, assigned_at,
                   routing_note
            FROM routed WHERE action <> 'kept'""")
        con.execute(f"""
            INSERT OR REPLACE INTO ops.lead_assignments ({columns}, is_open, updated_at)
            SELECT {columns}, true AS is_open, $now AS updated_at FROM routed""",
                    {"now": assigned_at})
        con.execute("""
            UPDATE ops.lead_assignments SET is_open = false, updated_at = $now
            WHERE is_open AND lead_id NOT IN (SELECT lead_id FROM routed)""",
                    {"now": assigned_at})
        counts = dict(con.execute("SELECT action, count(*) FROM routed GROUP BY 1").fetchall())
        unowned, closed = con.execute("""
            SELECT count(*) FILTER (WHERE is_open AND owner IS NULL),
                   count(*) FILTER (WHERE NOT is_open) FROM ops.lead_assignments""").fetchone()
        by_team = dict(con.execute("""
            SELECT coalesce(team, 'none'), count(*) FROM ops.lead_assignments
            WHERE is_open GROUP BY 1 ORDER BY 1""").fetchall())
        by_note = dict(con.execute("""
            SELECT routing_note, count(*) FROM routed
            WHERE action <> 'kept' AND routing_note IS NOT NULL GROUP BY 1 ORDER BY 1"""
                                   ).fetchall())
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return RoutingSummary(
        open_leads=sum(counts.values()), new=counts.get("new", 0),
        reassigned=counts.get("reassigned", 0), kept=counts.get("kept", 0),
        unowned=unowned, closed=closed, by_team=by_team, by_note=by_note)
