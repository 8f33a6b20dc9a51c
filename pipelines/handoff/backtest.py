"""`leadflow scoring backtest`: candidate scoring and lifecycle seeds replayed over the
warehouse's history beside the current ones, week by week. Both rule sets are built
with dbt in a throwaway copy (rebuild.py); the comparison is the dbt analysis
dbt_project/analyses/rule_backtest.sql, run on that copy."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipelines.handoff.rebuild import BuildOptions, candidate_files, rebuilt
from pipelines.resources import open_duckdb

ANALYSIS = "rule_backtest"


@dataclass(frozen=True)
class Backtest:
    columns: list[str]
    rows: list[tuple]        # one per week, then the whole history (week None)
    replaced: list[str]      # the seeds the candidate folder replaced
    options: BuildOptions

    @property
    def total(self) -> dict:
        return dict(zip(self.columns, self.rows[-1], strict=True))


def run(warehouse: Path, rules_dir: Path, options: BuildOptions,
        temp_parent: Path | None = None,
        progress: Callable[[str], None] | None = None) -> Backtest:
    """Replay the candidate files of ``rules_dir`` and the current seeds over
    ``warehouse`` (unchanged) and compare them per week."""
    candidates = candidate_files(rules_dir)
    with rebuilt(warehouse, candidates, options, temp_parent, progress) as work:
        sql = work.compile_analysis(ANALYSIS)
        con = open_duckdb(work.warehouse, read_only=True)
        try:
            cur = con.execute(sql, {"horizon_days": options.horizon_days})
            columns = [d[0] for d in cur.description]
            rows = cur.fetchall()
        finally:
            con.close()
    return Backtest(columns=columns, rows=rows, replaced=sorted(candidates), options=options)


def write_csv(result: Backtest, target: Path) -> None:
    """The comparison as CSV: one row per week and a last row 'all' for the history."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(result.columns)
        for row in result.rows:
            writer.writerow(["all" if row[0] is None else row[0].isoformat(),
                             *("" if v is None else (round(v, 6) if isinstance(v, float) else v)
                               for v in row[1:])])
