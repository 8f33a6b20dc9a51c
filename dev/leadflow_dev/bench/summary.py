"""The benchmark's results as text tables (the one module here that prints)."""

from __future__ import annotations

import sys
from typing import TextIO

from leadflow_dev.bench.results import run_seconds


def _bytes(n: int | None) -> str:
    if n is None:
        return "n/a"
    if n >= 2**30:
        return f"{n / 2**30:.2f} GiB"
    return f"{n / 2**20:.0f} MiB"


def _int(n: int | None) -> str:
    return "n/a" if n is None else f"{n:,}"


def _secs(s: float | None) -> str:
    return "n/a" if s is None else f"{s:.2f}"


def _rate(r: float | None) -> str:
    if r is None:
        return "n/a"
    return f"{r / 1e6:.2f}M" if r >= 1e6 else f"{r / 1e3:.0f}k"


def _ratio(r: float | None) -> str:
    return "n/a" if r is None else f"{r:.2f}"


def table(header: list[str], rows: list[list[str]], left: int = 1) -> list[str]:
    """Columns padded to their widest cell; the first ``left`` columns left-aligned."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(str(c).ljust(w) if i < left else str(c).rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return [line(header), rule, *(line(r) for r in rows)]


def _heading(results: dict) -> list[str]:
    sc, env = results["scale"], results["environment"]
    load = (f"load average {env['load_average_at_start'][0]:.2f} at start, "
            f"{env.get('load_average_at_end', [float('nan')])[0]:.2f} at end")
    runs = "run" if results["repeat"] == 1 else "runs"
    return [
        f"Leadflow benchmark, scale {sc['name']}: {sc['leads']:,} leads, {sc['days']} days "
        f"to {sc['end_date']}, seed {sc['seed']}",
        f"{env['cpus']} CPUs, {_bytes(env['memory_bytes'])} RAM, DuckDB {env['duckdb']}, "
        f"Python {env['python']}; {load}",
        f"median of {results['repeat']} {runs} of each side, alternating, each into a fresh "
        f"DuckDB file; workdir {results['workdir']}",
    ]


def _generator(gen: dict) -> list[str]:
    how = (f"reused: generated {gen['generated_at']}" if gen.get("reused")
           else f"ran now, {gen['generated_at']}")
    names = sorted(gen["rows"])
    rows = [[n, _int(gen["rows"][n]), _int(gen["files"].get(n))] for n in names]
    rows.append(["total", _int(sum(gen["rows"].values())), _int(sum(gen["files"].values()))])
    return [
        f"Generator ({how})",
        *table(["source", "rows", "files"], rows),
        f"wall {gen['seconds']:.1f} s, peak RSS {_bytes(gen.get('peak_rss_bytes'))}, "
        f"inbox {_int(gen.get('inbox_files'))} files, {_bytes(gen.get('inbox_bytes'))}",
    ]


def _comparison(results: dict) -> list[str]:
    header = ["source", "files", "rows", "quarantined", "ingest s", "rows/s",
              "bare s", "rows/s", "bare rows", "bare failed", "ratio"]
    rows = []
    for name, r in [*results["sources"].items(), ("total", results["total"])]:
        rows.append([name, _int(r["files"]), _int(r["rows"]), _int(r["rows_quarantined"]),
                     _secs(r["ingest_seconds"]), _rate(r["ingest_rows_per_s"]),
                     _secs(r["bare_seconds"]), _rate(r["bare_rows_per_s"]),
                     _int(r["bare_rows"]), _int(r["bare_files_failed"]), _ratio(r["ratio"])])
    ing, bare = results["ingest"], results["bare"]
    lines = [
        "Ingestion (ingest_source) vs bare DuckDB read (read_csv/read_json/read_parquet), "
        "median seconds",
        *table(header, rows),
        f"peak RSS: ingestion {_bytes(ing['peak_rss_bytes'])}, bare read "
        f"{_bytes(bare['peak_rss_bytes'])}; DuckDB file: warehouse "
        f"{_bytes(ing['runs'][0]['db_bytes'])}, bare {_bytes(bare['runs'][0]['db_bytes'])}",
        "runs (s): ingestion " + " ".join(f"{run_seconds(r):.2f}" for r in ing["runs"])
        + " | bare " + " ".join(f"{run_seconds(r):.2f}" for r in bare["runs"]),
    ]
    failures = [f for s in bare["runs"][0]["sources"].values() for f in s.get("failures", [])]
    if failures:
        lines.append(f"bare read failed on {len(failures)} file(s) (their attempt is timed):")
        lines += [f"  {f}" for f in failures[:5]]
        if len(failures) > 5:
            lines.append(f"  ... and {len(failures) - 5} more (results.json)")
    return lines


def _dbt(dbt: dict) -> list[str]:
    base, builds, direct = dbt["base"], dbt["builds"], dbt["direct"]
    held = sum(base["rows_held_back"].values())
    rows = [
        ["dbt build, full", _secs(dbt["median_full_seconds"]),
         " ".join(f"{b['full_seconds']:.2f}" for b in builds)],
        ["same SQL, one DuckDB connection", _secs(dbt["median_direct_seconds"]) if direct
         else "not run",
         " ".join(f"{d['seconds']:.2f}" for d in direct)],
        ["dbt build, daily incremental", _secs(dbt["median_daily_seconds"]),
         " ".join(f"{b['daily_seconds']:.2f}" for b in builds)],
    ]
    lines = [
        f"dbt: {builds[0]['models']} models and {builds[0]['tests']} data tests; the daily run "
        f"adds the {_int(held)} rows of the last day (from {base['cutoff'][:10]}) as new files",
        *table(["build", "median s", "runs (s)"], rows),
        f"dbt / same SQL {_ratio(dbt['overhead_ratio'])}; daily / full "
        f"{_ratio(dbt['daily_ratio'])}; peak RSS {_bytes(dbt['peak_rss_bytes'])}",
    ]
    if dbt.get("floors"):
        lines += ["", *_floors(dbt["floors"])]
    return lines


def _floors(floors: list[dict]) -> list[str]:
    rows = [[f["model"], _int(f["rows"]), _secs(f["dbt_node_seconds"]), _secs(f["model_seconds"]),
             _secs(f["floor_seconds"]), _ratio(f["ratio"]), f"<= {f['target']:.1f}",
             ("PASS" if f["ratio"] is not None and f["ratio"] <= f["target"] else "FAIL")
             if f["same_rows"] else "FAIL", "same" if f["same_rows"] else "DIFFER"]
            for f in floors]
    return [
        "Heavy models against their floor (a plain hand-written DuckDB query giving the same "
        "rows), median seconds in one connection on the built warehouse",
        *table(["model", "rows", "dbt node s", "model s", "floor s", "ratio", "target",
                "result", "rows vs floor"], rows),
    ]


def _first_build(first: dict) -> list[str]:
    rows = [[p["phase"], f"{p['seconds']:.1f}", _bytes(p["peak_rss_bytes"]),
             _int(p["processes_at_peak"]), "n/a" if p["max_load_1m"] is None
             else f"{p['max_load_1m']:.1f}", ", ".join(p["failed"]) or "ok"]
            for p in first["phases"]]
    rows.append(["run", _secs(first["run_seconds"]), _bytes(first["peak_rss_bytes"]), "",
                 "n/a" if first["max_load_1m"] is None else f"{first['max_load_1m']:.1f}",
                 first["status"]])
    return [
        "First build: `leadflow run` on the inbox into a fresh data directory (the daily job: "
        "ingestion, dbt, scoring, activation, report)",
        *table(["phase", "seconds", "peak RSS", "processes", "max load 1m", "result"], rows),
        f"the command's whole life {first['child_seconds']:.1f} s (interpreter and Dagster "
        f"start included); largest single process {_bytes(first['largest_process_rss_bytes'])}; "
        f"load average {first['load_1m_at_start']:.2f} at its start",
    ]


def _targets(results: dict) -> list[str]:
    rows = []
    for t in results["targets"]:
        show = {"ratio": _ratio, "seconds": _secs, "bytes": _bytes}[t["unit"]]
        rows.append([t["target"], f"{show(t['value'])} {t['comparison']} {show(t['limit'])}",
                     "PASS" if t["passed"] else "FAIL", t["note"] or ""])
    return ["Targets", *table(["target", "measured", "result", "note"], rows)]


def _profile(profile: dict, share: float = 0.005) -> list[str]:
    sources = profile["sources"]
    names = list(sources)
    cells: dict[str, dict[str, float]] = {}
    for name, p in sources.items():
        for ph in p["phases"]:
            cells.setdefault(ph["phase"], {})[name] = ph["seconds"]
    grand = sum(p["seconds"] for p in sources.values()) or 1.0
    ranked = sorted(cells.items(), key=lambda kv: sum(kv[1].values()), reverse=True)
    shown = [(ph, v) for ph, v in ranked if sum(v.values()) >= share * grand]
    rest = {n: sum(v.get(n, 0.0) for ph, v in ranked if (ph, v) not in shown) for n in names}
    rows = [[ph, *(f"{v.get(n, 0.0):.2f}" for n in names), f"{sum(v.values()):.2f}",
             f"{100 * sum(v.values()) / grand:.0f}%"] for ph, v in shown]
    rows.append(["(rest)", *(f"{rest[n]:.2f}" for n in names), f"{sum(rest.values()):.2f}",
                 f"{100 * sum(rest.values()) / grand:.0f}%"])
    rows.append(["total", *(f"{sources[n]['seconds']:.2f}" for n in names), f"{grand:.2f}",
                 "100%"])
    rows.append(["sha256, other thread", *(f"{sources[n]['overlapped_sha256_seconds']:.2f}"
                                           for n in names),
                 f"{sum(p['overlapped_sha256_seconds'] for p in sources.values()):.2f}", ""])
    return [
        "Profile of one more ingestion run (exclusive seconds per phase; not in the medians)",
        *table(["phase", *names, "total", "share"], rows),
    ]


def render(results: dict) -> str:
    parts = [_heading(results), _generator(results["generator"]), _comparison(results)]
    if results.get("dbt"):
        parts.append(_dbt(results["dbt"]))
    if results.get("first_build"):
        parts.append(_first_build(results["first_build"]))
    parts.append(_targets(results))
    if results.get("ml"):
        from leadflow_dev.bench.ml import ml_report_lines

        parts.append(ml_report_lines(results["ml"], results["scale"]["name"]))
    if results.get("profile"):
        parts.append(_profile(results["profile"]))
    return "\n\n".join("\n".join(p) for p in parts)


def print_report(results: dict, stream: TextIO = sys.stdout) -> None:
    print(render(results), file=stream)
