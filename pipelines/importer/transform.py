"""The SQL of an import: read the input CSVs and lookups into DuckDB, compute every output
column of the mapping in one SELECT, and list what is wrong with which row.

No Python runs per row: values are DuckDB expressions over all-VARCHAR input, dates go
through ``try_strptime``, and the checks of the inbox contract are the ingestion's own
(``pipelines.ingest.validate``), so a file that imports cleanly also ingests cleanly.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.importer.mapping import ColumnSpec, Lookup, Mapping, MappingError, Ref, Template
from pipelines.ingest import validate
from pipelines.ingest.catalog import quote_ident
from pipelines.ingest.detect import FileKind, UnreadableFile, detect, first_line, normalise_name
from pipelines.sources import Column, Source

ISO_TIMESTAMP = "%Y-%m-%dT%H:%M:%SZ"
ISO_DATE = "%Y-%m-%d"
# a text cell a spreadsheet would run as a formula (and that is not a plain number)
FORMULA_START = r"^[=+\-@\t\r]"
MAX_ERRORS = 20


@dataclass(frozen=True)
class CsvInput:
    """One CSV file: the path as the user gave it, its kind and its header by normalised
    name (normalised -> header as written)."""

    label: str
    path: Path
    kind: FileKind
    header: dict[str, str]


@dataclass(frozen=True)
class RowError:
    file: str
    row: int | None
    column: str
    reason: str

    def __str__(self) -> str:
        at = f"{self.file}:{self.row}" if self.row is not None else self.file
        return f"{at}: {self.column}: {self.reason}"


def lit(value: str | None) -> str:
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def open_csv(label: str, path: Path) -> CsvInput:
    """Sniff a CSV file and read its header (one-line MappingError when it is not CSV)."""
    if not path.is_file():
        raise MappingError(f"{label}: no such file")
    try:
        kind = detect(path)
        head = first_line(path, kind)
    except UnreadableFile as exc:
        raise MappingError(f"{label}: {exc}") from None
    if kind.format != "csv":
        raise MappingError(f"{label}: is {kind.format}, the importer reads CSV exports")
    names = next(csv.reader([head], delimiter=kind.delimiter), [])
    header: dict[str, str] = {}
    for name in names:
        key = normalise_name(name)
        if key in header:
            raise MappingError(f"{label}: two header columns read as {key!r} "
                               f"({header[key]!r} and {name!r})")
        header[key] = name
    return CsvInput(label, path, kind, header)


def _read_sql(inp: CsvInput) -> str:
    names = ", ".join(f"{lit(n)}: 'VARCHAR'" for n in inp.header.values())
    compression = "gzip" if inp.kind.compression == "gzip" else "none"
    return (f"read_csv({lit(str(inp.path))}, header = true, auto_detect = false, "
            f"columns = {{{names}}}, delim = {lit(inp.kind.delimiter)}, quote = '\"', "
            f"escape = '\"', compression = '{compression}', null_padding = false)")


def _read(con, inp: CsvInput) -> None:
    """Temp table ``_read``: the whole file as text; a malformed file is a one-line error."""
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _read AS SELECT * FROM {_read_sql(inp)}")
    except duckdb.Error as exc:
        lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
        why = "; ".join(ln for ln in lines[:3] if not ln.startswith(("Original Line", "DuckDB")))
        raise MappingError(f"{inp.label}: not a well-formed CSV file: {why}") from None


def _require(inp: CsvInput, column: str, why: str) -> str:
    key = normalise_name(column)
    if key not in inp.header:
        shown = ", ".join(inp.header.values())
        raise MappingError(f"{inp.label}: {why} reads column {column!r}, which this file "
                           f"lacks (it has: {shown})")
    return inp.header[key]


def load_inputs(con: duckdb.DuckDBPyConnection, mapping: Mapping, inputs: list[CsvInput]) -> None:
    """Temp table ``_in``: the referenced columns of every input file (named by their
    normalised names), with ``_file`` (0-based index) and ``_row`` (1-based data row)."""
    wanted = mapping.input_columns()
    for i, inp in enumerate(inputs):
        cols = []
        for ref in sorted(wanted):
            written, where = wanted[ref]
            header = _require(inp, written, f"{mapping.path.name} {where}")
            cols.append(f"{quote_ident(header)} AS {quote_ident(ref)}")
        _read(con, inp)
        select = f"SELECT {i} AS _file, rowid + 1 AS _row" + "".join(f", {c}" for c in cols) \
            + " FROM _read"
        if i == 0:
            con.execute(f"CREATE OR REPLACE TEMP TABLE _in AS {select}")
        else:
            con.execute(f"INSERT INTO _in {select}")
    con.execute("DROP TABLE IF EXISTS _read")


def load_lookup(con, mapping: Mapping, lk: Lookup, inp: CsvInput) -> None:
    """Temp table ``_lk_<name>`` keyed by ``_key``; a key found twice is an error (a join
    would multiply the input rows)."""
    cols = {normalise_name(r.column): (r.column, spec.name) for spec in mapping.columns
            for r in spec.refs if r.lookup == lk.name}
    key = _require(inp, lk.key, f"{mapping.path.name} lookups.{lk.name}.key")
    parts = [f"nullif(trim({quote_ident(key)}), '') AS _key", "rowid + 1 AS _row"]
    for col, (written, out) in sorted(cols.items()):
        header = _require(inp, written, f"{mapping.path.name} columns.{out}")
        parts.append(f"{quote_ident(header)} AS {quote_ident(col)}")
    table = f"_lk_{lk.name}"
    _read(con, inp)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {', '.join(parts)} "
                f"FROM _read WHERE nullif(trim({quote_ident(key)}), '') IS NOT NULL")
    con.execute("DROP TABLE _read")
    dup = con.execute(f"SELECT _key, count(*), min(_row), max(_row) FROM {table} "
                      "GROUP BY _key HAVING count(*) > 1 ORDER BY min(_row) LIMIT 1").fetchone()
    if dup:
        raise MappingError(f"{inp.label}: lookup {lk.name}: key {lk.key} = {dup[0]!r} appears "
                           f"{dup[1]} times (rows {dup[2]} and {dup[3]}); a lookup key must "
                           "be unique")


def _ref_sql(ref: Ref) -> str:
    alias = f"lk_{ref.lookup}" if ref.lookup else "i"
    return f"nullif(trim({alias}.{quote_ident(normalise_name(ref.column))}), '')"


def _filtered(expr: str, filters: tuple[str, ...]) -> str:
    for f in filters:
        expr = {
            "lower": f"lower({expr})",
            "upper": f"upper({expr})",
            "trim": f"trim({expr})",
            "slug": f"trim(regexp_replace(lower(strip_accents({expr})), '[^a-z0-9]+', '-', "
                    f"'g'), '-')",
        }[f]
    return f"nullif({expr}, '')"


def _template_sql(t: Template) -> str:
    # || gives NULL when any part is NULL: an empty placeholder makes the whole value empty
    parts = [lit(p) if isinstance(p, str) else _filtered(_ref_sql(p[0]), p[1]) for p in t.parts]
    return "(" + " || ".join(parts) + ")"


def base_sql(spec: ColumnSpec) -> str:
    """The value before parsing dates: base value, if_empty, value map."""
    if spec.sources:
        value = "coalesce(" + ", ".join(_ref_sql(r) for r in spec.sources) + ")"
    elif spec.templates:
        value = "coalesce(" + ", ".join(_template_sql(t) for t in spec.templates) + ")"
    else:
        value = lit(spec.value)
    if spec.if_empty is not None:
        value = f"coalesce({value}, {lit(spec.if_empty)})"
    if spec.value_map is None:
        return value
    v = f"({value})"
    whens = [f"WHEN {v} IS NULL THEN {lit(spec.value_map.get(None))}"]
    whens += [f"WHEN {v} = {lit(k)} THEN {lit(out)}" for k, out in spec.value_map.items()
              if k is not None]
    other = {"keep": v, "empty": "NULL", "error": "NULL", "default": lit(spec.default)}
    return f"CASE {' '.join(whens)} ELSE {other[spec.unmapped]} END"


def _unmapped_sql(spec: ColumnSpec) -> str | None:
    if spec.value_map is None or spec.unmapped != "error":
        return None
    keys = [k for k in spec.value_map if k is not None]
    pre = base_sql(ColumnSpec(spec.name, spec.sources, spec.templates, spec.value,
                              spec.has_value, None, if_empty=spec.if_empty))
    return f"CASE WHEN {pre} IS NOT NULL AND {pre} NOT IN ({', '.join(map(lit, keys))}) " \
           f"THEN {pre} END"


def _parsed_sql(col: str, spec: ColumnSpec) -> str:
    """A TIMESTAMP in UTC from the text ``col`` (first format that parses)."""
    tries = []
    for fmt in spec.date_formats:
        parsed = f"try_strptime({col}, {lit(fmt)})"
        if "%z" in fmt or "%Z" in fmt:
            tries.append(f"timezone('UTC', {parsed})")
        elif spec.timezone.upper() != "UTC":
            tries.append(f"timezone('UTC', timezone({lit(spec.timezone)}, {parsed}))")
        else:
            tries.append(parsed)
    return tries[0] if len(tries) == 1 else "coalesce(" + ", ".join(tries) + ")"


def _target(source: Source, spec: ColumnSpec) -> Column:
    return next((c for c in source.columns if c.name == spec.name),
                Column(spec.name, "text", spec.required))


def _pre(spec: ColumnSpec, i: int | None = None) -> str:
    return quote_ident(f"pre:{spec.name}" + ("" if i is None else f":{i}"))


def output_sql(source: Source, spec: ColumnSpec) -> str:
    """The text written to the output file for ``spec``, from its pre-parse value(s)."""
    pre = _pre(spec)
    target = _target(source, spec)
    if spec.date_formats:
        fmt = ISO_DATE if target.kind == "date" else ISO_TIMESTAMP
        if spec.pick != "first":
            pick = "least" if spec.pick == "earliest" else "greatest"
            parsed = ", ".join(_parsed_sql(_pre(spec, i), spec) for i in range(len(spec.sources)))
            return f"strftime({pick}({parsed}), {lit(fmt)})"
        return f"strftime({_parsed_sql(pre, spec)}, {lit(fmt)})"
    if target.kind == "text":
        return (f"CASE WHEN regexp_matches({pre}, '{FORMULA_START}') "
                f"AND TRY_CAST({pre} AS DOUBLE) IS NULL THEN '''' || {pre} ELSE {pre} END")
    return pre


def build_mapped(con, mapping: Mapping) -> int:
    """Temp table ``_mapped``: one row per kept input row with ``_file``, ``_row``, the
    pre-parse values (``pre:<column>``), the lookup keys that found nothing
    (``miss:<lookup>``), the values outside a strict map (``unmapped:<column>``) and the
    output columns. Returns the number of input rows skipped by ``skip_if_empty``."""
    joins, parts = [], ["i._file", "i._row"]
    for lk in mapping.lookups.values():
        on = _ref_sql(Ref(lk.on))
        joins.append(f"LEFT JOIN _lk_{lk.name} lk_{lk.name} ON lk_{lk.name}._key = {on}")
        if lk.required:
            parts.append(f"CASE WHEN lk_{lk.name}._key IS NULL THEN coalesce({on}, '') END "
                         f"AS {quote_ident('miss:' + lk.name)}")
    for spec in mapping.columns:
        parts.append(f"{base_sql(spec)} AS {_pre(spec)}")
        if spec.pick != "first":
            parts += [f"{_ref_sql(r)} AS {_pre(spec, i)}" for i, r in enumerate(spec.sources)]
        if (unmapped := _unmapped_sql(spec)) is not None:
            parts.append(f"{unmapped} AS {quote_ident('unmapped:' + spec.name)}")
    skip = " OR ".join(f"{_ref_sql(Ref(c))} IS NULL" for c in mapping.skip_if_empty)
    where = f"WHERE NOT ({skip})" if skip else ""
    outputs = ", ".join(f"{output_sql(mapping.source, s)} AS {quote_ident(s.name)}"
                        for s in mapping.columns)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _mapped AS
        SELECT *, {outputs} FROM (
            SELECT {', '.join(parts)} FROM _in i {' '.join(joins)} {where}
        ) ORDER BY _file, _row""")
    total = con.execute("SELECT count(*) FROM _in").fetchone()[0]
    kept = con.execute("SELECT count(*) FROM _mapped").fetchone()[0]
    return total - kept


