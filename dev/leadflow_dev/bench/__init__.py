"""The Leadflow benchmark: ``python -m leadflow_dev.bench --scale S|M|L`` (``make bench``).

It generates (or reuses) the inbox of a scale, then measures, each phase in a child
process of its own so the peak memory of one never hides in another:

- the generator: wall time, rows and files per source, peak RSS;
- ingestion: ``ingest_source`` of every source into a fresh warehouse file;
- the baseline: the same files read by DuckDB's own ``read_csv`` / ``read_json`` /
  ``read_parquet`` with auto-detection into a fresh DuckDB file;

and reports medians over repeated, alternating runs, the ratio ingestion / bare read per
source and in total, and PASS/FAIL against the targets (it reports; it never gates).
"""

from leadflow_dev.bench.scales import SCALES, Scale

__all__ = ["SCALES", "Scale"]
