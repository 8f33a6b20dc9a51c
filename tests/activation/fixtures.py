"""A small hand-made warehouse for the activation tests: the mart columns activation
reads, the rule seeds as given (default: the project's seed files) and ml.lead_scores;
then the activation dbt models built on it in-process, as the daily job builds them
after scoring (dbt reads the hand-made tables through ref and source)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from models_ml import runs
from pipelines.activation import routing
from pipelines.activation.replay import SEED_COLUMN_TYPES, add_optional_columns
from pipelines.activation.warehouse import ensure_tables
from pipelines.project import DBT_PROJECT_DIR
from pipelines.resources import open_duckdb
from tests.dbt.workspace import dbt

SEEDS = DBT_PROJECT_DIR / "seeds"
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
DAY0 = T0.date()

DDL = """
CREATE SCHEMA IF NOT EXISTS marts;
CREATE SCHEMA IF NOT EXISTS seeds;
CREATE TABLE marts.dim_leads (
    lead_id VARCHAR, email VARCHAR, first_name VARCHAR, last_name VARCHAR,
    company_name VARCHAR, created_at TIMESTAMPTZ, country_code VARCHAR, region VARCHAR,
    product_interest VARCHAR, has_marketing_consent BOOLEAN, has_unsubscribed BOOLEAN,
    last_human_email_engagement_at TIMESTAMPTZ, last_web_activity_at TIMESTAMPTZ,
    latest_conversion_at TIMESTAMPTZ);
CREATE TABLE marts.dim_consent_states (
    lead_id VARCHAR, subscription_group VARCHAR, has_consent BOOLEAN,
    consent_updated_at TIMESTAMPTZ, last_consent_event_type VARCHAR,
    opt_in_legal_basis VARCHAR, consent_event_count BIGINT);
CREATE TABLE marts.fct_lead_funnel (
    lead_id VARCHAR, current_stage VARCHAR, funnel_position VARCHAR, is_mql BOOLEAN,
    is_sql BOOLEAN, is_opportunity BOOLEAN, is_customer BOOLEAN, is_recycled BOOLEAN);
CREATE TABLE marts.fct_lead_stages (
    lead_id VARCHAR, stage VARCHAR, entered_at TIMESTAMPTZ, is_current_stage BOOLEAN);
CREATE TABLE marts.fct_lead_rule_scores (
    lead_id VARCHAR, fit_grade VARCHAR, engagement_band INTEGER, score_label VARCHAR);
CREATE TABLE marts.fct_speed_to_lead (
    lead_id VARCHAR, handed_at TIMESTAMPTZ, first_touch_at TIMESTAMPTZ, owner VARCHAR,
    team VARCHAR, response_minutes DOUBLE, is_touched BOOLEAN, sla_hours DOUBLE,
    as_of TIMESTAMPTZ, is_sla_breach BOOLEAN);
"""

FUNNEL = {  # stage -> (funnel_position, is_mql, is_sql, is_opportunity, is_customer, is_recycled)
    "lead": ("TOFU", False, False, False, False, False),
    "mql": ("MOFU", True, False, False, False, False),
    "sql": ("BOFU", True, True, False, False, False),
    "customer": ("customer", True, True, True, True, False),
    "disqualified": ("disqualified", True, True, True, False, False),
    "recycled": ("TOFU", True, True, True, False, True),
}


def seed(con: duckdb.DuckDBPyConnection, name: str, path: Path | None = None) -> None:
    """Load a seed table from the project's CSV file, or another one."""
    path = path or SEEDS / f"{name}.csv"
    types = {**SEED_COLUMN_TYPES,
             "nurture_rules": "{'funnel_position': 'VARCHAR', 'is_recycled': 'BOOLEAN', "
                              "'min_score': 'DOUBLE', 'max_score': 'DOUBLE', "
                              "'engaged_within_days': 'INTEGER', "
                              "'inactive_for_days': 'INTEGER'}",
             "alert_rules": "{'after_hours': 'DOUBLE'}"}[name]
    con.execute(f"CREATE OR REPLACE TABLE seeds.{name} AS SELECT * FROM "
                f"read_csv('{path}', header = true, types = {types})")
    add_optional_columns(con, name, f"seeds.{name}")


def create(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)
    runs.ensure_tables(con)
    ensure_tables(con)
    for name in ("routing_rules", "sales_reps", "rep_availability", "sla_policies",
                 "nurture_rules"):
        seed(con, name)
    seed(con, "alert_rules")


