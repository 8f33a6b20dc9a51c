"""Lead routing: the rules of seed routing_rules applied in SQL (sql/routing.sql) to every
open lead, kept in ops.lead_assignments across runs; and the replay of a rule set over
past leads (`leadflow routing simulate`), which never writes the warehouse."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.activation.warehouse import bind, current_scores_sql, ensure_tables, sql

SEEDS = {"routing_rules": "seeds.routing_rules", "sales_reps": "seeds.sales_reps",
         "sla_policies": "seeds.sla_policies"}
ASSIGNMENT_COLUMNS = ("lead_id", "team", "owner", "queue", "tier", "rule_id",
                      "round_robin_seq", "assigned_at")
# open = not (yet) a customer and not disqualified; recycled leads are open again
OPEN_LEADS = """
SELECT leads.lead_id, leads.created_at, leads.country_code, leads.region,
       leads.product_interest, scores.tier
FROM marts.dim_leads AS leads
JOIN marts.fct_lead_funnel AS funnel USING (lead_id)
LEFT JOIN current_scores AS scores USING (lead_id)
WHERE funnel.current_stage NOT IN ('customer', 'disqualified')
"""


class RoutingError(ValueError):
    """A rule set that cannot be applied (no default rule, unknown team or rep...)."""


@dataclass(frozen=True)
class RoutingSummary:
    open_leads: int
    new: int
    reassigned: int
    kept: int
    unowned: int
    closed: int
    by_team: dict[str, int]


def validate_rules(con: duckdb.DuckDBPyConnection) -> None:
    """Check the bound routing_rules / sales_reps / sla_policies views the way the seed
    tests do, so an edited rules file is refused before it is replayed."""
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


def bind_seed_files(con: duckdb.DuckDBPyConnection, seeds_dir: Path,
                    rules: Path | None = None, reps: Path | None = None) -> None:
    """Load the rule relations from CSV files (the seeds as edited, before `dbt seed`)."""
    files = {"routing_rules": rules or seeds_dir / "routing_rules.csv",
             "sales_reps": reps or seeds_dir / "sales_reps.csv",
             "sla_policies": seeds_dir / "sla_policies.csv"}
    types = SEED_COLUMN_TYPES
    for name, path in files.items():
        if not path.is_file():
            raise RoutingError(f"no such file: {path}")
        literal = str(path).replace("'", "''")
        try:  # a temp table, so a bad file fails here and not in the middle of the replay
            con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM read_csv("
                        f"'{literal}', header = true, types = {types[name]})")
        except duckdb.Error as exc:
            first = str(exc).strip().splitlines()[0]
            raise RoutingError(f"cannot read {path}: {first}") from None


def assign(con: duckdb.DuckDBPyConnection, assigned_at: dt.datetime) -> RoutingSummary:
    """Route every open lead and merge the result into ops.lead_assignments (new and
    reassigned leads also into ops.lead_assignment_events). Re-running changes nothing
    for leads already assigned."""
    ensure_tables(con)
    bind(con, current_scores=current_scores_sql(con), routable_leads=OPEN_LEADS,
         prior_assignments="SELECT * FROM ops.lead_assignments",
         **{name: f"SELECT * FROM {table}" for name, table in SEEDS.items()})
    con.execute("BEGIN")
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE routed AS {sql('routing')}",
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


# leads created in the window, whatever became of them, with the first predictive tier
# they were given on or after their creation day (what routing would have seen)
REPLAY_LEADS = """
SELECT leads.lead_id, leads.created_at, leads.country_code, leads.region,
       leads.product_interest,
       (SELECT arg_min(scores.tier, scores.score_date) FROM ml_scores AS scores
        WHERE scores.lead_id = leads.lead_id
          AND scores.score_date >= cast(leads.created_at AS DATE)) AS tier
FROM marts.dim_leads AS leads
WHERE leads.created_at >= $start AND leads.created_at < $end
"""


@dataclass(frozen=True)
class Simulation:
    start: dt.date
    end: dt.date
    leads: int
    rows: list[dict]
    rules: list[tuple[str, int]]


def simulate(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> Simulation:
    """Replay the bound rule views over the leads created from ``start`` to ``end``
    (inclusive, UTC days) as if none had an owner; temp objects only."""
    validate_rules(con)
    has_scores = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'ml' AND table_name = 'lead_scores'").fetchone()[0]
    bind(con, ml_scores="SELECT lead_id, tier, score_date FROM ml.lead_scores" if has_scores
         else "SELECT NULL::VARCHAR AS lead_id, NULL::VARCHAR AS tier, "
              "NULL::DATE AS score_date WHERE false",
         prior_assignments="SELECT * FROM (VALUES (NULL::VARCHAR, NULL::VARCHAR, "
                           "NULL::VARCHAR, NULL::VARCHAR, NULL::BIGINT, NULL::TIMESTAMPTZ)) "
                           "AS t(lead_id, team, owner, rule_id, round_robin_seq, assigned_at) "
                           "WHERE false")
    window = {"start": dt.datetime.combine(start, dt.time(), dt.UTC),
              "end": dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC)}
    con.execute(f"CREATE OR REPLACE TEMP TABLE replay_leads AS {REPLAY_LEADS}", window)
    bind(con, routable_leads="SELECT * FROM replay_leads")
    con.execute(f"CREATE OR REPLACE TEMP TABLE replayed AS {sql('routing')}",
                {"assigned_at": window["end"]})
    frame = con.execute(sql("simulate")).fetchdf()
    rules = con.execute("SELECT coalesce(rule_id, '(none)'), count(*) FROM replayed "
                        "GROUP BY 1 ORDER BY 2 DESC, 1").fetchall()
    leads = con.execute("SELECT count(*) FROM replayed").fetchone()[0]
    return Simulation(start=start, end=end, leads=leads,
                      rows=frame.to_dict("records"), rules=rules)
