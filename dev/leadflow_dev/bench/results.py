"""Turning the runs of a benchmark into its results: medians, ratios, targets.

Pure functions over plain dicts (the JSON written to ``results.json``), no timing here.
A run is ``{"rep": n, "sources": {source: {"seconds", "files", "rows", ...}}, ...}``.
"""

from __future__ import annotations

from statistics import median

from leadflow_dev.bench.scales import (
    DBT_DAILY_TARGET,
    DBT_OVERHEAD_TARGET,
    FIRST_BUILD_RSS,
    FIRST_BUILD_SCALE,
    FIRST_BUILD_SECONDS,
    PEAK_RSS_TARGET,
    RATIO_TARGET,
    TARGET_SCALES,
)


def run_seconds(run: dict) -> float:
    """A run's total: the sum of its sources' times."""
    return sum(s["seconds"] for s in run["sources"].values())


def median_seconds(runs: list[dict]) -> dict[str, float]:
    """Median seconds per source over ``runs``, and the median of the runs' totals."""
    names = list(runs[0]["sources"])
    medians = {n: median(r["sources"][n]["seconds"] for r in runs) for n in names}
    medians["total"] = median(run_seconds(r) for r in runs)
    return medians


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator > 0 else None


def _per_second(rows: int, seconds: float) -> float | None:
    return rows / seconds if seconds > 0 else None


def _phase(runs: list[dict]) -> dict:
    return {
        "runs": runs,
        "median_seconds": median_seconds(runs),
        "peak_rss_bytes": max(r["peak_rss_bytes"] for r in runs),
    }


def compare(ingest_runs: list[dict], bare_runs: list[dict]) -> dict[str, dict]:
    """One row per source and a ``total`` row: files, rows, median times, rates, ratio."""
    ingest_median, bare_median = median_seconds(ingest_runs), median_seconds(bare_runs)
    first_ingest, first_bare = ingest_runs[0]["sources"], bare_runs[0]["sources"]
    rows: dict[str, dict] = {}
    for name in first_ingest:
        ing, bare = first_ingest[name], first_bare.get(name, {})
        rows[name] = {
            "files": ing["files"],
            "rows": ing["rows"],
            "rows_loaded": ing["rows_loaded"],
            "rows_quarantined": ing["rows_quarantined"],
            "files_quarantined": ing["files_quarantined"],
            "bare_rows": bare.get("rows", 0),
            "bare_files_failed": bare.get("files_failed", 0),
        }
    total = {key: sum(r[key] for r in rows.values()) for key in next(iter(rows.values()))}
    rows["total"] = total
    for name, row in rows.items():
        ing_s, bare_s = ingest_median[name], bare_median.get(name, 0.0)
        row.update(
            ingest_seconds=ing_s,
            ingest_rows_per_s=_per_second(row["rows"], ing_s),
            bare_seconds=bare_s,
            bare_rows_per_s=_per_second(row["bare_rows"], bare_s),
            ratio=_ratio(ing_s, bare_s),
        )
    return rows


def _scale_note(scale: str) -> str | None:
    return None if scale in TARGET_SCALES else \
        f"the target is set for scales {' and '.join(TARGET_SCALES)}"


def targets(scale: str, sources: dict[str, dict], ingest_peak: int,
            generator_peak: int | None) -> list[dict]:
    """The ingestion targets with the measured value and PASS/FAIL (``passed``): the ratio
    to the bare read per source and in total (``sources`` holds the ``total`` row too)."""
    found = [{
        "target": f"ingest / bare read, {name}",
        "value": row["ratio"], "limit": RATIO_TARGET, "unit": "ratio", "comparison": "<=",
        "passed": row["ratio"] is not None and row["ratio"] <= RATIO_TARGET,
        "note": _scale_note(scale),
    } for name, row in sources.items()]
    found.append({
        "target": "ingestion peak RSS",
        "value": ingest_peak, "limit": PEAK_RSS_TARGET, "unit": "bytes", "comparison": "<",
        "passed": ingest_peak < PEAK_RSS_TARGET, "note": None,
    })
    if generator_peak is not None:
        found.append({
            "target": "generator peak RSS",
            "value": generator_peak, "limit": PEAK_RSS_TARGET, "unit": "bytes",
            "comparison": "<", "passed": generator_peak < PEAK_RSS_TARGET, "note": None,
        })
    return found


