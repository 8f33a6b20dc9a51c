"""Right of access: everything Leadflow stores about one person, as one JSON document.

``summary`` holds what a person asks for first: the golden record (marts.dim_leads), their
lifecycle stages, scores with their reasons, touches, deals, assignments, consent history
and the export files they appear in. ``tables`` holds every row of every table that names
them (by address in any spelling, lead_id or a stitched visitor's id), raw rows and
quarantined text included: the same match `leadflow forget` erases."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import os
from pathlib import Path

import duckdb

from pipelines.privacy import erase_files, people, suppression
from pipelines.privacy.erase_warehouse import base_tables, columns, load_people
from pipelines.project import LeadflowPaths

SUMMARY = {
    "golden_record": "marts.dim_leads",
    "stages": "marts.fct_lead_stages",
    "scores": "ml.lead_scores",
    "rule_scores": "marts.fct_lead_rule_scores",
    "touches": "marts.fct_touchpoints",
    "deals": "marts.fct_deals",
    "assignments": "ops.lead_assignments",
    "assignment_history": "ops.lead_assignment_events",
    "consent_history": "marts.fct_consent_events",
    "consent_state": "marts.dim_consent_state",
}
NOT_EXPORTED = {("raw", "_suppressed"), ("raw", "_erasures")}


def _rows(cur: duckdb.DuckDBPyConnection) -> list[dict]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _matching_rows(con, schema: str, table: str, person: people.Person) -> list[dict]:
    q = suppression.quote_ident
    cols = columns(con, schema, table)
    tests, params = [], []
    for col, data_type in cols.items():
        if data_type != "VARCHAR":
            continue
        if col == "email" or col.endswith("_email"):
            tests.append(f"{suppression.normalised_sql(q(col))} = ?")
            params.append(person.key)
        elif col == "lead_id":
            tests.append(f"{q(col)} = ?")
            params.append(person.lead_id)
        elif col == "anonymous_id" and person.anonymous_ids:
            tests.append(f"{suppression.anonymous_sql(q(col))} IN (SELECT unnest(?))")
            params.append(sorted(person.anonymous_ids))
    if (schema, table) == ("raw", "_quarantine"):
        from pipelines.privacy.erase_warehouse import text_names_person

        tests.append("EXISTS (SELECT 1 FROM _forget_map m WHERE "
                     + text_names_person("lower(coalesce(original_text, '') || ' ' || reason)")
                     + ")")
    if not tests:
        return []
    return _rows(con.execute(f"SELECT * FROM {q(schema)}.{q(table)} WHERE "
                             + " OR ".join(tests), params))


def person_record(con: duckdb.DuckDBPyConnection, where: LeadflowPaths, address: str) -> dict:
    """The document for ``address`` (checked: :class:`suppression.InvalidAddress`)."""
    key = suppression.checked(address)
    # the keyed hash is not part of the document: no installation key is needed here
    person = people.resolve(con, [key], b"not-stored")[0]
    load_people(con, [person])
    tables: dict[str, list[dict]] = {}
    for schema, table in base_tables(con):
        if (schema, table) in NOT_EXPORTED:
            continue
        if found := _matching_rows(con, schema, table, person):
            tables[f"{schema}.{table}"] = found
    files = erase_files.scan(where, [person]).get(person.person_hash, [])
    exports = sorted(str(Path(f).relative_to(where.data)) for f in files
                     if Path(f).is_relative_to(where.exports))
    summary = {name: tables.get(rel, []) for name, rel in SUMMARY.items()}
    summary["exports"] = exports
    summary["visitors"] = sorted(person.anonymous_ids)
    return {"address": key, "lead_id": person.lead_id,
            "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "summary": summary, "tables": tables}


def _default(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def write(record: dict, out: Path) -> None:
    """Write the document readable by its owner only (it is personal data)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(record, f, indent=2, default=_default, ensure_ascii=False)
        f.write("\n")
