"""Build the scoring and lifecycle dbt models with candidate seed files, in a throwaway
copy of the warehouse.

The candidate rules are copies of seeds an analyst is editing (points, caps, half-life,
MQL threshold, gates). Nothing here restates their logic: a temporary dbt project whose
models, macros and tests are the project's own (symlinks) and whose seeds folder holds
the project's seed files with the candidate files in their place is built, with dbt, into
a copy of the warehouse: the candidate seeds are loaded and tested by their YAML tests
(a bad file fails here, with dbt's reason), then the models that read them are rebuilt
from scratch. The same is done with the seed files as they stand ("current"), so both
sides come from one build path and identical rules give identical figures. The tables
each side produced are kept in the copy under schema ``rules_current`` /
``rules_candidate`` for the caller to compare.

The warehouse is opened read-only (a shared lock: no run writes it meanwhile) only to
copy its file; the copy lives in a temporary folder removed afterwards."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.activation.replay import OPTIONAL_COLUMNS
from pipelines.project import DBT_PROJECT_DIR

# the seeds a candidate folder may hold: scoring (points, caps, decay, grades) and lifecycle
# (MQL and SQL rules, their threshold and window, the rule-score gates)
RULE_SEEDS = ("scoring_rules", "scoring_groups", "scoring_grades", "scoring_parameters",
              "lifecycle_rules", "lifecycle_rule_gates")
# the models computed from them that the comparisons read (their upstream is left as built)
MODELS = ("int_lead_score_as_of", "int_lead_score_points", "int_lead_score_groups",
          "fct_lead_rule_score_contributions", "fct_lead_rule_scores",
          "int_lifecycle_rules_met", "fct_lead_stages", "fct_lead_funnel", "fct_lead_features")
# what each side keeps: table name in the side's schema -> query over the rebuilt models
KEPT = {
    "lead_stages": "SELECT lead_id, stage, stage_order, entered_at, entered_via "
                   "FROM marts.fct_lead_stages",
    "lead_rule_scores": "SELECT lead_id, fit_score, fit_grade, engagement_score, "
                        "engagement_band FROM marts.fct_lead_rule_scores",
    "lead_funnel": "SELECT * FROM marts.fct_lead_funnel",
    # the rule score as of the snapshot age, and the outcome within the horizon
    "rule_score_snapshots": "SELECT lead_id, as_of_at, rule_score, converted_within_horizon "
                            "FROM marts.fct_lead_features WHERE snapshot_kind = 'training'",
}
SIDES = ("current", "candidate")


class RulesError(ValueError):
    """Candidate rule files that cannot be replayed, or a build that failed: one line."""


def candidate_files(rules_dir: Path, seeds: tuple[str, ...] = RULE_SEEDS) -> dict[str, Path]:
    """The candidate seed files of ``rules_dir`` by seed name; refuses a folder that is
    missing, holds a CSV that is none of ``seeds``, or a file whose header is not the
    seed's (missing or unknown columns)."""
    if not rules_dir.is_dir():
        raise RulesError(f"no such folder: {rules_dir}")
    found: dict[str, Path] = {}
    for path in sorted(rules_dir.iterdir()):
        if path.suffix.lower() != ".csv":
            continue
        if path.stem not in seeds:
            raise RulesError(f"{path.name} in {rules_dir} is not a rule seed this command "
                             f"replays (expected any of: {', '.join(f'{s}.csv' for s in seeds)})")
        seed_header = _header(DBT_PROJECT_DIR / "seeds" / path.name)
        header = _header(path)
        missing = [c for c in seed_header
                   if c not in header and c not in OPTIONAL_COLUMNS.get(path.stem, {})]
        extra = [c for c in header if c not in seed_header]
        if missing or extra:
            what = "; ".join(filter(None, [
                missing and f"missing column(s) {', '.join(missing)}",
                extra and f"unknown column(s) {', '.join(extra)}"]))
            raise RulesError(f"{path}: {what} (the columns of seed {path.stem})")
        found[path.stem] = path
    if not found:
        raise RulesError(f"{rules_dir} holds no candidate rule file (expected any of: "
                         f"{', '.join(f'{s}.csv' for s in seeds)})")
    return found


def _header(path: Path) -> list[str]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return [c.strip() for c in next(csv.reader(handle), [])]
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"cannot read {path}: {exc}") from None


@dataclass(frozen=True)
class BuildOptions:
    """The vars of the rebuilt models: the outcome horizon and the snapshot age of the
    rule score (fct_lead_features: one training row per lead, at that age)."""

    horizon_days: int = 90
    score_age_days: int = 7

    def vars_yaml(self) -> str:
        return (f"{{ml_horizon_days: {self.horizon_days}, "
                f"ml_snapshot_ages_days: [{self.score_age_days}], "
                f"ml_random_snapshots_per_lead: 0}}")


