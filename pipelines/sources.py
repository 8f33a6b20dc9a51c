"""The inbox contract (docs/contracts.md, "Inbox"): which sources exist and what their rows hold.

Each source is a folder under the inbox and a table in the ``raw`` schema. A column has a
kind that says how ingestion validates and types it:

- ``text``: kept as given.
- ``email``: must look like an address after trimming and lower-casing; kept as given
  (case and spaces are the dedup step's business, not ingestion's).
- ``timestamp``: ISO 8601; a value without offset is UTC; stored as TIMESTAMPTZ (UTC).
- ``date``, ``integer``, ``boolean``: typed casts.
- ``money``: an amount with 2 decimal places, never negative (docs/contracts.md, "Money"):
  a negative value, or one that rounds to 0.00 from either side, is quarantined.
- ``enum``: one of ``values`` after trimming and lower-casing; stored lower-cased.

Required columns must be present in every file and non-empty in every row.

The allowed values of a column, and whether it is required, also follow from the blocking
tests of the staging models that read it (pipelines/staging_contract.py): a text column a
staging ``accepted_values`` test covers becomes an enum with that test's values, a column a
``not_null`` test covers becomes required. So a row that would stop the dbt build is
quarantined at the door instead, from the one definition in the staging YAML. An ``enum``
declared here takes its values from there.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from pipelines.staging_contract import TableRules, staging_rules


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "text"
    required: bool = False
    values: tuple[str, ...] = ()

    @property
    def sql_type(self) -> str:
        return {
            "timestamp": "TIMESTAMPTZ",
            "date": "DATE",
            "money": "DECIMAL(18,2)",
            "integer": "BIGINT",
            "boolean": "BOOLEAN",
        }.get(self.kind, "VARCHAR")


@dataclass(frozen=True)
class Source:
    """One inbox source: its folder name, its raw table and its columns."""

    name: str
    table: str
    columns: tuple[Column, ...] = field(default_factory=tuple)
    description: str = ""

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _req(name: str, kind: str = "text", values: tuple[str, ...] = ()) -> Column:
    return Column(name, kind, True, values)


def _opt(name: str, kind: str = "text", values: tuple[str, ...] = ()) -> Column:
    return Column(name, kind, False, values)


DECLARED: dict[str, Source] = {
    s.name: s
    for s in (
        Source(
            "forms",
            "forms",
            (
                _req("submission_id"), _req("submitted_at", "timestamp"), _req("email", "email"),
                _req("form_id"), _opt("first_name"), _opt("last_name"), _opt("company"),
                _opt("job_title"), _opt("phone"), _opt("country"), _opt("product_interest"),
                _opt("utm_source"), _opt("utm_medium"), _opt("utm_campaign"),
                _opt("landing_page"), _opt("consent_marketing", "boolean"),
                _opt("anonymous_id"),
            ),
            "one row per form submission",
        ),
        Source(
            "web",
            "web_events",
            (
                _req("event_id"), _req("occurred_at", "timestamp"), _req("anonymous_id"),
                _req("event_type"), _opt("email", "email"), _opt("url"), _opt("referrer"),
                _opt("utm_source"), _opt("utm_medium"), _opt("utm_campaign"),
                _opt("user_agent"),
            ),
            "one row per tracked web event",
        ),
        Source(
            "email",
            "email_events",
            (
                _req("event_id"), _req("occurred_at", "timestamp"), _req("email", "email"),
                _req("event", "enum"), _opt("campaign_id"), _opt("url"),
                _opt("user_agent"), _opt("ip"),
            ),
            "one row per email event",
        ),
        Source(
            "crm_deals",
            "crm_deals",
            (
                _req("deal_id"), _req("email", "email"), _req("created_at", "timestamp"),
                _req("stage"), _req("amount", "money"), _opt("currency"), _opt("owner"),
                _opt("closed_at", "timestamp"), _opt("status", "enum"),
                _opt("product"), _opt("updated_at", "timestamp"),
            ),
            "one row per deal state",
        ),
        Source(
            "crm_activities",
            "crm_activities",
            (
                _req("activity_id"), _req("email", "email"), _req("occurred_at", "timestamp"),
                _req("activity_type", "enum"), _opt("owner"), _opt("outcome"),
            ),
            "one row per sales touch",
        ),
        Source(
            "spend",
            "spend",
            (
                _req("spend_date", "date"), _req("channel"), _req("cost", "money"),
                _opt("campaign"), _opt("currency"), _opt("clicks", "integer"),
                _opt("impressions", "integer"),
            ),
            "one row per day, channel and campaign of marketing cost",
        ),
    )
}


def _with_rules(src: Source, rules: TableRules) -> Source:
    """``src`` with the staging tests' values and required columns applied."""
    columns = []
    for column in src.columns:
        values = rules.accepted.get(column.name, column.values)
        if column.name in rules.accepted and column.kind not in ("text", "enum"):
            raise ValueError(f"staging tests give values to {src.table}.{column.name}, "
                             f"a {column.kind} column")
        if values and column.kind == "text":
            column = replace(column, kind="enum")
        if column.kind == "enum" and not values:
            raise ValueError(f"enum column {src.table}.{column.name} has no accepted_values "
                             "test on its staging model")
        columns.append(replace(column, values=tuple(values),
                               required=column.required or column.name in rules.required))
    return replace(src, columns=tuple(columns))


def _apply_staging_rules(declared: dict[str, Source]) -> dict[str, Source]:
    tables = tuple((s.table, frozenset(s.column_names)) for s in declared.values())
    rules = staging_rules(tables)
    return {name: _with_rules(s, rules.get(s.table, TableRules())) for name, s in declared.items()}


SOURCES: dict[str, Source] = _apply_staging_rules(DECLARED)


def source(name: str) -> Source:
    try:
        return SOURCES[name]
    except KeyError:
        raise ValueError(f"unknown source {name!r}; expected one of {', '.join(SOURCES)}") from None
