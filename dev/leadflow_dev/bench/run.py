"""Running the benchmark of one scale: data, alternating repetitions, results file."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import platform
import shutil
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from leadflow_dev.bench.child import run_in_child
from leadflow_dev.bench.dbt_phase import DbtBench
from leadflow_dev.bench.first_run import run_first_build
from leadflow_dev.bench.ml import ml_targets, run_ml_bench
from leadflow_dev.bench.results import run_seconds, summarise
from leadflow_dev.bench.scales import Scale

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BenchConfig:
    scale: Scale
    workdir: Path  # data/bench/<scale>/ by default
    repeat: int
    keep: bool = False  # keep each run's DuckDB file (deleted after measuring otherwise)
    profile: bool = False  # one more, profiled, ingestion run (not in the medians)
    dbt: bool = True  # the dbt phase: full build vs same SQL, daily vs full build
    ml: bool = True  # the ML phase: training and scoring times, model vs rule score and truth
    same_sql: bool = True  # the dbt build's compiled SQL without dbt (the overhead ratio)
    floor_repeat: int = 1  # runs of each heavy model and of its floor per full build
    first_build: bool = True  # `leadflow run` on the inbox into a fresh data directory

    @property
    def inbox(self) -> Path:
        return self.workdir / "inbox"

    @property
    def truth(self) -> Path:
        return self.workdir / "truth.parquet"

    @property
    def generated(self) -> Path:
        """What the generator reported, written once the data is complete."""
        return self.workdir / "generated.json"

    @property
    def results(self) -> Path:
        return self.workdir / "results.json"

    @property
    def runs(self) -> Path:
        return self.workdir / "runs"

    @property
    def scratch(self) -> Path:
        return self.workdir / "scratch"

    @property
    def duckdb_temp(self) -> Path:
        return self.workdir / "tmp"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _tree_bytes(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def prepare_data(cfg: BenchConfig) -> dict:
    """Generate the scale's inbox in a child process, or reuse a complete earlier one."""
    params = cfg.scale.generator_params()
    if cfg.generated.exists() and cfg.inbox.is_dir():
        stored = json.loads(cfg.generated.read_text())
        if stored.get("params") == params:
            log.info("reusing the %s data generated at %s in %s (delete %s to regenerate)",
                     cfg.scale.name, stored["generated_at"], cfg.inbox, cfg.generated)
            return {**stored, "reused": True}
    cfg.generated.unlink(missing_ok=True)
    shutil.rmtree(cfg.inbox, ignore_errors=True)
    cfg.truth.unlink(missing_ok=True)
    log.info("generating %s leads over %s days into %s", f"{cfg.scale.leads:,}",
             cfg.scale.days, cfg.inbox)
    run = run_in_child("generate", {"inbox": str(cfg.inbox), "truth": str(cfg.truth), **params},
                       cfg.scratch)
    files, size = _tree_bytes(cfg.inbox)
    record = {"params": params, "generated_at": _now(), **run.result,
              "peak_rss_bytes": run.peak_rss_bytes, "inbox_files": files, "inbox_bytes": size}
    cfg.generated.write_text(json.dumps(record, indent=2))
    return {**record, "reused": False}


def warm_page_cache(folder: Path, chunk: int = 1 << 22) -> float:
    """Read every inbox file once, so neither side of the comparison pays the disk."""
    started = time.perf_counter()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            with open(path, "rb") as f:
                while f.read(chunk):
                    pass
    return time.perf_counter() - started


def _remove_db(db: Path) -> None:
    for path in (db, db.with_name(db.name + ".wal")):
        path.unlink(missing_ok=True)


def _measure(cfg: BenchConfig, phase: str, rep: int) -> dict:
    db = cfg.runs / f"{phase}-{rep}.duckdb"
    run = run_in_child(phase, {"inbox": str(cfg.inbox), "db": str(db),
                               "temp_dir": str(cfg.duckdb_temp)}, cfg.scratch)
    if not cfg.keep:
        _remove_db(db)
    entry = {"rep": rep, **run.result, "total_seconds": run_seconds(run.result),
             "peak_rss_bytes": run.peak_rss_bytes, "child_seconds": run.seconds}
    log.info("run %d/%d %-7s %8.2f s   peak RSS %6.0f MiB", rep, cfg.repeat, phase,
             entry["total_seconds"], run.peak_rss_bytes / 2**20)
    return entry


def _environment() -> dict:
    mem = next((int(line.split()[1]) * 1024 for line in open("/proc/meminfo")
                if line.startswith("MemTotal:")), None)
    return {
        "cpus": len(os.sched_getaffinity(0)),
        "memory_bytes": mem,
        "python": platform.python_version(),
        "duckdb": version("duckdb"),
        "platform": platform.platform(),
        "load_average_at_start": list(os.getloadavg()),
    }


def run_benchmark(cfg: BenchConfig) -> dict:
    """Run every phase of the benchmark, write ``results.json`` and return the results."""
    cfg.workdir.mkdir(parents=True, exist_ok=True)
    meta = {
        "scale": {"name": cfg.scale.name, **cfg.scale.generator_params()},
        "repeat": cfg.repeat,
        "started_at": _now(),
        "workdir": str(cfg.workdir),
        "environment": _environment(),
    }
    generator = prepare_data(cfg)
    meta["page_cache_warmup_seconds"] = warm_page_cache(cfg.inbox)
    ingest_runs, bare_runs = [], []
    for rep in range(1, cfg.repeat + 1):
        # alternate which side goes first, so drifting machine noise hits both alike
        for phase in ("ingest", "bare") if rep % 2 else ("bare", "ingest"):
            (ingest_runs if phase == "ingest" else bare_runs).append(_measure(cfg, phase, rep))
    profile = None
    if cfg.profile:
        log.info("profiling one more ingestion run")
        db = cfg.runs / "profile.duckdb"
        run = run_in_child("profile", {"inbox": str(cfg.inbox), "db": str(db),
                                       "temp_dir": str(cfg.duckdb_temp)}, cfg.scratch)
        if not cfg.keep:
            _remove_db(db)
        profile = {**run.result, "peak_rss_bytes": run.peak_rss_bytes}
    dbt_runs = None
    if cfg.dbt:
        dbt_runs = DbtBench(cfg.workdir, cfg.inbox, cfg.scratch, cfg.duckdb_temp,
                            cfg.scale.generator_params(), floor_repeat=cfg.floor_repeat,
                            same_sql=cfg.same_sql).run(cfg.repeat)
    first_build = None
    if cfg.first_build:
        first_build = run_first_build(cfg.workdir, cfg.inbox, cfg.scratch, keep=cfg.keep)
    meta["environment"]["load_average_at_end"] = list(os.getloadavg())
    meta["finished_at"] = _now()
    results = summarise(meta, generator, ingest_runs, bare_runs, profile, dbt_runs,
                        first_build)
    if cfg.ml:
        results["ml"] = run_ml_bench(cfg.workdir, cfg.inbox, cfg.truth, cfg.scratch,
                                     cfg.duckdb_temp, cfg.scale.generator_params())
        results["ml"]["targets"] = ml_targets(cfg.scale.name, results["ml"])
    cfg.results.write_text(json.dumps(results, indent=2))
    shutil.rmtree(cfg.scratch, ignore_errors=True)
    return results
