"""``python -m leadflow_dev.bench --scale S|M|L [--workdir DIR] [--keep] [--repeat N] [--profile]``

Prints the results as tables and writes them to ``<workdir>/results.json``. Exits 0
whether the targets pass or fail: the benchmark reports, it does not gate.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from leadflow_dev.bench.child import PhaseFailed
from leadflow_dev.bench.run import BenchConfig, run_benchmark
from leadflow_dev.bench.scales import SCALES
from leadflow_dev.bench.summary import print_report
from pipelines.cli.common import positive_int
from pipelines.project import paths


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m leadflow_dev.bench",
        description="Leadflow's benchmark: generator, ingestion and DuckDB's bare read of the "
        "same files, the dbt build, the first `leadflow run` end to end, training and "
        "scoring, with medians, ratios and targets (PASS/FAIL).",
    )
    parser.add_argument("--scale", choices=sorted(SCALES), default="S",
                        help="S = 10k leads, M = 200k, L = 1M (default S)")
    parser.add_argument("--workdir", type=Path,
                        help="where data and results go (default data/bench/<scale>); the "
                        "generated inbox there is reused when present")
    parser.add_argument("--repeat", type=positive_int,
                        help="runs of each side (default 3 at S, 1 at M and L)")
    parser.add_argument("--keep", action="store_true",
                        help="keep each run's DuckDB file (deleted after measuring otherwise)")
    parser.add_argument("--profile", action="store_true",
                        help="add one profiled ingestion run: time per phase and source")
    parser.add_argument("--no-dbt", action="store_true",
                        help="leave out the dbt phase (full build vs the same SQL without dbt, "
                        "daily incremental vs full build)")
    parser.add_argument("--no-same-sql", action="store_true",
                        help="leave out the run of dbt's compiled SQL without dbt (the dbt "
                        "overhead ratio)")
    parser.add_argument("--floor-repeat", type=positive_int,
                        help="runs of each heavy model and of its floor after each full "
                        "build (default 3 at S, 1 at M and L)")
    parser.add_argument("--no-first-build", action="store_true",
                        help="leave out the first build end to end (`leadflow run` on the "
                        "inbox into a fresh data directory, per phase with peak memory)")
    parser.add_argument("--no-ml", action="store_true",
                        help="leave out the ML phase (training and scoring times, model vs "
                        "rule score and hidden truth)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
    scale = SCALES[args.scale]
    cfg = BenchConfig(
        scale=scale,
        workdir=(args.workdir or paths().data / "bench" / scale.name).resolve(),
        repeat=args.repeat or scale.repeat,
        keep=args.keep,
        profile=args.profile,
        dbt=not args.no_dbt,
        ml=not args.no_ml,
        same_sql=not args.no_same_sql,
        floor_repeat=args.floor_repeat or scale.repeat,
        first_build=not args.no_first_build,
    )
    try:
        results = run_benchmark(cfg)
    except PhaseFailed as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        return 1
    print_report(results)
    print(f"\nresults written to {cfg.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