def first_build_targets(scale: str, first: dict) -> list[dict]:
    """The first `leadflow run`: succeeded, within its time at L, its processes' memory."""
    seconds = first.get("run_seconds")
    note = None if scale == FIRST_BUILD_SCALE else \
        f"the target is set for scale {FIRST_BUILD_SCALE}"
    ok = first["status"] == "SUCCESS"
    return [{
        "target": "first build (leadflow run: ingestion to report)",
        "value": seconds, "limit": FIRST_BUILD_SECONDS, "unit": "seconds", "comparison": "<",
        "passed": ok and seconds is not None and seconds < FIRST_BUILD_SECONDS,
        "note": note if ok else f"the run ended {first['status']}: {first.get('error')}",
    }, {
        "target": "first build peak RSS, its processes together",
        "value": first["peak_rss_bytes"], "limit": FIRST_BUILD_RSS, "unit": "bytes",
        "comparison": "<", "note": None,
        "passed": first["peak_rss_bytes"] is not None and first["peak_rss_bytes"] < FIRST_BUILD_RSS,
    }]


def summarise_dbt(runs: dict) -> dict:
    """Medians and ratios of the dbt phase (``DbtBench.run``'s result)."""
    builds, direct = runs["builds"], runs["direct"]
    full = median(b["full_seconds"] for b in builds)
    daily = median(b["daily_seconds"] for b in builds)
    same_sql = median(d["seconds"] for d in direct) if direct else None
    return {
        **runs,
        "median_full_seconds": full,
        "median_daily_seconds": daily,
        "median_direct_seconds": same_sql,
        "overhead_ratio": _ratio(full, same_sql) if same_sql else None,
        "daily_ratio": _ratio(daily, full),
        "peak_rss_bytes": max(r["peak_rss_bytes"] for r in [*builds, *direct]),
        "floors": summarise_floors(builds),
    }


def summarise_floors(builds: list[dict]) -> list[dict]:
    """Per heavy model: median model and floor seconds over the builds, ratio, rows equal in
    every build, and the model's own node time in the dbt build (median)."""
    out = []
    for first in builds[0].get("floors") or []:
        name = first["model"]
        runs = [f for b in builds for f in b["floors"] if f["model"] == name]
        model_s = median(f["model_seconds"] for f in runs)
        floor_s = median(f["floor_seconds"] for f in runs)
        node = [b["model_seconds"][name] for b in builds
                if b.get("model_seconds", {}).get(name) is not None]
        out.append({
            "model": name,
            "rows": first["rows"],
            "same_rows": all(f["same_rows"] for f in runs),
            "model_seconds": model_s,
            "floor_seconds": floor_s,
            "ratio": _ratio(model_s, floor_s),
            "dbt_node_seconds": median(node) if node else None,
            "target": first["target"],
        })
    return out


def dbt_targets(scale: str, dbt: dict) -> list[dict]:
    note = _scale_note(scale)
    floors = [{
        "target": f"{f['model']} / its floor",
        "value": f["ratio"], "limit": f["target"], "unit": "ratio", "comparison": "<=",
        "note": None if f["same_rows"] else "the floor gives other rows: ratio void",
        "passed": f["same_rows"] and f["ratio"] is not None and f["ratio"] <= f["target"],
    } for f in dbt.get("floors") or []]
    overhead = [] if dbt["median_direct_seconds"] is None else [{
        "target": "dbt build / same SQL in one connection",
        "value": dbt["overhead_ratio"], "limit": DBT_OVERHEAD_TARGET, "unit": "ratio",
        "comparison": "<=", "note": note,
        "passed": dbt["overhead_ratio"] is not None
        and dbt["overhead_ratio"] <= DBT_OVERHEAD_TARGET,
    }]
    return floors + overhead + [{
        "target": "daily incremental / full dbt build",
        "value": dbt["daily_ratio"], "limit": DBT_DAILY_TARGET, "unit": "ratio",
        "comparison": "<=", "note": note,
        "passed": dbt["daily_ratio"] is not None and dbt["daily_ratio"] <= DBT_DAILY_TARGET,
    }, {
        "target": "dbt peak RSS",
        "value": dbt["peak_rss_bytes"], "limit": PEAK_RSS_TARGET, "unit": "bytes",
        "comparison": "<", "passed": dbt["peak_rss_bytes"] < PEAK_RSS_TARGET, "note": None,
    }]


def summarise(meta: dict, generator: dict, ingest_runs: list[dict], bare_runs: list[dict],
              profile: dict | None = None, dbt_runs: dict | None = None,
              first_build: dict | None = None) -> dict:
    """The whole results document of one benchmark run."""
    sources = compare(ingest_runs, bare_runs)
    ingest, bare = _phase(ingest_runs), _phase(bare_runs)
    found = targets(meta["scale"]["name"], sources, ingest["peak_rss_bytes"],
                    generator.get("peak_rss_bytes"))
    total = sources.pop("total")
    dbt = summarise_dbt(dbt_runs) if dbt_runs else None
    if dbt:
        found += dbt_targets(meta["scale"]["name"], dbt)
    if first_build:
        found += first_build_targets(meta["scale"]["name"], first_build)
    return {
        **meta,
        "generator": generator,
        "ingest": ingest,
        "bare": bare,
        "sources": sources,
        "total": total,
        "targets": found,
        "profile": profile,
        "dbt": dbt,
        "first_build": first_build,
    }
