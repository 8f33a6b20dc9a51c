"""Fixtures for the generator tests: one small generated inbox per session, and an
independent inspection of it with DuckDB applying the ingestion rules of docs/contracts.md."""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import duckdb
import pytest

from leadflow_dev.generator import generate

END = date(2025, 6, 30)
EMAIL_RE = r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$"
SENDGRID = (
    "processed",
    "delivered",
    "open",
    "click",
    "bounce",
    "dropped",
    "unsubscribe",
    "spamreport",
)
ACTIVITY_TYPES = ("call", "email", "meeting", "demo")


def csv_header(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return f.readline().rstrip("\r\n").split(",")


def read_csv_sql(path: Path) -> str:
    """A strict reader (explicit dialect and columns, rejects stored), as ingestion does."""
    cols = ", ".join(f"'{c}': 'VARCHAR'" for c in csv_header(path))
    return (
        f"read_csv('{path}', header = true, auto_detect = false, columns = {{{cols}}}, "
        f"delim = ',', quote = '\"', escape = '\"', store_rejects = true)"
    )


def valid_email(col: str) -> str:
    return f"coalesce(regexp_full_match(lower(trim({col})), '{EMAIL_RE}'), false)"


def ok_ts(col: str) -> str:
    return f"(try_cast({col} AS TIMESTAMPTZ) IS NOT NULL)"


class Inbox:
    """Counts, measured from the files, of everything the tests check."""

    def __init__(self, inbox: Path):
        self.inbox = inbox
        self.con = duckdb.connect()
        self.con.execute("SET TimeZone = 'UTC'")

    def files(self, source: str, pattern: str = "*") -> list[Path]:
        return sorted(p for p in (self.inbox / source).glob(pattern) if p.is_file())

    def q(self, sql: str):
        return self.con.execute(sql).fetchall()

    def one(self, sql: str):
        return self.con.execute(sql).fetchone()[0]

    def csv_rows(self, path: Path) -> tuple[str, int]:
        """(a relation name holding the readable rows, number of rejected lines)."""
        self.con.execute("DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans")
        name = "t_" + path.name.replace(".", "_").replace("-", "_")
        self.con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {read_csv_sql(path)}")
        rejected = self.one("SELECT count(DISTINCT line) FROM reject_errors")
        return name, rejected

    def json_rows(self, path: Path, columns: list[str]) -> str:
        name = "t_" + path.name.replace(".", "_").replace("-", "_")
        cols = ", ".join(f"'{c}': 'VARCHAR'" for c in columns)
        self.con.execute(
            f"CREATE OR REPLACE TABLE {name} AS SELECT row_number() OVER () AS rn, * FROM "
            f"read_json('{path}', format = 'newline_delimited', ignore_errors = true, "
            f"columns = {{{cols}}})"
        )
        return name


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    root = tmp_path_factory.mktemp("gen")
    calls = []
    summary = generate(
        root / "inbox",
        root / "generated" / "truth.parquet",
        leads=1500,
        days=365,
        seed=7,
        end_date=END,
        progress=lambda stage, done, total: calls.append((stage, done, total)),
    )
    return summary, root, calls


@pytest.fixture(scope="session")
def gen_inbox(generated) -> Inbox:
    _, root, _ = generated
    return Inbox(root / "inbox")
