"""SQL that types a source's columns and says, per row, why a row is rejected.

Everything here builds DuckDB expressions over VARCHAR input columns (or, for the columns
named in ``native``, input already of the column's SQL type), so validation runs inside
DuckDB at its speed. ``valid`` is one cheap boolean per row; only rows that
fail it get the (slower) ``reason`` text, the first failing check.
"""

from __future__ import annotations

from pipelines.ingest.catalog import quote_ident
from pipelines.sources import Column, Source

# trimmed and case-insensitive: "  Jane.Doe@Example.COM " is a valid address
EMAIL_PATTERN = r"^\s*[^@\s]+@[^@\s]+\.[A-Za-z]{2,}\s*$"
TRUE_WORDS = ("true", "t", "yes", "y", "1")
FALSE_WORDS = ("false", "f", "no", "n", "0")
# A parsed timestamp outside this window is a bad value ('epoch', 'infinity', year 20255).
TIMESTAMP_WINDOW = ("2000-01-01", "2100-01-01")
CASTS = ("timestamp", "date", "money", "integer")
# how DuckDB names a column's SQL type when it describes a file's columns
DESCRIBED = {"TIMESTAMPTZ": "TIMESTAMP WITH TIME ZONE"}


def native_types(source: Source) -> dict[str, str]:
    """Typed columns a file may bring already typed (Parquet): name -> DuckDB type name."""
    return {
        c.name: DESCRIBED.get(c.sql_type, c.sql_type)
        for c in source.columns if c.kind in (*CASTS, "boolean")
    }


def _sql_list(values: tuple[str, ...]) -> str:
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


def _shown(col: str) -> str:
    """The offending value, shortened and on one line, for a reason text."""
    return f"replace(replace(left({col}, 80), chr(10), ' '), chr(13), ' ')"


def _blank(col: str, native: bool = False) -> str:
    """NULL, empty or only spaces (trim only runs where the value is empty or its first
    byte is a space or a control character, i.e. where it sorts before '!': a comparison
    of the inlined prefix, half the cost of the whole check with ``ord``)."""
    if native:
        return f"({col} IS NULL)"
    return f"({col} IS NULL OR ({col} < '!' AND trim({col}) = ''))"


def typed(column: Column, present: bool, native: bool = False) -> str:
    """Expression giving the stored value of ``column`` (NULL when absent from the file)."""
    if not present:
        return f"CAST(NULL AS {column.sql_type})"
    col = quote_ident(column.name)
    if native:
        return col
    if column.kind in CASTS:  # DuckDB's casts accept surrounding white space
        return f"TRY_CAST({col} AS {column.sql_type})"
    if column.kind == "boolean":
        low = f"lower(trim({col}))"
        return (
            f"CASE WHEN {low} IN {_sql_list(TRUE_WORDS)} THEN true "
            f"WHEN {low} IN {_sql_list(FALSE_WORDS)} THEN false END"
        )
    if column.kind == "enum":
        return f"lower(trim({col}))"
    return col


def _in_window(column: Column, native: bool = False) -> str:
    lo, hi = TIMESTAMP_WINDOW
    kind = "TIMESTAMPTZ" if column.kind == "timestamp" else "DATE"
    value = typed(column, True, native)
    return f"{value} >= {kind} '{lo}' AND {value} < {kind} '{hi}'"


def _money_problems(column: Column, native: bool = False) -> list[tuple[str, str]]:
    """(condition meaning 'bad', reason) for a money value that is a number: negative, or
    rounding to 0.00 from either side (-1e-9 must not become a silent 0.00)."""
    col = quote_ident(column.name)
    if native:
        shown = _shown(f"CAST({col} AS VARCHAR)")
        return [(f"{col} < 0", f"'negative amount in {column.name}: ' || {shown}")]
    exact = f"TRY_CAST({col} AS DOUBLE)"
    return [
        (f"{exact} < 0", f"'negative amount in {column.name}: ' || {_shown(col)}"),
        (f"sign({exact}) <> sign({typed(column, True)})",
         f"'amount in {column.name} rounds to 0.00: ' || {_shown(col)}"),
    ]


