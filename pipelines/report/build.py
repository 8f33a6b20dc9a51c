"""Write the daily report: ``<reports>/<date>/index.html`` and one CSV per table, built in
a temporary folder beside it and renamed into place, so a reader never sees half a report."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.report import html
from pipelines.report.headline import checks_summary, kpi_tiles
from pipelines.report.queries import ReportData, load, resolve_date
from pipelines.report.sections import Section, Table, build_sections, kpi_cards


@dataclass(frozen=True)
class BuiltReport:
    folder: Path
    index: Path
    report_date: dt.date
    headline: dict[str, float | None]  # kpi -> value, from marts.rpt_headline_kpis
    units: dict[str, str]
    tables: list[str]
    empty_sections: list[str]


def read_report(con: duckdb.DuckDBPyConnection, requested: dt.date | None,
                checks: pd.DataFrame | None = None, run_id: str | None = None) -> ReportData:
    """Everything the report shows for ``requested`` (default: the latest scoring day)."""
    data = load(con, resolve_date(con, requested))
    if checks is not None:
        data.checks = checks
    data.run_id = run_id
    return data


def render(data: ReportData, generated_at: dt.datetime | None = None
           ) -> tuple[str, list[Section]]:
    generated_at = generated_at or dt.datetime.now(dt.UTC)
    sections = build_sections(data)
    as_of = f"data as of {data.as_of:%Y-%m-%d %H:%M} UTC · " if data.as_of else ""
    model = data.model_run["model_version"] if data.model_run else "no model yet"
    subtitle = (f"{data.report_date} · {as_of}model {model} · "
                f"generated {generated_at:%Y-%m-%d %H:%M} UTC")
    footer = ("Leadflow daily report. Figures come from the warehouse's marts "
              "(dbt) and ml tables; every table is also a CSV file in this folder.")
    return html.page(f"Leadflow daily report {data.report_date}", subtitle, kpi_cards(data),
                     sections, footer, tiles=kpi_tiles(data),
                     alerts=checks_summary(data)), sections


def write(data: ReportData, reports_dir: Path) -> BuiltReport:
    """Render ``data`` into ``reports_dir/<date>/``, replacing an earlier report of that day."""
    page, sections = render(data)
    tables = [Table("headline_kpis", "Headline KPIs", data.kpis, [])] + (
        [Table("kpi_comparison", "KPIs: latest complete period against the one before",
               data.kpi_comparison, [])] if not data.kpi_comparison.empty else []) + [
        t for s in sections if not s.empty for t in s.tables]
    reports_dir.mkdir(parents=True, exist_ok=True)
    target = reports_dir / data.report_date.isoformat()
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=reports_dir))
    try:
        (staging / "index.html").write_text(page, encoding="utf-8")
        for table in tables:
            table.frame.to_csv(staging / f"{table.name}.csv", index=False)
        staging.chmod(0o755)
        if target.exists():
            old = reports_dir / f".{target.name}-old"
            shutil.rmtree(old, ignore_errors=True)
            target.rename(old)
            staging.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BuiltReport(
        folder=target, index=target / "index.html", report_date=data.report_date,
        headline={r.kpi: (None if pd.isna(r.value) else float(r.value))
                  for r in data.kpis.itertuples()},
        units={r.kpi: r.unit for r in data.kpis.itertuples()},
        tables=[t.name for t in tables],
        empty_sections=[s.key for s in sections if s.empty])


def build_report(con: duckdb.DuckDBPyConnection, reports_dir: Path,
                 requested: dt.date | None = None, checks: pd.DataFrame | None = None,
                 run_id: str | None = None) -> BuiltReport:
    return write(read_report(con, requested, checks, run_id), reports_dir)
