"""Print the answers of a dbt analysis (dbt_project/analyses/<name>.sql) over the
warehouse, read-only.

    .venv/bin/python -m pipelines.analyses olist_report

The analysis holds queries, each ending with ``;`` at the end of a line; the ``--``
comment lines just above a query are printed as its title. dbt compiles it (its refs
become the warehouse's tables), then each query runs on a read-only connection.
docs/real-data.md prints the per-dataset breakdowns with it.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

import duckdb

from pipelines.project import DBT_PROJECT_DIR, paths

ANALYSES = DBT_PROJECT_DIR / "analyses"


class AnalysisError(ValueError):
    """An analysis that does not exist or does not compile."""


def split(text: str) -> list[tuple[str, str]]:
    """(title, sql) of each query of the file."""
    out = []
    for chunk in re.split(r";[ \t]*(?:\n|$)", text):
        lines = chunk.strip().splitlines()
        title = [ln.lstrip("- ").rstrip() for ln in lines if ln.startswith("--")]
        sql = "\n".join(ln for ln in lines if not ln.startswith("--")).strip()
        if sql:
            out.append((" ".join(title), sql))
    return out


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float | Decimal):
        return f"{value:,.4f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(names: list[str], rows: list[tuple]) -> str:
    cells = [names] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(names))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
             for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def analysis_name(given: str) -> str:
    """The analysis a name or a path names: dbt_project/analyses/<name>.sql must exist."""
    name = Path(given).stem if given.endswith(".sql") else given
    if not (ANALYSES / f"{name}.sql").is_file():
        known = ", ".join(sorted(p.stem for p in ANALYSES.glob("*.sql"))) or "none"
        raise AnalysisError(f"no analysis {given!r} (known: {known})")
    return name


def compile_analysis(name: str, warehouse: Path) -> str:
    """The SQL of analysis ``name`` as dbt compiles it for ``warehouse`` (in-process, its
    files in a temporary folder; dbt reads no table to compile it)."""
    from dbt.cli.main import dbtRunner

    from pipelines.dbt_target import set_dbt_environment, with_saved_parse

    set_dbt_environment(warehouse)
    with tempfile.TemporaryDirectory(prefix="leadflow-analysis-") as work:
        target = with_saved_parse(Path(work) / "target", warehouse)
        result = dbtRunner().invoke([
            "compile", "--select", f"path:analyses/{name}.sql", "--quiet",
            "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(target), "--log-path", str(Path(work) / "logs"),
        ])
    release_dbt_duckdb()
    nodes = [r.node for r in (result.result or []) if r.node.name == name]
    if not result.success or not nodes:
        why = result.exception or "dbt compile failed"
        raise AnalysisError(f"analysis {name} does not compile: {str(why).splitlines()[0]}")
    return nodes[0].compiled_code


def release_dbt_duckdb() -> None:
    """dbt-duckdb keeps its DuckDB instance open in-process after an invocation; close it,
    so that the caller can open the warehouse read-only afterwards."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None


def print_queries(con: duckdb.DuckDBPyConnection, text: str) -> None:
    for title, sql in split(text):
        cur = con.execute(sql)
        print(f"## {title}\n" if title else "", end="")
        print(table([d[0] for d in cur.description], cur.fetchall()) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("analysis", help="name of a dbt_project/analyses/ file (or its path)")
    parser.add_argument("--warehouse", help="DuckDB file (default: the configured warehouse)")
    args = parser.parse_args(argv)
    warehouse = Path(args.warehouse) if args.warehouse else paths().warehouse
    try:
        if not warehouse.is_file():
            raise AnalysisError(f"no warehouse at {warehouse}")
        text = compile_analysis(analysis_name(args.analysis), warehouse)
        con = duckdb.connect(str(warehouse), read_only=True)
    except (AnalysisError, duckdb.Error) as exc:
        print(f"error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    with con:
        print_queries(con, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
