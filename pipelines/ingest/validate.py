"""SQL that types a source's columns and says, per row, why a row is rejected.

Everything here builds DuckDB expressions over all-VARCHAR input columns, so validation
runs inside DuckDB at its speed. The first failing check gives the row's reason.
"""

from __future__ import annotations

from pipelines.ingest.catalog import quote_ident
from pipelines.sources import Column, Source

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$"
TRUE_WORDS = ("true", "t", "yes", "y", "1")
FALSE_WORDS = ("false", "f", "no", "n", "0")
# A parsed timestamp outside this window is a bad value ('epoch', 'infinity', year 20255).
TIMESTAMP_WINDOW = ("2000-01-01", "2100-01-01")


def _sql_list(values: tuple[str, ...]) -> str:
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


def _shown(col: str) -> str:
    """The offending value, shortened and on one line, for a reason text."""
    return f"replace(replace(left({col}, 80), chr(10), ' '), chr(13), ' ')"


def typed(column: Column, present: bool) -> str:
    """Expression giving the stored value of ``column`` (NULL when absent from the file)."""
    if not present:
        return f"CAST(NULL AS {column.sql_type})"
    col = quote_ident(column.name)
    trimmed = f"NULLIF(trim({col}), '')"
    kind = column.kind
    if kind in ("timestamp", "date", "decimal", "integer"):
        return f"TRY_CAST({trimmed} AS {column.sql_type})"
    if kind == "boolean":
        low = f"lower({trimmed})"
        return (
            f"CASE WHEN {low} IN {_sql_list(TRUE_WORDS)} THEN true "
            f"WHEN {low} IN {_sql_list(FALSE_WORDS)} THEN false END"
        )
    if kind == "enum":
        return f"lower({trimmed})"
    return col


def _checks(column: Column) -> list[tuple[str, str]]:
    """(condition meaning 'bad', reason expression) pairs for one present column."""
    col = quote_ident(column.name)
    name = column.name
    given = f"NULLIF(trim({col}), '') IS NOT NULL"
    checks: list[tuple[str, str]] = []
    if column.required:
        checks.append((f"NOT ({given})", f"'missing required value: {name}'"))
    kind = column.kind
    if kind == "email":
        bad = f"{given} AND NOT regexp_full_match(lower(trim({col})), '{EMAIL_PATTERN}')"
        checks.append((bad, f"'invalid email in {name}: ' || {_shown(col)}"))
    elif kind in ("timestamp", "date"):
        value = typed(column, True)
        lo, hi = TIMESTAMP_WINDOW
        bad = f"{given} AND ({value} IS NULL OR NOT ({value} >= '{lo}' AND {value} < '{hi}'))"
        checks.append((bad, f"'bad {kind} in {name}: ' || {_shown(col)}"))
    elif kind == "decimal":
        checks.append((f"{given} AND {typed(column, True)} IS NULL",
                       f"'not a number in {name}: ' || {_shown(col)}"))
    elif kind == "integer":
        checks.append((f"{given} AND {typed(column, True)} IS NULL",
                       f"'not an integer in {name}: ' || {_shown(col)}"))
    elif kind == "boolean":
        checks.append((f"{given} AND {typed(column, True)} IS NULL",
                       f"'not a yes/no value in {name}: ' || {_shown(col)}"))
    elif kind == "enum":
        allowed = ", ".join(column.values)
        checks.append((f"{given} AND lower(trim({col})) NOT IN {_sql_list(column.values)}",
                       f"'unknown {name} ' || {_shown(col)} || ' (expected one of {allowed})'"))
    return checks


def reason(source: Source, present: set[str]) -> str:
    """Expression that is NULL for a good row and the first failing check's text otherwise."""
    branches = [
        f"WHEN {cond} THEN {text}"
        for column in source.columns
        if column.name in present
        for cond, text in _checks(column)
    ]
    if not branches:
        return "CAST(NULL AS VARCHAR)"
    return "CASE " + " ".join(branches) + " END"


def typed_select(source: Source, present: set[str], extras: list[str]) -> str:
    """Select list producing the raw table's canonical columns, then the extra columns."""
    parts = [f"{typed(c, c.name in present)} AS {quote_ident(c.name)}" for c in source.columns]
    parts += [quote_ident(e) for e in extras]
    return ", ".join(parts)
