"""The dirt real exports carry: kinds, rates, a ledger counting what was injected, and the
helpers that corrupt values, lines and whole files.

Row-level dirt in the entity sources (forms, crm_deals) is injected as *extra* rows
(re-submissions, re-exports), so every person keeps at least one clean form row and
every deal state stays intact; in the event sources (web, email, crm_activities, spend)
a few existing rows are corrupted. Malformed lines are extra copies of real lines, broken.
"""

from __future__ import annotations

import csv
import io
import shutil
import threading
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

DUPLICATE_PERSON = "duplicate_person"  # a known person submits a form again
EMAIL_VARIANT = "email_variant"  # form e-mail differs from canonical by case/space
INVALID_EMAIL = "invalid_email"  # form e-mail fails validation
BAD_TIMESTAMP = "bad_timestamp"  # timestamp that is not ISO-8601
MISSING_REQUIRED = "missing_required"  # empty value in a required column
WRONG_TYPE = "wrong_type"  # e.g. amount "12k", cost "n/a"
UNKNOWN_VALUE = "unknown_value"  # value outside a documented domain
MALFORMED_LINE = "malformed_line"  # wrong field count, unclosed quote, cut JSON
LATE_ARRIVING = "late_arriving"  # event days older than the rest of its file
DUPLICATE_EVENT = "duplicate_event"  # same event_id delivered twice
SCHEMA_DRIFT_FILE = "schema_drift_file"  # file with extra columns
MISSING_COLUMN_FILE = "missing_column_file"  # file without a required column
EMPTY_FILE = "empty_file"  # 0-byte file
CORRUPT_GZIP_FILE = "corrupt_gzip_file"  # truncated .gz

KINDS = (
    DUPLICATE_PERSON,
    EMAIL_VARIANT,
    INVALID_EMAIL,
    BAD_TIMESTAMP,
    MISSING_REQUIRED,
    WRONG_TYPE,
    UNKNOWN_VALUE,
    MALFORMED_LINE,
    LATE_ARRIVING,
    DUPLICATE_EVENT,
    SCHEMA_DRIFT_FILE,
    MISSING_COLUMN_FILE,
    EMPTY_FILE,
    CORRUPT_GZIP_FILE,
)

# rates per row of the source (the first chunk always gets at least one of each)
RATES = {
    "forms": {
        INVALID_EMAIL: 0.003,
        BAD_TIMESTAMP: 0.001,
        MISSING_REQUIRED: 0.0005,
        MALFORMED_LINE: 0.0003,
        "double_submit": 0.004,
    },
    "web": {
        BAD_TIMESTAMP: 0.001,
        MISSING_REQUIRED: 0.0002,
        DUPLICATE_EVENT: 0.0008,
        LATE_ARRIVING: 0.0003,
    },
    "email": {
        BAD_TIMESTAMP: 0.001,
        MISSING_REQUIRED: 0.0002,
        DUPLICATE_EVENT: 0.001,
        LATE_ARRIVING: 0.0003,
        UNKNOWN_VALUE: 0.0005,
        MALFORMED_LINE: 0.000002,
    },
    "crm_deals": {
        BAD_TIMESTAMP: 0.001,
        WRONG_TYPE: 0.003,
        MISSING_REQUIRED: 0.001,
        MALFORMED_LINE: 0.0005,
    },
    "crm_activities": {UNKNOWN_VALUE: 0.002, MISSING_REQUIRED: 0.0005},
    "spend": {
        BAD_TIMESTAMP: 0.001,
        WRONG_TYPE: 0.002,
        MISSING_REQUIRED: 0.001,
        MALFORMED_LINE: 0.0002,
    },
}

BAD_TIMESTAMPS = (
    "2025-13-45 25:61:00",
    "yesterday",
    "31/02/2025 10:00",
    "0000-00-00 00:00:00",
    "2024-02-30T10:00:00Z",
    "12/03/2025 14:22",
    "NaN",
    "20250304",
    "TBD",
)
BAD_DATES = ("2025-02-30", "31.12.2024", "yesterday", "2025-13-01")
BAD_AMOUNTS = ("12k", "TBD", "$5,000", "12.500,00 €", "n/a", "~20000")
BAD_COSTS = ("n/a", "1.2k", "-", "error")
BAD_COUNTS = ("1.2k", "n/a", "1,204")
JUNK_EMAILS = ("n/a", "", "test", "none", "asdf", "-", "noemail")


