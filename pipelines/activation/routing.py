"""Lead routing's decision: who owns each open lead after this run.

dbt computes what is stateless: for every open lead the first matching rule of seed
routing_rules and its target team, named rep and queue (dbt_project/models/activation/
routing_matches.sql). What stays here reads routing's own previous output,
ops.lead_assignments: whether a lead keeps its owner (new / kept / reassigned) and where
each team's weighted round-robin continues. As a dbt model this would read
ops.lead_assignments and feed the asset that writes it, a cycle in the lineage; so the
routing asset runs it against the table it owns, inside one transaction, and dbt reads the
result back as the source ops.lead_assignments. The replay of candidate rules
(`leadflow routing simulate`, replay.py) deals leads with the same SQL (:func:`deal_sql`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from pipelines.activation.warehouse import ROUTING_MATCHES, ensure_tables, table_exists

ASSIGNMENT_COLUMNS = ("lead_id", "team", "owner", "queue", "tier", "rule_id",
                      "round_robin_seq", "assigned_at")

# One row per lead of {matches} (the columns of routing_matches): the assignment it gets.
# {prior} is ops.lead_assignments as it stood before this run (empty to replay), {reps}
# seed sales_reps; $assigned_at the run's moment.
# action: new        no owner yet: routed by its first matching rule
#         reassigned an owner already, but the first matching rule has overrides_existing
#                    and points at another team, or at another (available) named rep
#         kept       an owner already: owner, team, rule and assigned_at stay; the queue
#                    follows the lead's current tier
# Weighted round-robin: each available rep of a team holds capacity_weight slots, dealt
# round by round (round k holds every rep with weight >= k, by owner name), so weights
# 2 and 1 give a, b, a, ...; the leads a team receives this run are numbered after the
# last sequence number the team handed out ({prior}), oldest lead first, and lead n takes
# slot (n - 1) mod slots.
DEAL = """
with decided as (

    select
        matches.*,
        prior.team                                                  as prior_team,
        prior.owner                                                 as prior_owner,
        prior.rule_id                                               as prior_rule_id,
        prior.round_robin_seq                                       as prior_round_robin_seq,
        prior.assigned_at                                           as prior_assigned_at,
        case
            when prior.owner is null then 'new'
            when matches.overrides_existing
                 and (matches.target_team is distinct from prior.team
                      or (matches.named_owner is not null
                          and matches.named_owner is distinct from prior.owner))
                then 'reassigned'
            else 'kept'
        end                                                         as action
    from {matches} as matches
    left join {prior} as prior using (lead_id)

),

slots as (

    select
        team,
        owner,
        row_number() over (partition by team order by round_number, owner) - 1 as slot_index,
        count(*) over (partition by team)                           as slot_count
    from (
        select team, owner, unnest(generate_series(1, capacity_weight)) as round_number
        from {reps}
        where is_available and capacity_weight > 0
    )

),

team_offsets as (

    select team, max(round_robin_seq) as last_seq
    from {prior}
    where round_robin_seq is not null
    group by team

),

rotating as (

    select
        decided.lead_id,
        decided.target_team,
        coalesce(team_offsets.last_seq, 0) + row_number() over (
            partition by decided.target_team order by decided.created_at, decided.lead_id
        )                                                           as round_robin_seq
    from decided
    left join team_offsets
        on team_offsets.team = decided.target_team
    where decided.action <> 'kept'
      and decided.named_owner is null
      and decided.target_team is not null

),

rotated as (

    select
        rotating.lead_id,
        rotating.round_robin_seq,
        slots.owner
    from rotating
    left join slots
        on  slots.team = rotating.target_team
        and slots.slot_index = (rotating.round_robin_seq - 1) % slots.slot_count

)

select
    decided.lead_id,
    decided.action,
    case when decided.action = 'kept' then decided.prior_team
         else decided.target_team end                               as team,
    case when decided.action = 'kept' then decided.prior_owner
         else coalesce(decided.named_owner, rotated.owner) end      as owner,
    decided.target_queue                                            as queue,
    decided.tier,
    case when decided.action = 'kept' then decided.prior_rule_id
         else decided.rule_id end                                   as rule_id,
    case when decided.action = 'kept' then decided.prior_round_robin_seq
         else rotated.round_robin_seq end                           as round_robin_seq,
    case when decided.action = 'kept' then decided.prior_assigned_at
         else cast($assigned_at as timestamptz) end                 as assigned_at,
    decided.prior_owner                                             as previous_owner
from decided
left join rotated using (lead_id)
"""


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


def deal_sql(matches: str, prior: str, reps: str) -> str:
    """The SELECT that deals the leads of relation ``matches`` given the assignments of
    relation ``prior`` and the reps of relation ``reps`` (parameter $assigned_at)."""
    return DEAL.format(matches=matches, prior=prior, reps=reps)


def assign(con: duckdb.DuckDBPyConnection, assigned_at: dt.datetime) -> RoutingSummary:
    """Route every open lead of activation.routing_matches and merge the result into
    ops.lead_assignments (new and reassigned leads also into ops.lead_assignment_events);
    leads no longer open are flagged closed. Re-running changes nothing for leads already
    assigned."""
    ensure_tables(con)
    if not table_exists(con, *ROUTING_MATCHES.split(".")):
        raise RoutingError(f"no {ROUTING_MATCHES} yet: run the dbt build first")
    routed = deal_sql(ROUTING_MATCHES, "ops.lead_assignments", "seeds.sales_reps")
    con.execute("BEGIN")
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE routed AS {routed}",
                    {"assigned_at": assigned_at})
        columns = ", ".join(ASSIGNMENT_COLUMNS)
        con.execute("""
            INSERT INTO ops.lead_assignment_events
            SELECT lead_id, action, team, owner, previous_owner, rule_id, assigned_at
            FROM routed WHERE action <> 'kept'""")
        con.execute(f"""
            INSERT OR REPLACE INTO ops.lead_assignments
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
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return RoutingSummary(
        open_leads=sum(counts.values()), new=counts.get("new", 0),
        reassigned=counts.get("reassigned", 0), kept=counts.get("kept", 0),
        unowned=unowned, closed=closed, by_team=by_team)
