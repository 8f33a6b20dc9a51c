"""The suppression list: a keyed hash of each erased person, never the address.

A person is their normalised address, the dbt person key (``normalize_email`` in
dbt_project/macros/cleaning.sql: trimmed of white space, angle brackets and quotes, no
``mailto:``, lower-cased, ``+tag`` dropped when var ``email_strip_plus_tag`` is on). The
list holds HMAC-SHA256 of that key under a secret of this installation
(``<data>/privacy/erasure.key``, created on first use, mode 0600), so the list alone does
not tell whom it names, and a guessed address cannot be checked against it without the key.
Anonymous web visitors stitched to an erased person are listed the same way (kind
``anonymous_id``, the id trimmed and lower-cased as staging does).

Ingestion (pipelines/ingest/loader.py) asks :func:`erased_row_sql` for a predicate over a
staged file's rows; rows it holds true for go to quarantine with reason ``erased person``
and no original text.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from functools import cache
from pathlib import Path

import duckdb
import yaml

from pipelines.project import DBT_PROJECT_DIR
from pipelines.sources import Source

ERASED = "erased person"
KEY_FILE = Path("privacy") / "erasure.key"
DDL = """
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE IF NOT EXISTS raw._suppressed (
    person_hash   VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,   -- email | anonymous_id
    erasure_id    VARCHAR NOT NULL,
    suppressed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (person_hash, kind)
);
"""
# what a mailbox looks like inside free text (a quarantined line, a reason, a report cell)
EMAIL_TOKEN = r"[^\s,;:|\"'<>()\[\]{}]+@[^\s,;:|\"'<>()\[\]{}]+\.[A-Za-z]{2,}"
_STRIP = " \t\n\r\u00a0<>\"'"


class InvalidAddress(ValueError):
    """Not an e-mail address (after normalisation)."""


@cache
def strips_plus_tag() -> bool:
    """The dbt var ``email_strip_plus_tag``, as dbt_project.yml sets it."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    return bool(project.get("vars", {}).get("email_strip_plus_tag", False))


def normalise(address: str) -> str:
    """The person key of an address, as dbt's ``normalize_email`` computes it."""
    key = re.sub(r"^mailto:", "", address.strip(_STRIP).lower())
    if strips_plus_tag():
        key = re.sub(r"\+[^@]*@", "@", key)
    return key


def checked(address: str) -> str:
    """The person key of an address given by a user, or :class:`InvalidAddress`."""
    key = normalise(address)
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", key):
        raise InvalidAddress(f"not an e-mail address: {address!r}")
    return key


def normalised_sql(column: str) -> str:
    """SQL of :func:`normalise` (kept equal to dbt's ``normalize_email``)."""
    base = (f"regexp_replace(lower(trim({column}, ' ' || chr(9) || chr(10) || chr(13) || "
            f"chr(160) || '<>\"''')), '^mailto:', '')")
    return f"regexp_replace({base}, '\\+[^@]*@', '@')" if strips_plus_tag() else base


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def anonymous_sql(column: str) -> str:
    return f"lower(trim({column}))"


def key_path(data_dir: Path) -> Path:
    return data_dir / KEY_FILE


def secret_key(data_dir: Path, create: bool = True) -> bytes | None:
    """This installation's key: read, or made on first use (mode 0600). None when absent
    and ``create`` is false."""
    path = key_path(data_dir)
    if not path.exists():
        if not create:
            return None
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # made meanwhile by another process
            return bytes.fromhex(path.read_text().strip())
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
    return bytes.fromhex(path.read_text().strip())


def keyed_hash(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def keyed_hash_sql(key: bytes, expr: str) -> str:
    """SQL of :func:`keyed_hash` (HMAC-SHA256 from DuckDB's sha256 on blobs)."""
    block = (key if len(key) <= 64 else hashlib.sha256(key).digest()).ljust(64, b"\0")
    inner = bytes(b ^ 0x36 for b in block).hex()
    outer = bytes(b ^ 0x5C for b in block).hex()
    return (f"sha256(unhex('{outer}') || unhex(sha256(unhex('{inner}') || "
            f"encode({expr}))))")


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)


def _has_table(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'raw' "
        "AND table_name = '_suppressed' AND database_name = current_database()"
    ).fetchone()[0] > 0


def add(con: duckdb.DuckDBPyConnection, hashes: dict[str, str], erasure_id: str) -> None:
    """Suppress ``hashes`` (hash -> kind); a hash already listed stays as it was."""
    ensure_table(con)
    for person_hash, kind in hashes.items():
        con.execute("INSERT INTO raw._suppressed VALUES (?, ?, ?, now()) ON CONFLICT DO NOTHING",
                    [person_hash, kind, erasure_id])


def person_columns(src: Source, present: set[str]) -> tuple[list[str], list[str]]:
    """(e-mail columns, anonymous-id columns) of a source that a file brings."""
    emails = [c.name for c in src.columns if c.kind == "email" and c.name in present]
    anonymous = [c.name for c in src.columns if c.name == "anonymous_id" and c.name in present]
    return emails, anonymous


def erased_row_sql(con: duckdb.DuckDBPyConnection, src: Source, present: set[str],
                   data_dir: Path) -> str | None:
    """SQL predicate over a staged row: true when the row is about an erased person.
    None when nobody is suppressed (ingestion then pays nothing)."""
    if not _has_table(con):
        return None
    kinds = dict(con.execute("SELECT kind, count(*) FROM raw._suppressed GROUP BY kind").fetchall())
    if not kinds:
        return None
    key = secret_key(data_dir, create=False)
    if key is None:
        raise RuntimeError(f"raw._suppressed lists erased people but the key "
                           f"{key_path(data_dir)} is missing: restore it before loading files")
    emails, anonymous = person_columns(src, present)
    tests = []
    for col, kind, norm in ([(c, "email", normalised_sql) for c in emails]
                            + [(c, "anonymous_id", anonymous_sql) for c in anonymous]):
        if kinds.get(kind):
            value = norm(quote_ident(col))
            tests.append(
                f"({keyed_hash_sql(key, value)} IN (SELECT person_hash FROM raw._suppressed "
                f"WHERE kind = '{kind}'))")
    return "coalesce(" + " OR ".join(tests) + ", false)" if tests else None


def erased_text_sql(con: duckdb.DuckDBPyConnection, data_dir: Path, column: str) -> str | None:
    """SQL predicate over free text (a malformed line): true when an address in it is an
    erased person's. None when nobody is suppressed."""
    if not _has_table(con) or not con.execute(
            "SELECT count(*) FROM raw._suppressed WHERE kind = 'email'").fetchone()[0]:
        return None
    key = secret_key(data_dir, create=False)
    if key is None:
        raise RuntimeError(f"the erasure key {key_path(data_dir)} is missing")
    hashed = keyed_hash_sql(key, normalised_sql("x"))
    return (f"coalesce(list_has_any(list_transform(regexp_extract_all({column}, "
            f"{_literal(EMAIL_TOKEN)}), lambda x: {hashed}), (SELECT list(person_hash) FROM "
            f"raw._suppressed WHERE kind = 'email')), false)")