def _error_queries(mapping: Mapping) -> list[str]:
    """SELECTs of (_file, _row, column, reason) over ``_mapped``, one per check."""
    queries = []
    for lk in mapping.lookups.values():
        if lk.required:
            miss = quote_ident("miss:" + lk.name)
            queries.append(
                f"SELECT _file, _row, {lit(lk.on)}, CASE WHEN {miss} = '' THEN "
                f"'empty, but lookup {lk.name} needs a key' ELSE 'no row of lookup "
                f"{lk.name} has {lk.key} = ' || {miss} END FROM _mapped WHERE {miss} IS NOT NULL")
    for spec in mapping.columns:
        pre = quote_ident("pre:" + spec.name)
        if spec.value_map is not None and spec.unmapped == "error":
            bad = quote_ident("unmapped:" + spec.name)
            queries.append(
                f"SELECT _file, _row, {lit(spec.name)}, 'value ' || {bad} || ' is not in the "
                f"map (add it, or set unmapped: keep, empty or a default)' FROM _mapped "
                f"WHERE {bad} IS NOT NULL")
        if spec.date_formats:
            formats = lit(" with date_format " + " or ".join(spec.date_formats))
            if spec.pick == "first":
                queries.append(
                    f"SELECT _file, _row, {lit(spec.name)}, 'cannot parse ' || {pre} || "
                    f"{formats} FROM _mapped "
                    f"WHERE {pre} IS NOT NULL AND {quote_ident(spec.name)} IS NULL")
            for i, ref in enumerate(spec.sources if spec.pick != "first" else ()):
                one = _pre(spec, i)
                queries.append(
                    f"SELECT _file, _row, {lit(spec.name)}, {lit(str(ref) + ': cannot parse ')}"
                    f" || {one} || {formats} FROM _mapped WHERE {one} IS NOT NULL "
                    f"AND {_parsed_sql(one, spec)} IS NULL")
        target = _target(mapping.source, spec)
        one = Source(mapping.source.name, mapping.source.table, (target,))
        present = {spec.name}
        queries.append(
            f"SELECT _file, _row, {lit(spec.name)}, {validate.reason(one, present)} "
            f"FROM _mapped WHERE NOT {validate.valid(one, present)}")
    return queries