# the dbt models of the two steps after scoring, and the reps' history simulate reads; not
# fct_speed_to_lead (it reads ops.lead_assignments, but its other inputs are marts this
# warehouse does not hold: the tests give it by hand) nor the report models over it
ACTIVATION_MODELS = ("source:ml+", "source:ops+", "rep_response_history")
NOT_BUILT = ("fct_speed_to_lead", "rpt_speed_to_lead", "rpt_speed_to_lead_bins",
             "rpt_headline_kpis", "rpt_kpi_periods", "rpt_kpi_comparison",
             "rpt_report_context", "rpt_response_band_conversion")


class Warehouse:
    """A warehouse file with an open connection (``execute`` as on a DuckDB connection);
    ``build()`` closes it, runs the activation dbt models on the file and opens it again.
    dbt's files go to ``work``: one folder per test session, so dbt parses partially."""

    def __init__(self, path: Path, work: Path, exclude: tuple[str, ...] = NOT_BUILT):
        self.path, self.work, self.exclude = path, work, exclude
        self.con = open_duckdb(path)

    def execute(self, *args, **kwargs) -> duckdb.DuckDBPyConnection:
        return self.con.execute(*args, **kwargs)

    def build(self, also: tuple[str, ...] = ()) -> None:
        self.con.close()
        try:
            dbt(self.work, self.path, "run", "--select", *ACTIVATION_MODELS, *also,
                *(("--exclude", *self.exclude) if self.exclude else ()))
        finally:
            self.con = open_duckdb(self.path)

    def close(self) -> None:
        self.con.close()


def route(wh: Warehouse, at: dt.datetime) -> routing.RoutingSummary:
    """What the daily job does after scoring: the routing matches, then routing (the
    models that read the assignments need another ``wh.build()``)."""
    wh.build()
    return routing.assign(wh, at)


def add_lead(con: duckdb.DuckDBPyConnection, lead_id: str, *, minutes: int = 0,
             country: str | None = "US", region: str | None = "na", product: str | None = None,
             stage: str = "lead", consent: bool = True, email: str | None = None,
             engaged_days_ago: int | None = 1, unsubscribed: bool = False) -> None:
    created = T0 + dt.timedelta(minutes=minutes)
    engaged = None if engaged_days_ago is None else T0 - dt.timedelta(days=engaged_days_ago)
    con.execute("INSERT INTO marts.dim_leads VALUES (?, ?, 'Ann', 'Lee', 'Acme', ?, ?, ?, ?, "
                "?, ?, ?, NULL, NULL)",
                [lead_id, email or f"{lead_id}@acme.example", created, country, region, product,
                 consent, unsubscribed, engaged])
    con.execute("INSERT INTO marts.dim_consent_states VALUES (?, 'all', ?, ?, ?, NULL, 1)",
                [lead_id, consent, created, "form_opt_in" if consent else "form_opt_out"])
    con.execute("INSERT INTO marts.fct_lead_funnel VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [lead_id, stage, *FUNNEL[stage]])


def set_stage(con: duckdb.DuckDBPyConnection, lead_id: str, stage: str) -> None:
    con.execute("DELETE FROM marts.fct_lead_funnel WHERE lead_id = ?", [lead_id])
    con.execute("INSERT INTO marts.fct_lead_funnel VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [lead_id, stage, *FUNNEL[stage]])


def score(con: duckdb.DuckDBPyConnection, lead_id: str, tier: str, value: int = 50,
          day: dt.date = DAY0, reasons: tuple[str, str, str] = ("Raises the score: a",
                                                     "Lowers the score: b",
                                                     "Raises the score: c")
          ) -> None:
    con.execute("INSERT OR REPLACE INTO ml.lead_scores (score_date, lead_id, model_version, "
                "probability, score, tier, priority_rank, reason_1, reason_2, reason_3) "
                "VALUES (?, ?, 'v1', ?, ?, ?, 1, ?, ?, ?)",
                [day, lead_id, value / 100, value, tier, *reasons])


def rule_score(con: duckdb.DuckDBPyConnection, lead_id: str, label: str) -> None:
    """The lead's rule score (fct_lead_rule_scores), e.g. "B2"."""
    con.execute("DELETE FROM marts.fct_lead_rule_scores WHERE lead_id = ?", [lead_id])
    con.execute("INSERT INTO marts.fct_lead_rule_scores VALUES (?, ?, ?, ?)",
                [lead_id, label[0], int(label[1]), label])


def assignments(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    """lead_id -> (team, owner, rule_id, round_robin_seq, is_open)."""
    return {r[0]: r[1:] for r in con.execute(
        "SELECT lead_id, team, owner, rule_id, round_robin_seq, is_open "
        "FROM ops.lead_assignments ORDER BY lead_id").fetchall()}
