"""`leadflow routing simulate`: replay a rule set over past leads, as if none had an owner,
and estimate the load per rep and the speed-to-lead to expect. Temp objects only: the
warehouse is opened read-only and never written.

The rules replayed may be candidate CSV files an analyst is editing, which no dbt model
can read (they are not seeds yet). So the first-matching-rule step runs here over temp
tables of those files, with the same conditions as dbt_project/models/activation/
routing_matches.sql (tests/activation/test_simulate.py checks that both give the same
matches on the seed rules); dealing to reps is routing's own SQL (routing.deal_sql), and
each rep's response history is the dbt model activation.rep_response_history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.activation.routing import RoutingError, deal_sql
from pipelines.activation.warehouse import REP_HISTORY

# read_csv column types of the routing seeds, as dbt_project/seeds/_activation_seeds.yml
# types them
SEED_COLUMN_TYPES = {
    "routing_rules": "{'rule_order': 'INTEGER', 'overrides_existing': 'BOOLEAN', "
                     "'country_code': 'VARCHAR', 'region': 'VARCHAR', "
                     "'product_interest': 'VARCHAR', 'tier': 'VARCHAR', "
                     "'assign_team': 'VARCHAR', 'assign_owner': 'VARCHAR', "
                     "'queue': 'VARCHAR'}",
    "sales_reps": "{'capacity_weight': 'INTEGER', 'is_available': 'BOOLEAN'}",
    "sla_policies": "{'sla_hours': 'DOUBLE'}",
}

# leads created in the window, whatever became of them, with the first predictive tier
# they were given on or after their creation day (what routing would have seen)
REPLAY_LEADS = """
SELECT leads.lead_id, leads.created_at, leads.country_code, leads.region,
       leads.product_interest,
       (SELECT arg_min(scores.tier, scores.score_date) FROM staging.stg_ml__lead_scores AS scores
        WHERE scores.lead_id = leads.lead_id
          AND scores.score_date >= cast(leads.created_at AS DATE)) AS tier
FROM marts.dim_leads AS leads
WHERE leads.created_at >= $start AND leads.created_at < $end
"""

# the columns of routing_matches for the temp table replay_leads under the bound rules
MATCH = """
WITH fired AS (
    SELECT leads.lead_id, leads.created_at, leads.tier, rules.rule_id, rules.assign_team,
           rules.assign_owner, rules.queue AS rule_queue,
           coalesce(rules.overrides_existing, false) AS overrides_existing
    FROM replay_leads AS leads
    LEFT JOIN routing_rules AS rules
        ON  (rules.country_code IS NULL OR upper(trim(rules.country_code)) = leads.country_code)
        AND (rules.region IS NULL OR rules.region = leads.region)
        AND (rules.product_interest IS NULL
             OR lower(trim(rules.product_interest)) = lower(trim(leads.product_interest)))
        AND (rules.tier IS NULL OR rules.tier = leads.tier)
    QUALIFY row_number() OVER (PARTITION BY leads.lead_id ORDER BY rules.rule_order NULLS LAST) = 1
)
SELECT fired.lead_id, fired.created_at, fired.tier, fired.rule_id, fired.overrides_existing,
       coalesce(fired.assign_team, named.team) AS target_team,
       CASE WHEN named.is_available AND named.capacity_weight > 0
            THEN named.owner END AS named_owner,
       coalesce(fired.rule_queue, policies.queue) AS target_queue
FROM fired
LEFT JOIN sales_reps AS named ON named.owner = fired.assign_owner
LEFT JOIN sla_policies AS policies ON policies.tier = coalesce(fired.tier, 'unscored')
"""

NO_ASSIGNMENTS = ("(SELECT NULL::VARCHAR AS lead_id, NULL::VARCHAR AS team, "
                  "NULL::VARCHAR AS owner, NULL::VARCHAR AS rule_id, "
                  "NULL::BIGINT AS round_robin_seq, NULL::TIMESTAMPTZ AS assigned_at "
                  "WHERE false)")

# load per rep of the replayed leads (temp table replayed) and the response to expect:
# the rep's history, the team's when the rep has none
LOAD = f"""
WITH load AS (
    SELECT team, owner, count(*) AS leads, count(*) FILTER (WHERE tier = 'A') AS tier_a_leads
    FROM replayed GROUP BY ALL
),
reps AS (
    SELECT team, owner, capacity_weight, is_available FROM sales_reps
    UNION ALL
    -- leads a team could not place (no available rep)
    SELECT DISTINCT team, owner, NULL, NULL FROM replayed
    WHERE owner IS NULL OR owner NOT IN (SELECT owner FROM sales_reps)
),
rep_history AS (SELECT * FROM {REP_HISTORY} WHERE grouping_level = 'rep'),
team_history AS (SELECT * FROM {REP_HISTORY} WHERE grouping_level = 'team')
SELECT
    coalesce(reps.team, '-') AS team,
    coalesce(reps.owner, '(unassigned)') AS owner,
    reps.capacity_weight,
    reps.is_available,
    coalesce(load.leads, 0) AS leads,
    coalesce(load.tier_a_leads, 0) AS tier_a_leads,
    coalesce(load.leads, 0) / nullif(sum(coalesce(load.leads, 0)) OVER (), 0) AS share,
    coalesce(rep_history.median_response_minutes, team_history.median_response_minutes)
        AS expected_response_minutes,
    coalesce(rep_history.within_sla_share, team_history.within_sla_share) AS expected_within_sla,
    rep_history.touched_leads IS NULL AS is_team_estimate
