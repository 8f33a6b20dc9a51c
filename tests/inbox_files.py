"""Writing small inbox files in every supported format, for tests."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

FORMATS = ("csv", "jsonl", "parquet")


def write_rows(path: Path, rows: list[dict], fmt: str, gz: bool = False) -> Path:
    """Write ``rows`` (dicts of strings or None) as CSV, JSON Lines or Parquet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        columns = list(dict.fromkeys(k for r in rows for k in r))
        table = pa.table({c: [r.get(c) for r in rows] for c in columns})
        buf = io.BytesIO()
        pq.write_table(table, buf)
        data = buf.getvalue()
    elif fmt == "jsonl":
        data = "".join(json.dumps(r) + "\n" for r in rows).encode()
    else:
        columns = list(dict.fromkeys(k for r in rows for k in r))
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        data = out.getvalue().encode()
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    return path


def write_text(path: Path, text: str, gz: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode()
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    return path


def form(i: int, **overrides) -> dict:
    row = {
        "submission_id": f"s{i}",
        "submitted_at": f"2025-03-{1 + i % 28:02d}T10:{i % 60:02d}:00Z",
        "email": f"person{i}@acme{i % 3}.com",
        "form_id": "demo-request",
        "first_name": f"Ann{i}",
        "country": "DE",
        "consent_marketing": "true",
    }
    row.update(overrides)
    return row


def web_event(i: int, **overrides) -> dict:
    row = {
        "event_id": f"e{i}",
        "occurred_at": f"2025-03-01T10:00:{i % 60:02d}+02:00",
        "anonymous_id": f"anon{i % 5}",
        "event_type": "page",
        "url": "https://www.example.com/pricing",
        "email": None,
    }
    row.update(overrides)
    return row
