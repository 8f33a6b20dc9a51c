"""`leadflow routing simulate`: replay a rule set over past leads, as if none had an owner,
and estimate the load per rep and the speed-to-lead to expect. Temp objects only: the
warehouse is opened read-only and never written.

The rules replayed may be candidate CSV files an analyst is editing, which no dbt model
can read (they are not seeds yet): they are bound here as temp tables under the seeds'
names, and the replay's SQL is the dbt analysis dbt_project/analyses/routing_replay.sql
(the leads of the window, the first matching rule through the same macro as the model
routing_matches, the load per rep against the model rep_response_history). Only dealing
to reps runs from Python: it is routing's own stateful step (routing.deal), here with
no prior owners, each lead dealt on its creation day (absences of rep_availability judged
on that day) and counting towards its rep's cap of open leads until it closed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.activation.routing import RoutingError, deal
from pipelines.analyses import AnalysisError, compile_analysis, split

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
    "rep_availability": "{'owner': 'VARCHAR', 'away_from': 'DATE', 'away_to': 'DATE', "
                        "'reason': 'VARCHAR'}",
}
# conditions added to routing_rules later, typed after reading: a rules file written
# before them has none (they are then blank: no condition)
OPTIONAL_COLUMNS = {"routing_rules": {"min_fit_grade": "VARCHAR",
                                      "min_engagement_band": "INTEGER"},
                    "sales_reps": {"max_open_leads": "INTEGER"}}


def add_optional_columns(con: duckdb.DuckDBPyConnection, name: str, table: str) -> None:
    """Give ``table`` (a rules file of seed ``name`` as read) its optional columns, typed."""
    present = {row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()}
    for column, sql_type in OPTIONAL_COLUMNS.get(name, {}).items():
        if column in present:
            con.execute(f"ALTER TABLE {table} ALTER {column} TYPE {sql_type}")
        else:
            con.execute(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}")

NO_ASSIGNMENTS = ("(SELECT NULL::VARCHAR AS lead_id, NULL::VARCHAR AS team, "
                  "NULL::VARCHAR AS owner, NULL::VARCHAR AS rule_id, "
                  "NULL::BIGINT AS round_robin_seq, NULL::TIMESTAMPTZ AS assigned_at, "
                  "NULL::VARCHAR AS routing_note WHERE false)")
ANALYSIS = "routing_replay"


@dataclass(frozen=True)
class ReplayQueries:
    """The replay's queries as dbt compiles dbt_project/analyses/routing_replay.sql."""

    leads: str
    matches: str
    load: str


def replay_queries(warehouse: Path) -> ReplayQueries:
    """Compile the replay analysis for ``warehouse`` (in-process dbt; reads no table, so
    it runs before the warehouse is opened)."""
    try:
        leads, matches, load = (sql for _, sql in split(compile_analysis(ANALYSIS, warehouse)))
    except AnalysisError as exc:
        raise RoutingError(str(exc)) from None
    return ReplayQueries(leads=leads, matches=matches, load=load)


@dataclass(frozen=True)
class Simulation:
    start: dt.date
    end: dt.date
    leads: int
    rows: list[dict]
    rules: list[tuple[str, int]]
    notes: list[tuple[str, int]]  # leads a rep could not take, by routing_note


def bind_seed_files(con: duckdb.DuckDBPyConnection, seeds_dir: Path,
                    rules: Path | None = None, reps: Path | None = None,
                    availability: Path | None = None) -> None:
    """Load the rule relations from CSV files (the seeds as edited, before `dbt seed`)."""
    files = {"routing_rules": rules or seeds_dir / "routing_rules.csv",
             "sales_reps": reps or seeds_dir / "sales_reps.csv",
             "rep_availability": availability or seeds_dir / "rep_availability.csv",
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
        try:
            add_optional_columns(con, name, name)
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
               "AND product_interest IS NULL AND tier IS NULL AND min_fit_grade IS NULL "
               "AND min_engagement_band IS NULL AND rule_order = "
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
    cap = one("SELECT owner FROM sales_reps WHERE max_open_leads < 0 OR capacity_weight < 0")
    if cap:
        problems.append(f"rep {cap[0][0]!r} has a negative capacity_weight or max_open_leads")
    away = one("SELECT owner FROM rep_availability WHERE owner IS NULL OR owner NOT IN "
               "(SELECT owner FROM sales_reps)")
    if away:
        problems.append(f"rep_availability names rep {away[0][0]!r}, who is not in sales_reps")
    dates = one("SELECT owner, away_from, away_to FROM rep_availability "
                "WHERE away_from IS NULL OR away_to IS NULL OR away_from > away_to")
    if dates:
        problems.append(f"rep_availability: absence of {dates[0][0]!r} needs away_from on "
                        "or before away_to")
    grade = one("SELECT rule_id FROM routing_rules WHERE upper(trim(min_fit_grade)) NOT IN "
                "('A', 'B', 'C', 'D') OR min_engagement_band NOT BETWEEN 1 AND 4")
    if grade:
        problems.append(f"rule {grade[0][0]} asks for a rule score outside fit grades A-D or "
                        "engagement bands 1-4")
    if problems:
        raise RoutingError("; ".join(problems))


def simulate(con: duckdb.DuckDBPyConnection, queries: ReplayQueries, start: dt.date,
             end: dt.date) -> Simulation:
    """Replay the bound rule tables over the leads created from ``start`` to ``end``
    (inclusive, UTC days) as if none had an owner; temp objects only."""
    validate_rules(con)
    window = {"start": dt.datetime.combine(start, dt.time(), dt.UTC),
              "end": dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC)}
    con.execute(f"CREATE OR REPLACE TEMP TABLE replay_leads AS {queries.leads}", window)
    con.execute(f"CREATE OR REPLACE TEMP TABLE replay_matches AS {queries.matches}")
    # each lead dealt when it was created; it counts towards its rep's open leads until it
    # closed (customer or disqualified)
    dealer = deal(con, "replay_matches", NO_ASSIGNMENTS, "sales_reps", "rep_availability",
                  closes="replay_leads", into="replayed")
    con.execute("CREATE OR REPLACE TEMP TABLE replay_peaks (owner VARCHAR, peak_open BIGINT)")
    if dealer.peak:
        con.executemany("INSERT INTO replay_peaks VALUES (?, ?)", list(dealer.peak.items()))
    frame = con.execute(queries.load, window).fetchdf()
    rules = con.execute("SELECT coalesce(rule_id, '(none)'), count(*) FROM replayed "
                        "GROUP BY 1 ORDER BY 2 DESC, 1").fetchall()
    leads = con.execute("SELECT count(*) FROM replayed").fetchone()[0]
    notes = con.execute("SELECT routing_note, count(*) FROM replayed WHERE routing_note "
                        "IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1").fetchall()
    return Simulation(start=start, end=end, leads=leads,
                      rows=frame.to_dict("records"), rules=rules, notes=notes)