class Workspace:
    """A copy of the warehouse and a temporary dbt project over it. Every dbt invocation
    is given the same vars (only fct_lead_features reads them): dbt parses the whole project
    again when the command line's vars change, and otherwise re-reads only the seed files
    replaced between the sides (about 20 s saved per invocation)."""

    def __init__(self, root: Path, warehouse: Path, options: BuildOptions):
        self.root = root
        self.source = warehouse
        self.options = options
        self.warehouse = root / "replay.duckdb"
        self.project = root / "project"
        self.seeds = self.project / "seeds"

    def copy_warehouse(self) -> None:
        from pipelines.resources import open_duckdb

        try:  # a read-only connection holds a shared lock: no run writes the file meanwhile
            con = open_duckdb(self.source, read_only=True)
        except duckdb.IOException as exc:
            raise RulesError(f"cannot read the warehouse (is a run writing it?): "
                             f"{str(exc).splitlines()[0]}") from None
        try:
            shutil.copyfile(self.source, self.warehouse)
            wal = self.source.with_name(self.source.name + ".wal")
            if wal.exists():
                shutil.copyfile(wal, self.warehouse.with_name(self.warehouse.name + ".wal"))
        finally:
            con.close()

    def make_project(self) -> None:
        self.seeds.mkdir(parents=True)
        for name in ("dbt_project.yml", "profiles.yml"):
            shutil.copyfile(DBT_PROJECT_DIR / name, self.project / name)
        for name in ("models", "macros", "tests", "analyses"):
            (self.project / name).symlink_to(DBT_PROJECT_DIR / name, target_is_directory=True)

    def place_seeds(self, replaced: dict[str, Path]) -> None:
        """The seeds folder: every project seed file (and its YAML), ``replaced`` ones
        copied in their place."""
        for path in self.seeds.iterdir():
            path.unlink()
        for path in (DBT_PROJECT_DIR / "seeds").iterdir():
            if path.stem in replaced and path.suffix == ".csv":
                shutil.copyfile(replaced[path.stem], self.seeds / path.name)
            else:
                (self.seeds / path.name).symlink_to(path)

    def dbt(self, *args: str):
        from dbt.cli.main import dbtRunner

        from pipelines.analyses import release_dbt_duckdb

        saved = os.environ.get("LEADFLOW_WAREHOUSE")
        os.environ["LEADFLOW_WAREHOUSE"] = str(self.warehouse)
        os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
        try:  # dbt's own output (compiled SQL, warnings) is not the command's
            with contextlib.redirect_stdout(io.StringIO()):
                result = dbtRunner().invoke([
                    *args, "--vars", self.options.vars_yaml(), "--quiet",
                    "--project-dir", str(self.project),
                    "--profiles-dir", str(self.project),
                    "--target-path", str(self.root / "target"),
                    "--log-path", str(self.root / "logs"), "--no-use-colors"])
        finally:
            release_dbt_duckdb()
            if saved is None:
                os.environ.pop("LEADFLOW_WAREHOUSE", None)
            else:
                os.environ["LEADFLOW_WAREHOUSE"] = saved
        if not result.success:
            raise RulesError(_failure(result))
        return result

    def compile_analysis(self, name: str) -> str:
        """The SQL of dbt_project/analyses/<name>.sql as dbt compiles it for the copy."""
        result = self.dbt("compile", "--select", f"path:analyses/{name}.sql")
        nodes = [r.node for r in (result.result or []) if r.node.name == name]
        if not nodes:
            raise RulesError(f"analysis {name} does not compile")
        return nodes[0].compiled_code

    def build_side(self, side: str, replaced: dict[str, Path]) -> None:
        """Load the side's seeds (with their tests), rebuild the models from scratch and
        keep what the comparisons read under schema rules_<side>."""
        self.place_seeds(replaced)
        # the seeds and their own tests (cautious: not the tests that also read a model)
        self.dbt("build", "--select", *RULE_SEEDS, "--indirect-selection", "cautious",
                 "--full-refresh")
        self.dbt("run", "--full-refresh", "--select", *MODELS)
        from pipelines.resources import open_duckdb

        con = open_duckdb(self.warehouse)
        try:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS rules_{side}")
            for table, query in KEPT.items():
                con.execute(f"CREATE OR REPLACE TABLE rules_{side}.{table} AS {query}")
        finally:
            con.close()


    def copy_side(self, source: str, target: str) -> None:
        from pipelines.resources import open_duckdb

        con = open_duckdb(self.warehouse)
        try:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS rules_{target}")
            for table in KEPT:
                con.execute(f"CREATE OR REPLACE TABLE rules_{target}.{table} AS "
                            f"SELECT * FROM rules_{source}.{table}")
        finally:
            con.close()


def _failure(result) -> str:
    """One line: the first failing node and its message, else dbt's exception."""
    for r in result.result or []:
        if str(r.status) in ("error", "fail"):
            node = r.node
            where = node.name
            if node.resource_type == "test":
                where = f"test {node.name}"
                depends = [n.split(".")[-1] for n in node.depends_on.nodes]
                if depends:
                    where += f" on {', '.join(depends)}"
            message = " ".join(str(r.message or r.status).split())
            return f"{where}: {message}"[:400]
    why = result.exception or "dbt failed"
    return str(why).strip().splitlines()[0][:400]


@contextmanager
def rebuilt(warehouse: Path, candidates: dict[str, Path], options: BuildOptions,
            temp_parent: Path | None = None,
            progress: Callable[[str], None] | None = None) -> Iterator[Workspace]:
    """A throwaway copy of ``warehouse`` holding schemas rules_current and rules_candidate
    (the KEPT tables of both rule sets); removed on exit. Candidate first, so a bad file
    fails before the longer work; without candidate files the current tables serve both."""
    if not warehouse.is_file():
        raise RulesError(f"no warehouse at {warehouse} yet: run `leadflow run` first")
    if temp_parent is not None:
        temp_parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="leadflow-rules-", dir=temp_parent) as tmp:
        say = progress or (lambda _: None)
        work = Workspace(Path(tmp), warehouse, options)
        work.copy_warehouse()
        work.make_project()
        say("copied the warehouse")
        if candidates:
            try:
                work.build_side("candidate", candidates)
            except RulesError as exc:
                raise RulesError(f"the candidate rules do not build: {exc}") from None
            say("built the candidate rules")
        work.build_side("current", {})
        say("built the current rules")
        if not candidates:  # the same seeds: the same tables
            work.copy_side("current", "candidate")
        yield work
