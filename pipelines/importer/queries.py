"""Print the answers of a file of SQL queries over the warehouse, read-only.

    .venv/bin/python -m pipelines.importer.queries mappings/olist/report.sql

The file holds queries, each ending with ``;`` at the end of a line; the ``--`` comment
lines just above a query are printed as its title. docs/real-data.md prints the
per-dataset breakdowns with it.
"""

from __future__ import annotations

import argparse
import re
import sys
from decimal import Decimal
from pathlib import Path

import duckdb

from pipelines.project import paths


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sql_file")
    parser.add_argument("--warehouse", help="DuckDB file (default: the configured warehouse)")
    args = parser.parse_args(argv)
    warehouse = Path(args.warehouse) if args.warehouse else paths().warehouse
    try:
        queries = split(Path(args.sql_file).read_text(encoding="utf-8"))
        con = duckdb.connect(str(warehouse), read_only=True)
    except (OSError, duckdb.Error) as exc:
        print(f"error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    with con:
        for title, sql in queries:
            cur = con.execute(sql)
            print(f"## {title}\n" if title else "", end="")
            print(table([d[0] for d in cur.description], cur.fetchall()) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