def _good(column: Column, native: bool = False) -> str | None:
    """Boolean SQL true when a present column's value is acceptable (NULL counts as bad)."""
    col = quote_ident(column.name)
    kind = column.kind
    if kind == "email":
        value_ok = f"regexp_full_match({col}, '{EMAIL_PATTERN}')"
    elif kind in ("timestamp", "date"):
        value_ok = _in_window(column, native)
    elif kind == "money":
        parsed = None if native else f"{typed(column, True)} IS NOT NULL"
        value_ok = " AND ".join([*([parsed] if parsed else []),
                                 *(f"NOT ({bad})" for bad, _ in _money_problems(column, native))])
    elif native:  # a typed value is a good one
        value_ok = None
    elif kind in CASTS or kind == "boolean":
        value_ok = f"{typed(column, True)} IS NOT NULL"
    elif kind == "enum":
        value_ok = f"{typed(column, True)} IN {_sql_list(column.values)}"
    else:
        value_ok = None
    if column.required:
        return f"NOT {_blank(col, native)}" + (f" AND {value_ok}" if value_ok else "")
    if value_ok:
        return f"({_blank(col, native)} OR {value_ok})"
    return None


def valid(source: Source, present: set[str], native: frozenset[str] = frozenset()) -> str:
    """Boolean SQL: the row passes every check of the columns present in the file."""
    parts = [
        g for c in source.columns if c.name in present and (g := _good(c, c.name in native))
    ]
    return "coalesce(" + " AND ".join(parts) + ", false)" if parts else "true"


def _checks(column: Column, native: bool = False) -> list[tuple[str, str]]:
    """(condition meaning 'bad', reason text) pairs for one present column, in order."""
    col = quote_ident(column.name)
    name = column.name
    checks: list[tuple[str, str]] = []
    if column.required:
        checks.append((_blank(col, native), f"'missing required value: {name}'"))
    good = _good(Column(name, column.kind, False, column.values), native)
    if good is None:
        return checks
    shown = _shown(f"CAST({col} AS VARCHAR)" if native else col)
    label = {
        "email": "invalid email in", "timestamp": "bad timestamp in", "date": "bad date in",
        "money": "not a number in", "integer": "not an integer in",
        "boolean": "not a yes/no value in",
    }.get(column.kind)
    if column.kind == "enum":
        text = (f"'unknown {name} ' || {shown} || "
                f"' (expected one of {', '.join(column.values)})'")
    elif column.kind == "money":  # first not a number, then why a number is refused
        given = f"NOT {_blank(col, native)}"
        if not native:
            checks.append((f"{given} AND {typed(column, True)} IS NULL",
                           f"'{label} {name}: ' || {shown}"))
        return checks + [(f"{given} AND coalesce({bad}, false)", text)
                         for bad, text in _money_problems(column, native)]
    else:
        text = f"'{label} {name}: ' || {shown}"
    checks.append((f"NOT coalesce({good}, false)", text))
    return checks


def reason(source: Source, present: set[str], native: frozenset[str] = frozenset()) -> str:
    """Text SQL: the first failing check's reason (meant for rows where ``valid`` is false)."""
    branches = [
        f"WHEN {cond} THEN {text}"
        for column in source.columns
        if column.name in present
        for cond, text in _checks(column, column.name in native)
    ]
    return "CASE " + " ".join(branches) + " ELSE 'invalid row' END" if branches else "'invalid row'"


def typed_select(source: Source, present: set[str], extras: list[str],
                 native: frozenset[str] = frozenset()) -> str:
    """Select list producing the raw table's canonical columns, then the extra columns."""
    parts = [
        f"{typed(c, c.name in present, c.name in native)} AS {quote_ident(c.name)}"
        for c in source.columns
    ]
    parts += [quote_ident(e) for e in extras]
    return ", ".join(parts)
