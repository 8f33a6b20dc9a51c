"""What `leadflow status` reports: rows loaded and quarantined per source, and the last run."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipelines.sources import SOURCES


@dataclass(frozen=True)
class SourceStatus:
    source: str
    table: str
    files: int
    files_quarantined: int
    rows_loaded: int
    rows_quarantined: int
    last_loaded_at: object


def source_status(con: duckdb.DuckDBPyConnection) -> list[SourceStatus]:
    """One line per source, zeros for sources that never received a file."""
    have_raw = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'raw' AND table_name = '_files'"
    ).fetchone()[0]
    out = []
    for src in SOURCES.values():
        if not have_raw:
            out.append(SourceStatus(src.name, src.table, 0, 0, 0, 0, None))
            continue
        files, files_q, last = con.execute(
            "SELECT count(*) FILTER (WHERE status NOT IN ('duplicate', 'unloaded')), "
            "count(*) FILTER (WHERE status = 'quarantined'), max(loaded_at) "
            "FROM raw._files WHERE source = ?",
            [src.name],
        ).fetchone()
        rows = con.execute(f"SELECT count(*) FROM raw.{src.table}").fetchone()[0]
        # rows held (a file held whole counts among the files, as in `leadflow run`)
        rows_q = con.execute(
            "SELECT count(row_number) FROM raw._quarantine WHERE source = ?", [src.name]
        ).fetchone()[0]
        out.append(SourceStatus(src.name, src.table, files, files_q, rows, rows_q, last))
    return out


def run_seconds(record) -> float | None:
    """How long a run took, from its Dagster run record (what `leadflow run` prints too)."""
    if record is None or not record.start_time or not record.end_time:
        return None
    return record.end_time - record.start_time


@dataclass(frozen=True)
class Kpi:
    kpi: str
    label: str
    unit: str
    value: float | None

    def formatted(self) -> str:
        v = self.value
        if v is None:
            return "-"
        if self.unit == "rate":
            return f"{v:.1%}"
        if self.unit == "usd":
            return f"${v:,.0f}"
        if self.unit == "days":
            return f"{v:.1f} days"
        if self.unit == "minutes":
            return f"{v / 60:.1f} h" if v >= 120 else f"{v:.0f} min"
        return f"{v:,.0f}"


def headline_kpis(con: duckdb.DuckDBPyConnection) -> list[Kpi]:
    """The rows of marts.rpt_headline_kpis, or none before the first dbt build."""
    built = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'marts' AND table_name = 'rpt_headline_kpis'"
    ).fetchone()[0]
    if not built:
        return []
    return [Kpi(*row) for row in con.execute(
        "SELECT kpi, kpi_label, unit, value FROM marts.rpt_headline_kpis ORDER BY display_order"
    ).fetchall()]
