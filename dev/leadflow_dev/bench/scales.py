"""The benchmark's scales (docs/contracts.md, "Demo data and the benchmark") and targets."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

# A fixed last day, so that runs on different days generate the same data.
END_DATE = dt.date(2026, 6, 30)

# Targets the benchmark reports against (docs/contracts.md, "Demo data and the benchmark";
# docs/performance.md). The ratios are set for the scales in TARGET_SCALES: at S, fixed
# costs (process start, dbt's per-node overhead) dominate and the ratio says little.
TARGET_SCALES = ("M", "L")
RATIO_TARGET = 1.1  # ingestion time / bare DuckDB read time, per source and in total
PEAK_RSS_TARGET = 4 * 1024**3  # bytes, any one process of a phase
DBT_OVERHEAD_TARGET = 1.5  # dbt build time / the same compiled SQL in one connection
DBT_DAILY_TARGET = 0.1  # daily incremental dbt build / full build
FIRST_BUILD_SCALE = "L"  # the first `leadflow run` (ingestion to report) ...
FIRST_BUILD_SECONDS = 600  # ... within 10 minutes at L
FIRST_BUILD_RSS = 6 * 1024**3  # bytes, the run's processes together at any moment


@dataclass(frozen=True)
class Scale:
    name: str
    leads: int
    repeat: int  # default number of repetitions of ingestion and bare read
    days: int = 365
    seed: int = 42
    end_date: dt.date = END_DATE

    def generator_params(self) -> dict:
        """What the generated data depends on (stored beside it to decide on reuse)."""
        params = asdict(self)
        del params["name"], params["repeat"]
        params["end_date"] = self.end_date.isoformat()
        return params


SCALES: dict[str, Scale] = {
    s.name: s
    for s in (
        Scale("S", leads=10_000, repeat=3),
        Scale("M", leads=200_000, repeat=1),
        Scale("L", leads=1_000_000, repeat=1),
    )
}
