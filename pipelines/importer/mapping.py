"""Import mappings: a YAML file saying how the columns of a CSV export become the columns
of one inbox source (docs/contracts.md, "Inbox"). The format is documented in docs/real-data.md.

``load`` reads and checks a mapping; every problem is a one-line :class:`MappingError`
naming the mapping file and the key at fault. Whether the referenced input columns exist
is checked later, against each input file's header (``transform.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipelines.ingest.detect import normalise_name
from pipelines.sources import SOURCES, Source

_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")
# {column} or {column|filter|filter}; a column may be lookup.column
_PLACEHOLDER = re.compile(r"\{([^{}|]+)((?:\|[a-z_]+)*)\}")
FILTERS = ("slug", "lower", "upper", "trim")
UNMAPPED = ("error", "keep", "empty")
_COLUMN_KEYS = {"from", "pick", "value", "template", "map", "unmapped", "default", "if_empty",
                "date_format", "timezone", "required"}
PICKS = ("first", "earliest", "latest")
_LOOKUP_KEYS = {"file", "key", "on", "required"}
_TOP_KEYS = {"source", "name", "description", "lookups", "skip_if_empty", "columns"}


class MappingError(Exception):
    """A mapping that cannot be used; the message is one line naming file and key."""


@dataclass(frozen=True)
class Ref:
    """A reference to an input value: a column of the source file, or of a lookup."""

    column: str
    lookup: str | None = None

    @classmethod
    def parse(cls, text: str) -> Ref:
        if "." in text:
            lookup, column = text.split(".", 1)
            return cls(column.strip(), lookup.strip())
        return cls(text.strip())

    def __str__(self) -> str:
        return f"{self.lookup}.{self.column}" if self.lookup else self.column


@dataclass(frozen=True)
class Template:
    """A text with ``{column|filter}`` placeholders; NULL when any placeholder is empty."""

    text: str
    parts: tuple[str | tuple[Ref, tuple[str, ...]], ...]

    @classmethod
    def parse(cls, text: str, where: str) -> Template:
        parts: list[str | tuple[Ref, tuple[str, ...]]] = []
        pos = 0
        for m in _PLACEHOLDER.finditer(text):
            if m.start() > pos:
                parts.append(text[pos:m.start()])
            filters = tuple(f for f in m.group(2).split("|") if f)
            bad = [f for f in filters if f not in FILTERS]
            if bad:
                raise MappingError(f"{where}: unknown filter {bad[0]!r} "
                                   f"(expected one of {', '.join(FILTERS)})")
            parts.append((Ref.parse(m.group(1)), filters))
            pos = m.end()
        if pos < len(text):
            parts.append(text[pos:])
        if not any(isinstance(p, tuple) for p in parts):
            raise MappingError(f"{where}: template {text!r} has no {{column}} placeholder; "
                               "use value: for a constant")
        if any(isinstance(p, str) and ("{" in p or "}" in p) for p in parts):
            raise MappingError(f"{where}: template {text!r} has an unbalanced brace")
        return cls(text, tuple(parts))

    @property
    def refs(self) -> list[Ref]:
        return [p[0] for p in self.parts if isinstance(p, tuple)]


@dataclass(frozen=True)
class ColumnSpec:
    """How one output column is made, in this order: its base value (first non-empty of
    ``sources`` or ``templates``, or the constant ``value``), ``if_empty``, the value map,
    then date parsing. With ``pick`` earliest or latest, the dates of all ``sources`` are
    parsed and the earliest or latest one is taken."""

    name: str
    sources: tuple[Ref, ...] = ()
    templates: tuple[Template, ...] = ()
    value: str | None = None
    has_value: bool = False
    value_map: dict[str | None, str | None] | None = None
    unmapped: str = "error"
    default: str | None = None
    if_empty: str | None = None
    date_formats: tuple[str, ...] = ()
    timezone: str = "UTC"
    required: bool = False
    pick: str = "first"

    @property
    def refs(self) -> list[Ref]:
        return list(self.sources) + [r for t in self.templates for r in t.refs]


@dataclass(frozen=True)
class Lookup:
    """A second CSV joined by key: ``on`` (a source column) equals ``key`` (its column)."""

    name: str
    file: str
    key: str
    on: str
    required: bool = False


@dataclass(frozen=True)
class Mapping:
    path: Path
    source: Source
    name: str
    columns: tuple[ColumnSpec, ...]
    lookups: dict[str, Lookup] = field(default_factory=dict)
    skip_if_empty: tuple[str, ...] = ()
    description: str = ""

    def input_columns(self) -> dict[str, tuple[str, str]]:
        """Columns read from the input files: normalised name -> (name as written in the
        mapping, the key that reads it)."""
        found: dict[str, tuple[str, str]] = {}
        uses = [(r, f"columns.{s.name}") for s in self.columns for r in s.refs]
        uses += [(Ref(c), "skip_if_empty") for c in self.skip_if_empty]
        uses += [(Ref(lk.on), f"lookups.{lk.name}.on") for lk in self.lookups.values()]
        for ref, where in uses:
            if ref.lookup is None:
                found.setdefault(normalise_name(ref.column), (ref.column, where))
        return found


def _text(value, where: str) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        raise MappingError(f"{where}: expected a text value, got {value!r}")
    return str(value)


def _texts(value, where: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise MappingError(f"{where}: expected at least one value")
    return tuple(_text(v, where) for v in items)


def _map_key(key) -> str | None:
    return None if key is None or key == "" else str(key).strip()


def _column(name: str, raw, where: str, source: Source) -> ColumnSpec:
    if isinstance(raw, str):  # shorthand: `email: Email Address`
        raw = {"from": raw}
    if not isinstance(raw, dict):
        raise MappingError(f"{where}: expected a mapping of options or a column name")
    unknown = sorted(set(raw) - _COLUMN_KEYS)
    if unknown:
        raise MappingError(f"{where}: unknown option {unknown[0]!r} "
                           f"(expected {', '.join(sorted(_COLUMN_KEYS))})")
    bases = [k for k in ("from", "value", "template") if k in raw]
    if len(bases) != 1:
        raise MappingError(f"{where}: give exactly one of from, value, template "
                           f"(got {', '.join(bases) or 'none'})")
    sources = tuple(Ref.parse(t) for t in _texts(raw["from"], f"{where}.from")) \
        if "from" in raw else ()
    templates = tuple(Template.parse(t, f"{where}.template")
                      for t in _texts(raw["template"], f"{where}.template")) \
        if "template" in raw else ()
    value = None if raw.get("value") is None else _text(raw.get("value"), f"{where}.value")
    value_map = None
    if "map" in raw:
        if not isinstance(raw["map"], dict) or not raw["map"]:
            raise MappingError(f"{where}.map: expected a non-empty mapping of value: new value")
        value_map = {_map_key(k): (None if v is None else _text(v, f"{where}.map.{k}"))
                     for k, v in raw["map"].items()}
    unmapped = raw.get("unmapped", "default" if "default" in raw else "error")
    if unmapped not in (*UNMAPPED, "default"):
        raise MappingError(f"{where}.unmapped: expected one of {', '.join(UNMAPPED)}, "
                           f"got {unmapped!r}")
    if ("unmapped" in raw or "default" in raw) and value_map is None:
        raise MappingError(f"{where}: unmapped/default only make sense with map")
    formats = _texts(raw["date_format"], f"{where}.date_format") if "date_format" in raw else ()
    for fmt in formats:
        if "%" not in fmt:
            raise MappingError(f"{where}.date_format: {fmt!r} is not a strptime format "
                               "(e.g. %Y-%m-%d %H:%M:%S)")
    target = next((c for c in source.columns if c.name == name), None)
    if formats and target is not None and target.kind not in ("timestamp", "date"):
        raise MappingError(f"{where}.date_format: {source.name}.{name} is a {target.kind} "
                           "column, not a timestamp or date")
    if "timezone" in raw and not formats:
        raise MappingError(f"{where}.timezone: only used with date_format")
    required = raw.get("required", False)
    if not isinstance(required, bool):
        raise MappingError(f"{where}.required: expected true or false")
    pick = raw.get("pick", "first")
    if pick not in PICKS:
        raise MappingError(f"{where}.pick: expected one of {', '.join(PICKS)}, got {pick!r}")
    if pick != "first" and (len(sources) < 2 or not formats or value_map is not None
                            or "if_empty" in raw):
        raise MappingError(f"{where}.pick: {pick} needs two or more from columns and a "
                           "date_format (and no map or if_empty)")
    return ColumnSpec(
        name=name, sources=sources, templates=templates, value=value, has_value="value" in raw,
        value_map=value_map, unmapped=unmapped,
        default=None if raw.get("default") is None else _text(raw["default"], f"{where}.default"),
        if_empty=None if raw.get("if_empty") is None else _text(raw["if_empty"],
                                                                 f"{where}.if_empty"),
        date_formats=formats,
        timezone=_text(raw.get("timezone", "UTC"), f"{where}.timezone"),
        required=required or (target is not None and target.required),
        pick=pick,
    )


def _lookup(name: str, raw, where: str) -> Lookup:
    if not _IDENT.match(name):
        raise MappingError(f"{where}: lookup names are lower-case identifiers, got {name!r}")
    if not isinstance(raw, dict):
        raise MappingError(f"{where}: expected file, key and on")
    # YAML 1.1 reads a bare `on:` key as the boolean true
    raw = {("on" if k is True else k): v for k, v in raw.items()}
    unknown = sorted(set(raw) - _LOOKUP_KEYS)
    missing = [k for k in ("file", "key", "on") if k not in raw]
    if unknown or missing:
        raise MappingError(f"{where}: " + (f"unknown option {unknown[0]!r}" if unknown
                                            else f"missing {', '.join(missing)}"))
    required = raw.get("required", False)
    if not isinstance(required, bool):
        raise MappingError(f"{where}.required: expected true or false")
    return Lookup(name, _text(raw["file"], f"{where}.file"), _text(raw["key"], f"{where}.key"),
                  _text(raw["on"], f"{where}.on"), required)


def load(path: Path) -> Mapping:
    """Read and check a mapping file."""
    label = str(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MappingError(f"{label}: no such mapping file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"{label}: cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise MappingError(f"{label}: not valid YAML{at}: {problem}") from None
    if not isinstance(doc, dict):
        raise MappingError(f"{label}: expected a YAML mapping with source and columns")
    unknown = sorted(set(doc) - _TOP_KEYS)
    if unknown:
        raise MappingError(f"{label}: unknown key {unknown[0]!r} "
                           f"(expected {', '.join(sorted(_TOP_KEYS))})")
    if doc.get("source") not in SOURCES:
        raise MappingError(f"{label}: source: expected one of {', '.join(SOURCES)}, "
                           f"got {doc.get('source')!r}")
    source = SOURCES[doc["source"]]
    name = _text(doc.get("name", path.stem), f"{label}: name")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise MappingError(f"{label}: name: letters, digits, '_', '-' and '.' only, got {name!r}")
    raw_columns = doc.get("columns")
    if not isinstance(raw_columns, dict) or not raw_columns:
        raise MappingError(f"{label}: columns: expected a mapping of output column: spec")
    lookups = {}
    raw_lookups = doc.get("lookups") or {}
    if not isinstance(raw_lookups, dict):
        raise MappingError(f"{label}: lookups: expected a mapping of name: spec")
    for lk_name, lk in raw_lookups.items():
        lookups[str(lk_name)] = _lookup(str(lk_name), lk, f"{label}: lookups.{lk_name}")
    columns = []
    for out_name, spec in raw_columns.items():
        out = str(out_name)
        where = f"{label}: columns.{out}"
        if normalise_name(out) != out:
            raise MappingError(f"{where}: output column names are lower-case snake_case "
                               f"(as ingestion normalises them: {normalise_name(out)!r})")
        col = _column(out, spec, where, source)
        for ref in col.refs:
            if ref.lookup is not None and ref.lookup not in lookups:
                raise MappingError(f"{where}: {ref} names lookup {ref.lookup!r}, "
                                   f"which lookups: does not define")
        columns.append(col)
    missing = [c for c in source.required if c not in raw_columns]
    if missing:
        raise MappingError(f"{label}: columns: source {source.name} requires "
                           f"{', '.join(missing)}, which the mapping does not set")
    skip = _texts(doc["skip_if_empty"], f"{label}: skip_if_empty") \
        if doc.get("skip_if_empty") is not None else ()
    return Mapping(path=path, source=source, name=name, columns=tuple(columns), lookups=lookups,
                   skip_if_empty=skip, description=str(doc.get("description", "")).strip())
