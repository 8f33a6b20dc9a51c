"""Segments: definitions as YAML files (segments/<name>.yml), materialised every run into
activation.segment_members, and exported as CSV or Parquet with stable columns.

Export safety: only leads with marketing consent (and not unsubscribed) are ever members;
a segment name must be a defined one and a plain word, and the default output path is
checked to stay inside the exports folder; text cells a spreadsheet would run as a
formula are neutralised; e-mails can leave as SHA-256 of the normalised address."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from pipelines.activation.warehouse import SEGMENT_BASE, table_exists
from pipelines.project import PROJECT_ROOT

SEGMENTS_DIR = PROJECT_ROOT / "segments"
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
FORMATS = ("csv", "parquet")
KEYS = {"description", "where", "order_by"}
# the export contract, in this order (README "Activation", `segments export --help`)
EXPORT_COLUMNS = (
    ("segment", "the segment's name"),
    ("lead_id", "the lead (dim_leads.lead_id)"),
    ("email", "e-mail address; with --hash-emails the hex SHA-256 of it lower-cased and trimmed"),
    ("score", "predictive score 1-99, higher = more likely (empty when not scored)"),
    ("tier", "predictive tier A-D, a band of the score (seed score_tiers)"),
    ("reason_1", "strongest reason of the score, led by its direction (Raises/Lowers the "
                 "score: ...)"),
    ("reason_2", "second reason"),
    ("reason_3", "third reason"),
    ("owner", "sales rep the lead is assigned to"),
    ("team", "sales team"),
    ("stage", "current lifecycle stage"),
    ("funnel_position", "TOFU, MOFU or BOFU"),
    ("nurture_track", "TOFU, MOFU, BOFU or recycle"),
    ("next_step", "the nurture track's next step"),
    ("has_marketing_consent", "always true: unconsented leads never leave"),
)
TEXT_COLUMNS = ("segment", "lead_id", "email", "tier", "reason_1", "reason_2", "reason_3",
                "owner", "team", "stage", "funnel_position", "nurture_track", "next_step")
MEMBERS = "activation.segment_members"
RUNS = "activation.segments"


class SegmentError(ValueError):
    """A bad segment definition, name, format or output path."""


@dataclass(frozen=True)
class Segment:
    name: str
    description: str
    where: str
    order_by: str = "lead_id"


def check_name(name: str) -> str:
    if not NAME.match(name or ""):
        raise SegmentError(f"bad segment name {name!r}: lower-case letters, digits, '_' or '-' "
                           "only (no path separators, no '..')")
    return name


def load_definitions(folder: Path = SEGMENTS_DIR) -> dict[str, Segment]:
    """Every segments/<name>.yml, by name; a malformed file is an error naming it."""
    segments: dict[str, Segment] = {}
    for path in sorted(folder.glob("*.yml")):
        try:
            data = yaml.safe_load(path.read_text())
        except yaml.YAMLError as exc:
            raise SegmentError(f"{path}: not valid YAML ({exc.problem})") from None
        try:
            name = check_name(path.stem)
        except SegmentError as exc:
            raise SegmentError(f"{path}: {exc}") from None
        if not isinstance(data, dict) or not data.get("where") or not data.get("description"):
            raise SegmentError(f"{path}: needs a 'description' and a 'where' condition")
        if unknown := set(data) - KEYS:
            raise SegmentError(f"{path}: unknown keys {sorted(unknown)}")
        segments[name] = Segment(name=name, description=" ".join(str(data["description"]).split()),
                                 where=str(data["where"]).strip(),
                                 order_by=str(data.get("order_by") or "lead_id").strip())
    return segments


def materialise(con: duckdb.DuckDBPyConnection, segments: dict[str, Segment],
                run_date: dt.date) -> dict[str, int]:
    """Rebuild activation.segment_members (segment, lead and the export columns) from the
    definitions, each a filter of the dbt model activation.segment_base; consent is
    required here whatever a definition says."""
    if not table_exists(con, *SEGMENT_BASE.split(".")):
        raise SegmentError(f"no {SEGMENT_BASE} yet: run the dbt build first")
    columns = ", ".join(c for c, _ in EXPORT_COLUMNS if c != "segment")
    parts = [
        f"SELECT '{s.name}' AS segment, {columns}, "
        f"row_number() OVER (ORDER BY {s.order_by}) AS position "
        f"FROM {SEGMENT_BASE} WHERE ({s.where}) "
        "AND has_marketing_consent AND NOT coalesce(has_unsubscribed, false)"
        for s in segments.values()
    ]
    body = " UNION ALL ".join(parts) if parts else (
        f"SELECT NULL AS segment, {columns}, NULL::BIGINT AS position FROM {SEGMENT_BASE} "
        "WHERE false")
    con.execute("CREATE SCHEMA IF NOT EXISTS activation")
    try:
        con.execute(f"CREATE OR REPLACE TABLE {MEMBERS} AS SELECT *, $d AS materialised_on "
                    f"FROM ({body})", {"d": run_date})
    except duckdb.Error as exc:
        raise SegmentError(f"a segment definition does not run: "
                           f"{str(exc).strip().splitlines()[0]}") from None
    found = dict(con.execute(f"SELECT segment, count(*) FROM {MEMBERS} GROUP BY 1").fetchall())
    counts = {name: found.get(name, 0) for name in segments}
    con.execute(f"CREATE OR REPLACE TABLE {RUNS} (segment VARCHAR PRIMARY KEY, "
                "description VARCHAR, members BIGINT, materialised_on DATE)")
    for seg in segments.values():
        con.execute(f"INSERT INTO {RUNS} VALUES (?, ?, ?, ?)",
                    [seg.name, seg.description, counts[seg.name], run_date])
    return counts


def member_counts(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, dt.date]]:
    """Segment -> (members, day) of the last materialisation (empty segments included)."""
    rows = con.execute(f"SELECT segment, members, materialised_on FROM {RUNS}").fetchall()
    return {segment: (count, day) for segment, count, day in rows}


# a cell a spreadsheet runs as a formula: = + - @ (or their fullwidth forms) first, behind
# any run of spaces (plain, no-break, ideographic), or a leading tab or carriage return
FORMULA_START = (r"^[\s\x{00A0}\x{3000}]*[=+\-@\x{FF1D}\x{FF0B}\x{FF0D}\x{FF20}]"
                 r"|^[\t\r]")


def neutralised(column: str) -> str:
    """SQL for a text cell a spreadsheet would not run as a formula: one that starts like
    a formula (FORMULA_START) gets a ' in front (OWASP CSV injection)."""
    return (f"CASE WHEN regexp_matches({column}, '{FORMULA_START}') "
            f"THEN '''' || {column} ELSE {column} END")


