"""The dbt benchmark: the warehouse build against the same SQL without dbt, and the daily
incremental build against the full one.

Preparation (not timed, reused while the generated data is unchanged): the scale's inbox
is ingested, the last calendar day of every source is held back in schema ``bench_day``
as if its files had not arrived yet, and the seeds are loaded. Each repetition then
times, from a copy of that base:

- ``full``: ``dbt build`` of every model and data test, as the daily job runs it (seeds
  are already in; unit tests, which run on fixtures, are left out);
- ``direct``: the same compiled SQL in one DuckDB connection, in the order dbt ran it:
  each model created as its view or table, each test's query run to the end;
- ``daily``: the held-back day released into ``raw`` with file ids of its own (what the
  ingestion of new files does; not timed), then the ``dbt build`` the daily job runs on a
  day the seeds did not change: the event models take the new files, the lead-level
  models refresh the leads those files touched, seeds and their tests are left out.

This module runs in the benchmark's parent process: no DuckDB here (see child.py).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from leadflow_dev.bench.child import PhaseFailed, run_in_child
from pipelines.project import DBT_PROJECT_DIR
from pipelines.seed_state import SKIP_LOADED_SEEDS

log = logging.getLogger(__name__)

BUILD = ["build", "--exclude-resource-type", "seed", "--exclude-resource-type", "unit_test"]
# the daily job's build on a day the seeds did not change (pipelines/assets/dbt.py)
DAILY_BUILD = ["build", "--exclude-resource-type", "unit_test", *SKIP_LOADED_SEEDS]
DB_NAME = "warehouse.duckdb"  # one file name everywhere: compiled SQL names its catalog


class DbtBench:
    def __init__(self, workdir: Path, inbox: Path, scratch: Path, temp_dir: Path,
                 generator_params: dict, floor_repeat: int = 1, same_sql: bool = True):
        self.root = workdir / "dbt"
        self.inbox, self.scratch, self.temp_dir = inbox, scratch, temp_dir
        self.params = generator_params
        self.floor_repeat = floor_repeat  # model and floor runs of each heavy model
        self.with_same_sql = same_sql  # time the compiled SQL without dbt too
        self.base = self.root / "base" / DB_NAME
        self.build = self.root / "build" / DB_NAME
        self.direct = self.root / "direct" / DB_NAME
        self.target, self.logs = self.root / "target", self.root / "logs"
        self.stamp = self.root / "base.json"
        self.statements = self.root / "statements.json"

    # ---------------------------------------------------------------- plumbing

    def dbt(self, args: list[str], db: Path) -> tuple[float, int]:
        """Run the dbt command line on ``db``: (wall seconds, peak RSS bytes of dbt)."""
        env = {**os.environ, "LEADFLOW_WAREHOUSE": str(db),
               "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"}
        command = [str(Path(sys.executable).parent / "dbt"), *args,
                   "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
                   str(DBT_PROJECT_DIR), "--target-path", str(self.target),
                   "--log-path", str(self.logs), "--quiet"]
        started = time.perf_counter()
        proc = subprocess.Popen(command, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise PhaseFailed(f"dbt {' '.join(args)} failed on {db} (exit code "
                              f"{proc.returncode}; logs in {self.logs})")
        return seconds, usage.ru_maxrss * 1024

    @staticmethod
    def copy(src: Path, dst: Path) -> None:
        dst.parent.mkdir(parents=True, exist_ok=True)
        for path in (dst, dst.with_name(dst.name + ".wal")):
            path.unlink(missing_ok=True)
        shutil.copy(src, dst)

    # ---------------------------------------------------------------- phases

    def prepare(self) -> dict:
        """The base warehouse: raw without its last day (reused while the generated data is
        the same), with the project's current seeds loaded."""
        record = None
        if self.stamp.exists() and self.base.exists():
            stored = json.loads(self.stamp.read_text())
            if stored.get("params") == self.params:
                log.info("dbt: reusing the base warehouse in %s", self.base.parent)
                record = stored
        if record is None:
            self.stamp.unlink(missing_ok=True)
            self.base.parent.mkdir(parents=True, exist_ok=True)
            log.info("dbt: ingesting the inbox and holding back its last day (not timed)")
            held = run_in_child("dbt_prepare", {"inbox": str(self.inbox), "db": str(self.base),
                                                "temp_dir": str(self.temp_dir)}, self.scratch)
            record = {"params": self.params, **held.result}
            self.stamp.write_text(json.dumps(record, indent=2))
        # every time: the seeds are the project's, and they change more often than the data
        log.info("dbt: loading the seeds (not timed)")
        self.dbt(["seed"], self.base)
        return record

    def executed_sql(self) -> list[dict]:
        """The statements of the ``dbt build`` just finished, in the order dbt ran them."""
        manifest = json.loads((self.target / "manifest.json").read_text())
        results = json.loads((self.target / "run_results.json").read_text())["results"]
        out = []
        for result in results:
            node = manifest["nodes"].get(result["unique_id"])
            if node is None or node["resource_type"] not in ("model", "test"):
                continue
            if node["resource_type"] == "test":
                out.append({"kind": "test", "name": node["name"],
                            "sql": f"SELECT count(*) FROM ({node['compiled_code']}) AS test"})
                continue
            kind = "VIEW" if node["config"]["materialized"] == "view" else "TABLE"
            out.append({"kind": "model", "name": node["name"], "schema": node["schema"],
                        "sql": f"CREATE OR REPLACE {kind} {node['relation_name']} AS "
                               f"{node['compiled_code']}",
                        "compiled": node["compiled_code"],
                        "build_seconds": result.get("execution_time")})
        return out

    def full_and_daily(self, rep: int) -> dict:
        self.copy(self.base, self.build)
        full, full_rss = self.dbt(BUILD, self.build)
        statements = self.executed_sql()
        self.statements.write_text(json.dumps(statements))
        floors = self.floors(rep)
        run_in_child("dbt_release_day", {"db": str(self.build)}, self.scratch)
        daily, daily_rss = self.dbt(DAILY_BUILD, self.build)
        log.info("run %d dbt full build %8.2f s   daily incremental build %8.2f s", rep, full,
                 daily)
        return {"full_seconds": full, "daily_seconds": daily,
                "peak_rss_bytes": max(full_rss, daily_rss),
                "model_seconds": {s["name"]: s["build_seconds"] for s in statements
                                  if s["kind"] == "model"},
                "floors": floors,
                "models": sum(s["kind"] == "model" for s in statements),
                "tests": sum(s["kind"] == "test" for s in statements)}

    def floors(self, rep: int) -> list[dict]:
        """The heaviest models against their floors, on the warehouse the full build made."""
        run = run_in_child("dbt_floors", {"db": str(self.build), "statements": str(self.statements),
                                          "temp_dir": str(self.temp_dir),
                                          "repeat": self.floor_repeat}, self.scratch)
        for f in run.result["models"]:
            log.info("run %d floor %-28s model %7.2f s  floor %7.2f s  ratio %5.2f  %s", rep,
                     f["model"], f["model_seconds"], f["floor_seconds"], f["ratio"] or 0,
                     "same rows" if f["same_rows"] else "ROWS DIFFER")
        return run.result["models"]

    def same_sql(self, rep: int) -> dict:
        self.copy(self.base, self.direct)
        run = run_in_child("dbt_direct", {"db": str(self.direct),
                                          "statements": str(self.statements),
                                          "temp_dir": str(self.temp_dir)}, self.scratch)
        log.info("run %d same SQL, one DuckDB connection %8.2f s", rep, run.result["seconds"])
        return {**run.result, "peak_rss_bytes": run.peak_rss_bytes}

    def run(self, repeat: int) -> dict:
        base = self.prepare()
        self.dbt(["parse"], self.base)  # later invocations parse partially, as in production
        builds, direct = [], []
        for rep in range(1, repeat + 1):
            # the SQL comes from a finished build, so the first repetition builds first
            if not self.with_same_sql:
                builds.append(self.full_and_daily(rep))
            elif rep % 2:
                builds.append(self.full_and_daily(rep))
                direct.append(self.same_sql(rep))
            else:
                direct.append(self.same_sql(rep))
                builds.append(self.full_and_daily(rep))
        for db in (self.build, self.direct):
            for path in (db, db.with_name(db.name + ".wal")):
                path.unlink(missing_ok=True)
        return {"base": base, "builds": builds, "direct": direct}
