"""Reading one inbox file into a table ``<ns>_read`` of VARCHAR columns (a Parquet file's
columns already of their warehouse type excepted).

Each reader leaves, under the prefix ``ns`` (``temp.`` for the connection's temp schema,
or a slot of the in-memory staging database the loader attaches):

- ``<ns>_read``: one row per parsed input row, with the file's columns under their
  normalised names and a ``_rejected`` flag (false) the loader sets;
- ``<ns>_malformed``: rows the parser itself rejected (``_row``, ``reason``,
  ``original_text``);

and returns a :class:`Staged` that says how to read them back: ``rows`` is a SQL relation
of every parsed row with ``_row`` (the 1-based data row in the file: CSV data rows after
the header, JSON lines, Parquet rows), ``_parsed`` (false for a JSON line that is not
an object) and ``_rid`` (its rowid in ``table``); ``original`` (after ``original_join``)
is a row's text as it stood in the file where the format keeps it (NULL where the loader
rebuilds it from the values).

DuckDB does all parsing; Python only decides the dialect and the column names.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.ingest.catalog import quote_ident
from pipelines.ingest.detect import FileKind, UnreadableFile, first_line, normalise_name

REJECTS = ("_rej", "_rej_scan")  # read_csv's, always in the reading connection's temp schema
STAGED = ("_read", "_lines", "_malformed", "_gaps")


@dataclass(frozen=True)
class Staged:
    columns: list[InputColumn]
    table: str  # the staged table, with a _rejected flag the loader sets
    rows: str  # its rows as a relation with _row, _parsed and _rid (the table's rowid)
    original_join: str = ""  # joined to rows aliased r, to reach their original text
    original: str = "NULL::VARCHAR"
    malformed: str = "temp._malformed"  # rows the parser rejected, as they stand in the file
    native: frozenset[str] = frozenset()  # columns staged already typed (not VARCHAR)
    problem: str = "NULL::VARCHAR"  # SQL over rows: why the reader sets a row aside, or NULL


@dataclass(frozen=True)
class InputColumn:
    given: str  # as spelled in the file
    name: str  # normalised
    type: str = "VARCHAR"  # as the file types it (Parquet), as DuckDB names it


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _column_name(given: str, position: int) -> str:
    name = normalise_name(given) or f"column_{position}"
    if name.startswith("_") or name[0].isdigit():
        name = "x_" + name.lstrip("_")
    return name


def _normalised(given: list[str], types: list[str] | None = None) -> list[InputColumn]:
    cols, seen = [], set()
    for i, g in enumerate(given, start=1):
        name = _column_name(g, i)
        if name in seen:
            raise UnreadableFile(f"duplicate column {name!r} in header")
        seen.add(name)
        cols.append(InputColumn(g, name, types[i - 1] if types else "VARCHAR"))
    return cols


def drop_temp(con: duckdb.DuckDBPyConnection, ns: str = "temp.") -> None:
    """Drop the tables a reader leaves behind (named ``<ns>_read`` and so on)."""
    con.execute("".join(
        f"DROP TABLE IF EXISTS {t};"
        for t in (*(f"{ns}{t}" for t in STAGED), *(f"temp.{t}" for t in ("_bad", *REJECTS)))
    ))


_reset = drop_temp


def _create(ns: str) -> str:
    return "CREATE TEMP TABLE" if ns == "temp." else "CREATE TABLE"


# line-break remnants DuckDB leaves around a rejected line (of the previous line's CRLF)
LINE_BREAKS = "chr(13) || chr(10)"


def _row_gaps(con: duckdb.DuckDBPyConnection, header_lines: int, ns: str) -> int:
    """Turn parser rejects into ``_malformed`` and a ``_gaps`` table mapping each accepted
    row's ordinal to its data row number. Returns the number of rejected rows.

    Each rejected row keeps its own text. A quote left open runs to the end of the file,
    so the parser hands back the rest of the file as that row: the row keeps its own line,
    and each line after it is held as a row of its own, with the reason."""
    con.execute(
        f"""{_create(ns)} {ns}_malformed AS
        WITH rejected AS (
            SELECT line - {header_lines} AS _row,
                   'malformed row: ' || first(error_message ORDER BY column_idx) AS reason,
                   trim(first(csv_line ORDER BY column_idx), {LINE_BREAKS}) AS text,
                   bool_or(error_message LIKE '%unterminated quote%') AS quote_left_open
            FROM _rej GROUP BY line),
        open_quote_lines AS (
            SELECT _row, reason, unnest(string_split(text, chr(10))) AS line,
                   generate_subscripts(string_split(text, chr(10)), 1) AS k
            FROM rejected WHERE quote_left_open)
        SELECT _row, reason, text AS original_text FROM rejected WHERE NOT quote_left_open
        UNION ALL
        SELECT _row + k - 1,
               CASE WHEN k = 1 THEN reason
                    ELSE 'malformed row: inside the unterminated quote of row ' || _row END,
               rtrim(line, chr(13))
        FROM open_quote_lines WHERE k = 1 OR rtrim(line, chr(13)) <> ''"""
    )
    # accepted ordinal k sits at data row k + (number of rejects r_i with r_i - i < k)
    con.execute(
        f"""{_create(ns)} {ns}_gaps AS
        SELECT t, max(i) AS shift FROM (
            SELECT _row - row_number() OVER (ORDER BY _row) AS t,
                   row_number() OVER (ORDER BY _row) AS i
            FROM {ns}_malformed) GROUP BY t"""
    )
    return con.execute(f"SELECT count(*) FROM {ns}_malformed").fetchone()[0]


# Up to this many runs of rejected rows, a row's shift is a CASE over them (cheaper than an
# ASOF join for every use of the rows); beyond, the join.
CASE_GAPS = 64


def row_number_join(con: duckdb.DuckDBPyConnection, ordinal: str, ns: str) -> tuple[str, str]:
    """(join clause, expression) giving the data row of ``ordinal`` (1-based) via ``_gaps``."""
    gaps = con.execute(
        f"SELECT t, shift FROM {ns}_gaps ORDER BY t DESC LIMIT {CASE_GAPS + 1}").fetchall()
    if len(gaps) <= CASE_GAPS:
        whens = " ".join(f"WHEN {ordinal} > {t} THEN {shift}" for t, shift in gaps)
        return "", f"{ordinal} + CASE {whens} ELSE 0 END"
    join = f"ASOF LEFT JOIN {ns}_gaps g ON {ordinal} > g.t"
    return join, f"{ordinal} + coalesce(g.shift, 0)"


def _compression(kind: FileKind) -> str:
    return "gzip" if kind.compression == "gzip" else "none"


# ---------------------------------------------------------------- CSV


def csv_columns(path: Path, kind: FileKind) -> list[InputColumn]:
    header = first_line(path, kind)
    given = next(csv.reader(io.StringIO(header), delimiter=kind.delimiter), [])
    if not any(g.strip() for g in given):
        raise UnreadableFile("empty file (no header)")
    return _normalised(given)


def read_csv(con, path: Path, kind: FileKind, cols: list[InputColumn],
             ns: str = "temp.") -> Staged:
    _reset(con, ns)
    spec = ", ".join(f"{_sql_str(c.name)}: 'VARCHAR'" for c in cols)
    con.execute(
        f"""{_create(ns)} {ns}_read AS
        SELECT *, false AS _rejected
        FROM read_csv({_sql_str(str(path))}, columns = {{{spec}}}, header = true,
                      auto_detect = false, delim = {_sql_str(kind.delimiter)}, quote = '"',
                      escape = '"', compression = '{_compression(kind)}',
                      store_rejects = true, rejects_table = '_rej', rejects_scan = '_rej_scan')"""
    )
    join, expr = ("", "r.rowid + 1")
    if _row_gaps(con, 1, ns):
        join, expr = row_number_join(con, "r.rowid + 1", ns)
    return Staged(cols, f"{ns}_read",
                  f"(SELECT {expr} AS _row, true AS _parsed, r.rowid AS _rid, r.* "
                  f"FROM {ns}_read r {join})",
                  malformed=f"{ns}_malformed")


# ---------------------------------------------------------------- JSON Lines

# A line holds a JSON object when it starts with "{" (after spaces) and is valid JSON.
OBJECT_GUARD = "(starts_with(ltrim(l.line), '{') AND json_valid(l.line))"
# The same without a second parse for the usual line, "{...}": such a line that is not
# valid JSON makes the statement fail, and the file is parsed again with OBJECT_GUARD.
QUICK_OBJECT_GUARD = f"(l.line LIKE '{{%}}' OR {OBJECT_GUARD})"


def read_jsonl(con, path: Path, kind: FileKind, ns: str = "temp.") -> Staged:
    _reset(con, ns)
    con.execute(
        f"""{_create(ns)} {ns}_lines AS
        SELECT line FROM read_csv({_sql_str(str(path))}, columns = {{'line': 'VARCHAR'}},
                                  header = false, auto_detect = false, delim = '\\x1f',
                                  quote = '', escape = '', compression = '{_compression(kind)}',
                                  store_rejects = true, rejects_table = '_rej',
                                  rejects_scan = '_rej_scan')"""
    )
    join, expr = ("", "l.rowid + 1")
    if _row_gaps(con, 0, ns):
        join, expr = row_number_join(con, "l.rowid + 1", ns)
    keys = [
        k for (k,) in con.execute(
            "SELECT DISTINCT k FROM (SELECT unnest(TRY(json_keys(line))) AS k "
            f"FROM {ns}_lines WHERE line IS NOT NULL) ORDER BY k"
        ).fetchall()
    ]
    if not keys:
        if con.execute(f"SELECT count(*) FROM {ns}_lines WHERE trim(line) <> ''").fetchone()[0]:
            raise UnreadableFile("no JSON object with keys in the file")
        raise UnreadableFile("empty file (no data rows)")
    spellings: dict[str, list[int]] = {}  # column name -> positions of its keys in `keys`
    for i, key in enumerate(keys, start=1):
        spellings.setdefault(_column_name(key, i), []).append(i)
    cols = [InputColumn(keys[at[0] - 1], name) for name, at in spellings.items()]
    paths = "[" + ", ".join(_sql_str('$."' + k.replace('"', '\\"') + '"') for k in keys) + "]"
    # One parse per line for all values, guarded so that a line that is not a JSON object
    # yields NULL (TRY() would defeat DuckDB's common-subexpression elimination and parse
    # once per column). _lid points back into _lines, so the original text is not copied
    # for good rows. Keys spelled differently for one column ("Email", "email") are one
    # column; a line that gives two of them is set aside (``_conflict``).
    values = ", ".join(
        f"coalesce({', '.join(f'_v[{i}]' for i in at)}) AS {quote_ident(name)}"
        for name, at in spellings.items())
    values += ", " + _conflict(spellings, keys)
    for guard in (QUICK_OBJECT_GUARD, OBJECT_GUARD):
        try:
            con.execute(
                f"""{_create(ns)} {ns}_read AS
                SELECT _lid, _row, _v IS NOT NULL AS _parsed, false AS _rejected, {values}
                FROM (SELECT l.rowid AS _lid, {expr} AS _row,
                             CASE WHEN {guard} THEN json_extract_string(l.line, {paths}) END AS _v
                      FROM {ns}_lines l {join}
                      WHERE l.line IS NOT NULL
                        AND NOT (l.line < '!' AND trim(l.line) = ''))"""
            )
            break
        except duckdb.InvalidInputException:
            if guard == OBJECT_GUARD:
                raise
    return Staged(cols, f"{ns}_read", f"(SELECT rowid AS _rid, * FROM {ns}_read)",
                  f"JOIN {ns}_lines l ON l.rowid = r._lid", "l.line", f"{ns}_malformed",
                  problem="_conflict")


def _conflict(spellings: dict[str, list[int]], keys: list[str]) -> str:
    """SQL naming the keys of one column a line gives more than once, else NULL."""
    def given(at: list[int]) -> str:
        return "concat_ws(' and ', " + ", ".join(
            f"CASE WHEN _v[{i}] IS NOT NULL THEN {_sql_str(keys[i - 1])} END" for i in at) + ")"

    branches = [
        f"WHEN {' + '.join(f'(_v[{i}] IS NOT NULL)::INT' for i in at)} > 1 "
        f"THEN {_sql_str(f'{name} given twice, as ')} || {given(at)}"
        for name, at in spellings.items() if len(at) > 1
    ]
    return ("CASE " + " ".join(branches) + " END" if branches else "NULL::VARCHAR") \
        + " AS _conflict"


# ---------------------------------------------------------------- Parquet


def parquet_columns(con, path: Path) -> list[InputColumn]:
    try:
        rows = con.execute(
            f"DESCRIBE SELECT * FROM read_parquet({_sql_str(str(path))})"
        ).fetchall()
    except duckdb.Error as exc:
        raise UnreadableFile(f"unreadable Parquet: {str(exc).splitlines()[0]}") from None
    return _normalised([r[0] for r in rows], [r[1] for r in rows])


def read_parquet(con, path: Path, cols: list[InputColumn], ns: str = "temp.",
                 typed: dict[str, str] | None = None) -> Staged:
    """Columns come as VARCHAR, but for those the file already types as ``typed`` asks
    (normalised name -> DuckDB type): these stay as they are, with no trip through text."""
    _reset(con, ns)
    native = frozenset(c.name for c in cols if (typed or {}).get(c.name) == c.type)
    values = ", ".join(
        f"{quote_ident(c.given)} AS {quote_ident(c.name)}" if c.name in native
        else f"CAST({quote_ident(c.given)} AS VARCHAR) AS {quote_ident(c.name)}"
        for c in cols
    )
    con.execute(
        f"""{_create(ns)} {ns}_read AS
        SELECT file_row_number + 1 AS _row, true AS _parsed, false AS _rejected, {values}
        FROM read_parquet({_sql_str(str(path))}, file_row_number = true)"""
    )
    con.execute(
        f"{_create(ns)} {ns}_malformed (_row BIGINT, reason VARCHAR, original_text VARCHAR)"
    )
    return Staged(cols, f"{ns}_read", f"(SELECT rowid AS _rid, * FROM {ns}_read)",
                  malformed=f"{ns}_malformed", native=native)