def find_errors(con, mapping: Mapping, inputs: list[CsvInput]) -> tuple[int, list[RowError]]:
    """(number of problems, the first ``MAX_ERRORS`` in file and row order). A row with a
    mapping problem (bad date, unmapped value) is not reported again by the contract."""
    union = " UNION ALL ".join(
        f"SELECT _file, _row, col, reason, {n} AS _check FROM ({q}) t(_file, _row, col, reason)"
        for n, q in enumerate(_error_queries(mapping)))
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _errors AS
        SELECT * FROM ({union})
        QUALIFY row_number() OVER (PARTITION BY _file, _row, col ORDER BY _check) = 1""")
    total = con.execute("SELECT count(*) FROM _errors").fetchone()[0]
    first = con.execute(f"SELECT _file, _row, col, reason FROM _errors "
                        f"ORDER BY _file, _row, _check LIMIT {MAX_ERRORS}").fetchall()
    return total, [RowError(inputs[f].label, r, c, reason) for f, r, c, reason in first]


def copy_out(con, mapping: Mapping, target: Path) -> int:
    """Write the output columns, in input order, as CSV with a header."""
    cols = ", ".join(quote_ident(s.name) for s in mapping.columns)
    con.execute(f"COPY (SELECT {cols} FROM _mapped ORDER BY _file, _row) TO {lit(str(target))} "
                "(FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"')")
    return con.execute("SELECT count(*) FROM _mapped").fetchone()[0]


def formula_cells(con, mapping: Mapping) -> int:
    """How many output cells were prefixed with ' so that a spreadsheet shows them as text."""
    texts = [s for s in mapping.columns
             if _target(mapping.source, s).kind == "text" and not s.date_formats]
    if not texts:
        return 0
    terms = " + ".join(
        f"(regexp_matches({quote_ident('pre:' + s.name)}, '{FORMULA_START}') AND "
        f"TRY_CAST({quote_ident('pre:' + s.name)} AS DOUBLE) IS NULL)::INT" for s in texts)
    return con.execute(f"SELECT coalesce(sum({terms}), 0) FROM _mapped").fetchone()[0]