class Ledger:
    """Counts injected dirt per source and kind, and spreads row-rate quotas over chunks."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: defaultdict[str, Counter] = defaultdict(Counter)
        self._carry: dict[tuple[str, str], float] = {}

    def quota(self, source: str, kind: str, n_rows: int) -> int:
        """Rows of ``kind`` to inject into a chunk of ``n_rows`` rows (error diffusion,
        starting with a full unit so that the first chunk always gets one)."""
        if n_rows <= 0:
            return 0
        c = self._carry.get((source, kind), 1.0) + RATES[source][kind] * n_rows
        k = min(int(c), n_rows)
        self._carry[(source, kind)] = c - k
        return k

    def add(self, source: str, kind: str, k: int = 1) -> None:
        if k:
            with self._lock:
                self.counts[source][kind] += int(k)

    def totals(self) -> dict[str, int]:
        out: Counter = Counter()
        for per in self.counts.values():
            out.update(per)
        return {k: out.get(k, 0) for k in KINDS}


def pick(rng: np.random.Generator, n: int, k: int, lo: int = 0) -> np.ndarray:
    """``k`` distinct sorted positions in [lo, n)."""
    lo = min(lo, max(0, n - k))
    k = min(k, n - lo)
    return (
        np.sort(rng.choice(np.arange(lo, n), size=k, replace=False)) if k > 0 else np.zeros(0, int)
    )


def pick_disjoint(rng: np.random.Generator, n: int, ks: list[int], lo: int = 0) -> list[np.ndarray]:
    """Disjoint sorted position sets of sizes ``ks`` in [lo, n), so no row carries two kinds."""
    allpos = rng.permutation(pick(rng, n, sum(ks), lo))
    out, at = [], 0
    for k in ks:
        out.append(np.sort(allpos[at : at + k]))
        at += k
    return out


def invalid_email(email: str, r: float) -> str:
    """A realistic invalid spelling of ``email`` (typo, cut domain) or junk, by ``r`` in [0,1)."""
    local, _, domain = email.strip().partition("@")
    variants = (
        f"{local}@{domain.split('.')[0]}",
        f"{local}@@{domain}",
        f"{local} {domain}",
        f"{local}@{domain.replace('.', ',', 1)}",
        f"{local}@",
        f"@{domain}",
        f"{local}@{domain}.",
        f"{local}.{domain}",
    )
    options = variants + JUNK_EMAILS
    return options[int(r * len(options)) % len(options)]


def _csv_fields(line: bytes) -> list[str]:
    return next(csv.reader(io.StringIO(line.decode("utf-8").rstrip("\r\n"))))


def _raw(fields: list[str]) -> bytes:
    return (",".join(fields) + "\n").encode("utf-8")


def csv_extra_field(line: bytes, column: int) -> bytes:
    """The row again with an unquoted comma inside one value (one field too many)."""
    f = _csv_fields(line)
    f = [x.replace(",", " ").replace('"', "") for x in f]
    f[column] = (f[column] or "Smith") + ", Jones & Partners"
    return _raw(f)


def csv_missing_fields(line: bytes) -> bytes:
    """The row again with its last two fields cut off (an export cut short)."""
    f = [x.replace(",", " ").replace('"', "") for x in _csv_fields(line)]
    return _raw(f[:-2])


def csv_unclosed_quote(line: bytes, column: int) -> bytes:
    """The row again with a value that opens a quote and never closes it."""
    f = [x.replace(",", " ").replace('"', "") for x in _csv_fields(line)]
    f[column] = '"' + (f[column] or "O'Neil")
    return _raw(f)


def json_truncated(line: bytes) -> bytes:
    """The JSON line cut inside a string value (a truncated write)."""
    text = line.rstrip(b"\n")
    cut = text.find(b'"occurred_at":"')
    cut = cut + 22 if cut >= 0 else len(text) // 2
    return text[:cut] + b"\n"


def insert_lines(path: Path, fractions: list[float], make_line, append: bytes | None = None) -> int:
    """Insert, after the line found at each relative byte position, a broken copy of that
    line (``make_line(line) -> bytes``); optionally append a final line. Returns lines added."""
    size = path.stat().st_size
    inserts: list[tuple[int, bytes]] = []
    with open(path, "rb") as f:
        for frac in sorted(fractions):
            f.seek(int(size * frac))
            f.readline()
            line = f.readline()
            if not line.endswith(b"\n"):  # ran off the end: use the first data row
                f.seek(0)
                f.readline()
                line = f.readline()
            if line.endswith(b"\n"):
                inserts.append((f.tell(), make_line(line)))
        inserts.sort(key=lambda x: x[0])
    tmp = path.with_name(path.name + ".tmp")
    with open(path, "rb") as src, open(tmp, "wb") as dst:
        pos = 0
        for at, new in inserts:
            _copy_n(src, dst, at - pos)
            dst.write(new)
            pos = at
        shutil.copyfileobj(src, dst, 1 << 20)
        if append is not None:
            dst.write(append)
    tmp.replace(path)
    return len(inserts) + (append is not None)


def _copy_n(src, dst, n: int) -> None:
    while n > 0:
        block = src.read(min(n, 1 << 20))
        if not block:
            break
        dst.write(block)
        n -= len(block)


def truncate_file(path: Path, keep: float = 0.55) -> None:
    """Cut a (gzip) file, leaving a corrupt stream."""
    data = path.read_bytes()
    path.write_bytes(data[: max(20, int(len(data) * keep))])