def export_select(name: str, hash_emails: bool) -> str:
    cells = []
    for column, _ in EXPORT_COLUMNS:
        expr = column
        if column == "email" and hash_emails:
            expr = "sha256(lower(trim(email)))"
        if column in TEXT_COLUMNS:
            expr = neutralised(expr)
        cells.append(f"{expr} AS {column}")
    return (f"SELECT {', '.join(cells)} FROM {MEMBERS} "
            f"WHERE segment = '{name}' AND has_marketing_consent ORDER BY position")


def default_path(exports: Path, name: str, run_date: dt.date, fmt: str) -> Path:
    """exports/segments/<name>/<date>.<fmt>, refused if it would resolve outside
    exports/segments (a crafted name, or a symlink inside the folder)."""
    root = (exports / "segments").resolve()
    target = (root / check_name(name) / f"{run_date.isoformat()}.{fmt}").resolve()
    if not target.is_relative_to(root):
        raise SegmentError(f"segment {name!r} would write outside {root}")
    return target


def export(con: duckdb.DuckDBPyConnection, name: str, fmt: str, target: Path,
           hash_emails: bool = False) -> int:
    """Write the materialised members of ``name`` to ``target`` (atomically: a temp file
    renamed); the number of rows written."""
    check_name(name)
    if fmt not in FORMATS:
        raise SegmentError(f"unknown format {fmt!r}: choose csv or parquet")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    options = "FORMAT csv, HEADER true" if fmt == "csv" else "FORMAT parquet"
    literal = str(partial).replace("'", "''")
    try:
        con.execute(f"COPY ({export_select(name, hash_emails)}) TO '{literal}' ({options})")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return con.execute(f"SELECT count(*) FROM {MEMBERS} WHERE segment = ? "
                       "AND has_marketing_consent", [name]).fetchone()[0]
