"""The staging models' data tests, read as rules ingestion checks at the door.

A value that fails a blocking dbt test on a staging model would be set aside by the build
(dbt_project/macros/set_aside.sql) only after it was loaded. So each such rule is read
here from the staging models' YAML (dbt_project/models/staging/*/*.yml), the one
definition, and pipelines/sources.py applies it to the inbox column it comes from: a
row that would fail it is quarantined at ingestion with its reason, and never reaches dbt.

Which rules: ``accepted_values`` (column level) and ``accepted_values_columns`` (model
level) give a column's allowed values; ``not_null`` and ``not_null_columns`` make it
required. Tests of severity ``warn`` do not block a build and are left to dbt. There are no
range tests on staging models; the money rule (never negative) is the inbox's own
(pipelines/sources.py, kind ``money``).

Which columns: staging cleans values before its tests see them, so a rule is checked only
where ingestion sees the value as staging will. The model must read one raw table (the
one raw table name its SQL quotes: ``source('raw', 'web_events')``, a macro's
``'crm_deals'``), and the staging column must come from one of its columns as that column
itself, renamed, or through
``trim``/``lower`` (the first such line of the SQL, e.g. ``lower(trim(event_type)) as
event_type``); ingestion compares enum values trimmed and lower-cased, so these give the
same verdict. A column staging builds in any other way (``lower(regexp_replace(trim(stage),
...)) as deal_stage``, ``coalesce(...) as currency``, values derived from lookups) is not
checked at the door: :func:`unchecked` lists those rules, and the build's tests keep them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

STAGING_DIR = Path(__file__).resolve().parents[1] / "dbt_project" / "models" / "staging"

_QUOTED = re.compile(r"['\"](\w+)['\"]")
# `expr as column` or a bare `column` on a line of its own, in a select list
_SELECTED = re.compile(r"^\s*(?:(?P<expr>.+?)\s+as\s+)?(?P<column>\w+)\s*,?\s*(?:--.*)?$",
                       re.IGNORECASE)
# what may wrap the raw column for its value to be judged as ingestion judges it
_PLAIN = re.compile(r"^(?:(?:lower|trim)\()*(?:\w+\.)?(?P<raw>\w+)\)*$", re.IGNORECASE)


@dataclass(frozen=True)
class Rule:
    model: str  # the staging model whose test it is
    test: str  # the test's name in the YAML
    column: str  # the staging column it tests
    kind: str  # accepted_values | not_null
    values: tuple[str, ...] = ()


@dataclass
class TableRules:
    """The rules of one raw table, by its raw column."""

    accepted: dict[str, tuple[str, ...]] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    sources: dict[str, list[Rule]] = field(default_factory=dict)


def _tests(entries) -> list[tuple[str, dict]]:
    """(test name, its arguments and config) of a YAML ``data_tests`` list."""
    out = []
    for entry in entries or []:
        if isinstance(entry, str):
            out.append((entry, {}))
        else:
            [(name, body)] = entry.items()
            out.append((name, body or {}))
    return out


def _blocking(body: dict) -> bool:
    return (body.get("config") or {}).get("severity", body.get("severity", "error")) != "warn"


def _args(body: dict) -> dict:
    return body.get("arguments") or body


def model_rules(model: dict) -> list[Rule]:
    """The blocking accepted-values and not-null rules of one model's YAML entry."""
    name, rules = model["name"], []
    for column in model.get("columns") or []:
        for test, body in _tests(column.get("data_tests") or column.get("tests")):
            if not _blocking(body):
                continue
            if test == "accepted_values":
                values = tuple(str(v) for v in _args(body)["values"])
                rules.append(Rule(name, test, column["name"], "accepted_values", values))
            elif test == "not_null":
                rules.append(Rule(name, test, column["name"], "not_null"))
    for test, body in _tests(model.get("data_tests") or model.get("tests")):
        if not _blocking(body):
            continue
        label = body.get("name", test)
        if test == "accepted_values_columns":
            rules += [Rule(name, label, col, "accepted_values", tuple(str(v) for v in values))
                      for col, values in _args(body)["values"].items()]
        elif test == "not_null_columns":
            rules += [Rule(name, label, col, "not_null")
                      for col in _args(body)["column_names"]]
    return rules


def column_origins(sql: str) -> dict[str, str]:
    """Staging column -> the raw column it is (renamed, trimmed or lower-cased), from the
    first line of the SQL that selects it; columns built any other way are left out."""
    origins: dict[str, str] = {}
    decided: set[str] = set()
    for line in sql.splitlines():
        match = _SELECTED.match(line)
        if not match or match["column"].lower() in ("select", "from", "where"):
            continue
        column = match["column"]
        if column in decided:
            continue
        decided.add(column)
        plain = _PLAIN.match((match["expr"] or column).replace(" ", ""))
        if plain:
            origins[column] = plain["raw"]
    return origins


def _models(folder: Path):
    for path in sorted(folder.glob("*/*.yml")):
        for model in (yaml.safe_load(path.read_text()) or {}).get("models") or []:
            sql = path.parent / f"{model['name']}.sql"
            if sql.exists():
                yield model, sql.read_text()


def _raw_table(sql: str, raw_columns: dict[str, frozenset[str]]) -> str | None:
    tables = {name for name in _QUOTED.findall(sql) if name in raw_columns}
    return tables.pop() if len(tables) == 1 else None


@cache
def staging_rules(raw_columns: tuple[tuple[str, frozenset[str]], ...],
                  folder: Path = STAGING_DIR) -> dict[str, TableRules]:
    """Raw table -> the rules of its staging models that ingestion can check, given the
    raw tables and their columns (``((table, columns), ...)``)."""
    columns_of = dict(raw_columns)
    tables: dict[str, TableRules] = {}
    for model, sql in _models(folder):
        name = _raw_table(sql, columns_of)
        if name is None:
            continue
        table = tables.setdefault(name, TableRules())
        origins = column_origins(sql)
        for rule in model_rules(model):
            raw = origins.get(rule.column)
            if raw not in columns_of[name]:
                continue
            table.sources.setdefault(raw, []).append(rule)
            if rule.kind == "not_null":
                table.required.add(raw)
            elif raw in table.accepted and table.accepted[raw] != rule.values:
                raise ValueError(f"staging tests disagree on the values of raw column {raw}: "
                                 f"{table.accepted[raw]} and {rule.values} ({rule.model})")
            else:
                table.accepted[raw] = rule.values
    return tables


def unchecked(raw_columns: tuple[tuple[str, frozenset[str]], ...],
              folder: Path = STAGING_DIR) -> list[Rule]:
    """The blocking staging rules ingestion does not check (their column is built by
    staging from more than one raw value, or cleaned in a way ingestion does not mirror)."""
    columns_of = dict(raw_columns)
    out = []
    for model, sql in _models(folder):
        name = _raw_table(sql, columns_of)
        origins = column_origins(sql)
        out += [rule for rule in model_rules(model)
                if name is None or origins.get(rule.column) not in columns_of[name]]
    return out
