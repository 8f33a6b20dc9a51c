"""`leadflow handoff simulate`: the whole hand-off of a past window replayed under a
candidate rule set beside the current one: which leads the MQL rules hand to sales (the
scoring and lifecycle seeds, rebuilt with dbt in a throwaway copy: rebuild.py), who gets
them (the routing rules, the reps' weights and availability: routing's own matching macro
and dealing: weighted round-robin, caps of open leads, dated absences), and
what the owners' measured response lets one expect: speed-to-lead, SLA breaches and the
conversions lost to slow response. The queries are the dbt analysis
dbt_project/analyses/handoff_replay.sql; the warehouse is only read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.activation import replay
from pipelines.activation.routing import RoutingError, deal
from pipelines.analyses import split
from pipelines.handoff.rebuild import (
    RULE_SEEDS,
    SIDES,
    BuildOptions,
    RulesError,
    candidate_files,
    rebuilt,
)
from pipelines.project import DBT_PROJECT_DIR
from pipelines.resources import open_duckdb

ANALYSIS = "handoff_replay"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
# the routing files a candidate folder may hold besides the scoring and lifecycle seeds
ROUTING_SEEDS = ("routing_rules", "sales_reps", "rep_availability")


@dataclass(frozen=True)
class Handoff:
    start: dt.date
    end: dt.date
    week_columns: list[str]
    weeks: list[tuple]       # one per week of hand-off, then the window (week None)
    rep_columns: list[str]
    reps: list[tuple]
    bands: list[tuple]       # response band, handed leads, mature ones, conversion rate
    replaced: list[str]


class _Replay:
    """The replay of one side on the copy's connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection, queries: list[str]):
        self.con = con
        (self.leads, self.matches, self.history, self.expected, self.weeks, self.reps,
         self.bands) = queries

    def bind(self, side: str, files: dict[str, Path]) -> None:
        """The side's routing files as the temp tables the replay reads, checked as
        `routing simulate` checks them, and its stages and rule scores."""
        try:
            replay.bind_seed_files(self.con, SEEDS_DIR, rules=files.get("routing_rules"),
                                   reps=files.get("sales_reps"),
                                   availability=files.get("rep_availability"))
            replay.validate_rules(self.con)
        except RoutingError as exc:
            raise RulesError(str(exc)) from None
        for name, table in (("handoff_stages", "lead_stages"),
                            ("handoff_rule_scores", "lead_rule_scores")):
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS "
                             f"SELECT * FROM rules_{side}.{table}")

    def run(self, side: str, start: dt.date, end: dt.date, horizon_days: int) -> None:
        con = self.con
        window = {"start": dt.datetime.combine(start, dt.time(), dt.UTC),
                  "end": dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC)}
        con.execute(f"CREATE OR REPLACE TEMP TABLE handoff_leads AS {self.leads}", window)
        con.execute(f"CREATE OR REPLACE TEMP TABLE handoff_matches AS {self.matches}")
        # routing's own dealing, each lead at its hand-off (absences judged on that day),
        # open towards its rep's cap until it was won or disqualified
        deal(con, "handoff_matches", replay.NO_ASSIGNMENTS, "sales_reps", "rep_availability",
             closes="handoff_leads", into="handoff_dealt")
        con.execute(f"CREATE OR REPLACE TEMP TABLE response_history AS {self.history}",
                    {"horizon_days": horizon_days})
        con.execute(f"CREATE OR REPLACE TEMP TABLE expected_{side} AS {self.expected}")
        reps = "candidate_reps" if side == "candidate" else "current_reps"
        con.execute(f"CREATE OR REPLACE TEMP TABLE {reps} AS SELECT * FROM sales_reps")
        if side == "candidate":  # the days of the window each rep is away
            con.execute("CREATE OR REPLACE TEMP TABLE candidate_away AS "
                        "SELECT DISTINCT owner, unnest(generate_series(greatest(away_from, "
                        "$start), least(away_to, $end), INTERVAL 1 DAY)) AS day "
                        "FROM rep_availability WHERE away_to >= $start AND away_from <= $end",
                        {"start": start, "end": end})


def check_routing_files(files: dict[str, Path]) -> None:
    """Refuse candidate routing files `routing simulate` would refuse (read and checked on
    an empty in-memory database)."""
    con = duckdb.connect()
    try:
        replay.bind_seed_files(con, SEEDS_DIR, rules=files.get("routing_rules"),
                               reps=files.get("sales_reps"),
                               availability=files.get("rep_availability"))
        replay.validate_rules(con)
    except RoutingError as exc:
        raise RulesError(f"the candidate routing rules: {exc}") from None
    finally:
        con.close()


def run(warehouse: Path, rules_dir: Path, start: dt.date, end: dt.date,
        options: BuildOptions, temp_parent: Path | None = None,
        progress: Callable[[str], None] | None = None) -> Handoff:
    """Replay the hand-off of [start, end] (UTC days, by hand-off moment) under the seeds as
    they stand and under the candidate files of ``rules_dir``."""
    files = candidate_files(rules_dir, RULE_SEEDS + ROUTING_SEEDS)
    check_routing_files(files)  # before the longer build
    dbt_files = {name: path for name, path in files.items() if name in RULE_SEEDS}
    with rebuilt(warehouse, dbt_files, options, temp_parent, progress) as work:
        queries = [sql for _, sql in split(work.compile_analysis(ANALYSIS))]
        con = open_duckdb(work.warehouse)  # the throwaway copy
        try:
            steps = _Replay(con, queries)
            for side in SIDES:
                try:
                    steps.bind(side, files if side == "candidate" else {})
                except RulesError as exc:
                    raise RulesError(f"the {side} routing rules: {exc}") from None
                steps.run(side, start, end, options.horizon_days)
            week_cur = con.execute(steps.weeks)
            week_columns = [d[0] for d in week_cur.description]
            weeks = week_cur.fetchall()
            rep_cur = con.execute(steps.reps)
            rep_columns = [d[0] for d in rep_cur.description]
            reps = rep_cur.fetchall()
            bands = con.execute(steps.bands).fetchall()
        finally:
            con.close()
    return Handoff(start=start, end=end, week_columns=week_columns, weeks=weeks,
                   rep_columns=rep_columns, reps=reps, bands=bands, replaced=sorted(files))


def write_csv(result: Handoff, target: Path) -> None:
    """The week table to ``target`` (last row 'window'), the rep table beside it."""
    import csv

    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(result.week_columns)
        for row in result.weeks:
            writer.writerow(["window" if row[0] is None else row[0].isoformat(),
                             *("" if v is None else v for v in row[1:])])
    with target.with_name(target.stem + "_reps.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(result.rep_columns)
        writer.writerows([["" if v is None else v for v in row] for row in result.reps])