FROM reps
LEFT JOIN load
    ON load.owner IS NOT DISTINCT FROM reps.owner AND load.team IS NOT DISTINCT FROM reps.team
LEFT JOIN rep_history ON rep_history.owner = reps.owner
LEFT JOIN team_history ON team_history.team = reps.team
ORDER BY team, owner
"""


@dataclass(frozen=True)
class Simulation:
    start: dt.date
    end: dt.date
    leads: int
    rows: list[dict]
    rules: list[tuple[str, int]]


def bind_seed_files(con: duckdb.DuckDBPyConnection, seeds_dir: Path,
                    rules: Path | None = None, reps: Path | None = None) -> None:
    """Load the rule relations from CSV files (the seeds as edited, before `dbt seed`)."""
    files = {"routing_rules": rules or seeds_dir / "routing_rules.csv",
             "sales_reps": reps or seeds_dir / "sales_reps.csv",
             "sla_policies": seeds_dir / "sla_policies.csv"}
    for name, path in files.items():
        if not path.is_file():
            raise RoutingError(f"no such file: {path}")
        literal = str(path).replace("'", "''")
        try:  # a temp table, so a bad file fails here and not in the middle of the replay
            con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM read_csv("
                        f"'{literal}', header = true, types = {SEED_COLUMN_TYPES[name]})")
        except duckdb.Error as exc:
            first = str(exc).strip().splitlines()[0]
            raise RoutingError(f"cannot read {path}: {first}") from None


def validate_rules(con: duckdb.DuckDBPyConnection) -> None:
    """Check the bound routing_rules / sales_reps tables the way the seed tests do, so an
    edited rules file is refused before it is replayed."""
    problems: list[str] = []

    def one(query: str) -> list[tuple]:
        return con.execute(query).fetchall()

    if not one("SELECT 1 FROM routing_rules WHERE country_code IS NULL AND region IS NULL "
               "AND product_interest IS NULL AND tier IS NULL AND rule_order = "
               "(SELECT max(rule_order) FROM routing_rules)"):
        problems.append("the last rule (highest rule_order) must be a default with no condition")
    dup = one("SELECT rule_order FROM routing_rules GROUP BY ALL HAVING count(*) > 1")
    if dup:
        problems.append(f"rule_order {dup[0][0]} is used twice")
    both = one("SELECT rule_id FROM routing_rules "
               "WHERE (assign_team IS NULL) = (assign_owner IS NULL)")
    if both:
        problems.append(f"rule {both[0][0]} must set exactly one of assign_team, assign_owner")
    team = one("SELECT rule_id, assign_team FROM routing_rules WHERE assign_team IS NOT NULL "
               "AND assign_team NOT IN (SELECT team FROM sales_reps)")
    if team:
        problems.append(f"rule {team[0][0]} names team {team[0][1]!r}, which has no rep")
    owner = one("SELECT rule_id, assign_owner FROM routing_rules WHERE assign_owner IS NOT NULL "
                "AND assign_owner NOT IN (SELECT owner FROM sales_reps)")
    if owner:
        problems.append(f"rule {owner[0][0]} names rep {owner[0][1]!r}, who is not in sales_reps")
    if problems:
        raise RoutingError("; ".join(problems))


def simulate(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> Simulation:
    """Replay the bound rule tables over the leads created from ``start`` to ``end``
    (inclusive, UTC days) as if none had an owner; temp objects only."""
    validate_rules(con)
    window = {"start": dt.datetime.combine(start, dt.time(), dt.UTC),
              "end": dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC)}
    con.execute(f"CREATE OR REPLACE TEMP TABLE replay_leads AS {REPLAY_LEADS}", window)
    con.execute(f"CREATE OR REPLACE TEMP TABLE replay_matches AS {MATCH}")
    con.execute("CREATE OR REPLACE TEMP TABLE replayed AS "
                + deal_sql("replay_matches", NO_ASSIGNMENTS, "sales_reps"),
                {"assigned_at": window["end"]})
    frame = con.execute(LOAD).fetchdf()
    rules = con.execute("SELECT coalesce(rule_id, '(none)'), count(*) FROM replayed "
                        "GROUP BY 1 ORDER BY 2 DESC, 1").fetchall()
    leads = con.execute("SELECT count(*) FROM replayed").fetchone()[0]
    return Simulation(start=start, end=end, leads=leads,
                      rows=frame.to_dict("records"), rules=rules)
