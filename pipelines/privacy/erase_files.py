"""Erasing people from the files under the data directory (and the inbox, wherever it is):
inbox files and any copy of them, segment exports, report tables, the generator's truth
file. A CSV, JSON Lines or Parquet file (gzip or not) is rewritten without the rows that
name a person, other rows kept as they were; a report folder whose page names them is
rendered again from the warehouse (pipelines/report/build.py); any other file that names
them is reported as not erased. An inbox file rewritten gets its ledger entry
(``raw._files``: sha256, size, modification time, content fingerprint) updated, so the
next run does not take it for a new file.

A row names a person when a cell holds an address of theirs in any spelling (the dbt
person key, pipelines/privacy/suppression.py), their lead_id, or one of their stitched
visitors' ids."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import os
import re
import tempfile
import zlib
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import duckdb

from pipelines.dbt_target import warehouse_dbt_dir
from pipelines.privacy import suppression
from pipelines.privacy.people import Person
from pipelines.project import LeadflowPaths

GZIP_MAGIC, PARQUET_MAGIC = b"\x1f\x8b", b"PAR1"
_EMAIL = re.compile(suppression.EMAIL_TOKEN)
_HEX32 = re.compile(r"[0-9a-f]{32}")
_TOKEN = re.compile(r"[^\s,;|\"'<>()\[\]{}=&?/#:]+")
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")


class Matcher:
    """Which people a piece of text names."""

    def __init__(self, people: Iterable[Person]) -> None:
        self.keys, self.leads, self.visitors = {}, {}, {}
        for p in people:
            self.keys[p.key] = p.person_hash
            self.leads[p.lead_id] = p.person_hash
            self.visitors.update({a: p.person_hash for a in p.anonymous_ids})
        self.domains = {("@" + k.split("@", 1)[1]) for k in self.keys}

    def could_name(self, low: str) -> bool:
        """Cheap test on a whole lower-cased text: False means it names nobody."""
        return (any(d in low for d in self.domains) or any(x in low for x in self.leads)
                or any(v in low for v in self.visitors))

    def who(self, text: str) -> set[str]:
        low = text.lower()
        if not self.could_name(low):
            return set()
        found = {self.keys[k] for t in _EMAIL.findall(low)
                 if (k := suppression.normalise(t)) in self.keys}
        found |= {self.leads[h] for h in _HEX32.findall(low) if h in self.leads}
        found |= {self.visitors[t] for t in _TOKEN.findall(low) if t in self.visitors}
        return found


class CorruptGzip(ValueError):
    """A gzip file that ends early or is damaged: only its readable start is known."""


def _inflate(raw: bytes) -> tuple[bytes, bool]:
    """The content of gzip bytes, and whether it was whole (a damaged file: what can be read)."""
    try:
        return gzip.decompress(raw), True
    except (EOFError, OSError, zlib.error):
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            return inflater.decompress(raw), False
        except zlib.error:
            return b"", False


def _read(path: Path, strict: bool = False) -> tuple[bytes, bool]:
    """The file's content (gzip opened) and whether it was gzip; ``strict``: a damaged
    gzip file raises :class:`CorruptGzip` instead of giving its readable start."""
    raw = path.read_bytes()
    if raw[:2] == GZIP_MAGIC:
        data, whole = _inflate(raw)
        if strict and not whole:
            raise CorruptGzip(f"damaged gzip file, {len(data):,} bytes readable")
        return data, True
    return raw, False


def _write(path: Path, data: bytes, gz: bool) -> None:
    """Replace ``path`` atomically, keeping its permissions."""
    mode = path.stat().st_mode & 0o777
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(gzip.compress(data, mtime=0) if gz else data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    return max((",", ";", "\t", "|"), key=header.count)


def _without_csv(text: str, matcher: Matcher, removed: Counter) -> tuple[str, int]:
    delim = _delimiter(text)
    ending = "\r\n" if "\r\n" in text else "\n"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delim, lineterminator=ending)
    kept = 0
    for i, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delim)):
        who = set().union(*(matcher.who(c) for c in row)) if i else set()
        if who:
            removed.update(who)
            continue
        writer.writerow(row)
        kept += i > 0
    return out.getvalue(), kept


def _without_jsonl(text: str, matcher: Matcher, removed: Counter) -> tuple[str, int]:
    kept_lines = []
    for line in text.splitlines(keepends=True):
        who = matcher.who(line)
        if not who:
            try:
                values = json.loads(line).values() if line.strip() else ()
            except (ValueError, AttributeError):
                values = ()
            who = {matcher.visitors[v.strip().lower()] for v in values
                   if isinstance(v, str) and v.strip().lower() in matcher.visitors}
        if who:
            removed.update(who)
        else:
            kept_lines.append(line)
    return "".join(kept_lines), sum(bool(x.strip()) for x in kept_lines)


def _without_parquet(path: Path, data: bytes, matcher: Matcher, removed: Counter
                     ) -> tuple[bytes, int] | None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(io.BytesIO(data))
    keep = []
    for row in table.to_pylist():
        who = set().union(*(matcher.who(v) for v in row.values() if isinstance(v, str)))
        removed.update(who)
        keep.append(not who)
    if all(keep):
        return None
    out = io.BytesIO()
    pq.write_table(table.filter(pa.array(keep)), out)
    return out.getvalue(), sum(keep)


def rewrite(path: Path, matcher: Matcher) -> tuple[Counter, str | None]:
    """Rewrite one file without the people's rows: (rows removed per person hash, why it
    could not be rewritten or None). Untouched when it names nobody."""
    data, gz = _read(path)
    removed: Counter = Counter()
    name = path.name.lower().removesuffix(".gz")
    if gz and not _inflate(path.read_bytes())[1]:  # damaged: rewritten only if it names them
        if matcher.who(data.decode("utf-8", errors="replace")):
            return removed, (f"file {path}: a damaged gzip file naming the person: delete it "
                             "(it cannot be loaded either)")
        return removed, None
    if data[:4] == PARQUET_MAGIC:
        result = _without_parquet(path, data, matcher, removed)
        if result is not None:
            _write(path, result[0], gz)
        return removed, None
    text = data.decode("utf-8", errors="surrogateescape")
    if not matcher.could_name(text.lower()) or not matcher.who(text):
        return removed, None
    if name.endswith(CSV_SUFFIXES):
        new, _ = _without_csv(text, matcher, removed)
    elif name.endswith(JSONL_SUFFIXES):
        new, _ = _without_jsonl(text, matcher, removed)
    else:
        return removed, f"file {path}: names the person and is not a table Leadflow " \
            "can rewrite"
    _write(path, new.encode("utf-8", errors="surrogateescape"), gz)
    return removed, None


def _skipped(where: LeadflowPaths) -> set[Path]:
    wh = where.warehouse
    return {wh, wh.with_name(wh.name + ".wal"), wh.with_name(wh.name + ".lock"),
            wh.with_name(wh.name + ".rewrite"), warehouse_dbt_dir(wh), where.duckdb_temp,
            suppression.key_path(where.data).parent, where.data / "dagster"}


def data_files(where: LeadflowPaths) -> list[Path]:
    """Every regular file under the data directory and the inbox, but the warehouse's own
    files, its temp folder, dbt's folder (compiled SQL, parses, logs: no rows), the erasure
    key and Dagster's storage (scanned on its own)."""
    skip = _skipped(where)
    found = set()
    for top in (where.data, where.inbox):
        if not top.is_dir():
            continue
        for folder, dirs, files in os.walk(top):
            here = Path(folder)
            dirs[:] = [d for d in dirs if here / d not in skip]
            found |= {here / f for f in files if here / f not in skip
                      and (here / f).is_file() and not (here / f).is_symlink()}
    return sorted(found)


def erase_files(where: LeadflowPaths, people: list[Person]
                ) -> tuple[dict[str, dict[str, int]], list[str]]:
    """Rewrite the files that name the people. (person hash -> {file: rows removed},
    problems), the files named relative to the data directory (or the inbox). An inbox
    file's ledger entry is updated right after its rewrite, so an erasure stopped midway
    leaves no rewritten file that the next run would take for a new one."""
    matcher = Matcher(people)
    per_person: dict[str, dict[str, int]] = {p.person_hash: {} for p in people}
    problems, reports = [], set()
    con = open_duckdb_for(where)
    try:
        for path in data_files(where):
            if path.is_relative_to(where.reports) and path.name.endswith((".html", ".csv")):
                if matcher.could_name(_read(path)[0].decode("utf-8", "replace").lower()):
                    reports.add(path.parent)
                continue
            try:
                removed, problem = rewrite(path, matcher)
            except (OSError, ValueError, EOFError, csv.Error) as exc:
                removed, problem = Counter(), f"file {path}: could not be rewritten: {exc}"
            if problem:
                problems.append(problem)
            if not removed:
                continue
            if path.is_relative_to(where.inbox):
                update_ledger(con, where.inbox, path)
            shown = _shown(where, path)
            for person_hash, n in removed.items():
                per_person[person_hash][shown] = n
        for folder in sorted(reports):
            problems += _render_report_again(con, where, folder, matcher, per_person)
    finally:
        con.close()
    return per_person, problems


def _shown(where: LeadflowPaths, path: Path) -> str:
    """A file as the certificate names it: relative to the data directory, or the inbox."""
    if path.is_relative_to(where.data):
        return path.relative_to(where.data).as_posix()
    if path.is_relative_to(where.inbox):
        return "inbox:" + path.relative_to(where.inbox).as_posix()
    return str(path)


def open_duckdb_for(where: LeadflowPaths) -> duckdb.DuckDBPyConnection:
    from pipelines.resources import open_duckdb

    return open_duckdb(where.warehouse)


def update_ledger(con: duckdb.DuckDBPyConnection, inbox: Path, path: Path) -> None:
    """The latest ledger entry of a rewritten inbox file now describes the rewritten file
    (sha256, size, modification time, content fingerprint), so the next run skips it."""
    from pipelines.ingest import loader
    from pipelines.ingest.detect import sha256_of
    from pipelines.ingest.readers import drop_temp
    from pipelines.sources import SOURCES

    rel = path.relative_to(inbox).as_posix()
    source = rel.split("/", 1)[0]
    src = SOURCES.get(source)
    fingerprint = None
    if src is not None:
        staged = loader._stage_file(con, src, path, "temp.")  # the loader's own fingerprint
        fingerprint = staged.fingerprint
        drop_temp(con, "temp.")
    info = path.stat()
    con.execute(
        "UPDATE raw._files SET sha256 = ?, size_bytes = ?, modified_at = ?, "
        "content_fingerprint = coalesce(?, content_fingerprint) WHERE file_id = "
        "(SELECT max(file_id) FROM raw._files WHERE source = ? AND path = ?)",
        [sha256_of(path), info.st_size, dt.datetime.fromtimestamp(info.st_mtime, tz=dt.UTC),
         fingerprint, source, rel])


def _render_report_again(con, where: LeadflowPaths, folder: Path, matcher: Matcher,
                         per_person: dict[str, dict[str, int]]) -> list[str]:
    """Render a report folder (its page and tables) again from the erased warehouse."""
    from pipelines.report.build import build_report

    names = Counter()
    for f in folder.iterdir():
        if f.is_file():
            names.update(matcher.who(_read(f)[0].decode("utf-8", "replace")))
    try:
        report_date = dt.date.fromisoformat(folder.name)
        build_report(con, where.reports, report_date)
    except (ValueError, duckdb.Error) as exc:
        return [f"report {folder}: could not be rendered again: {exc}"]
    shown = _shown(where, folder) + "/ (rendered again)"
    for person_hash in names:
        per_person[person_hash][shown] = 0
    left = [f for f in folder.iterdir() if f.is_file()
            and matcher.who(_read(f)[0].decode("utf-8", "replace"))]
    return [f"file {f}: still names the person after the report was rendered again"
            for f in left]


def scan(where: LeadflowPaths, people: list[Person], extra: Iterable[Path] = ()
         ) -> dict[str, list[str]]:
    """person hash -> files under the data directory that still name them (gzip opened;
    Parquet read), with ``extra`` files (Dagster's storage) scanned as bytes."""
    matcher = Matcher(people)
    found: dict[str, list[str]] = {}
    for path in [*data_files(where), *extra]:
        try:
            data, _ = _read(path)
        except OSError:
            continue
        if data[:4] == PARQUET_MAGIC:
            import pyarrow.parquet as pq

            try:
                text = "\n".join(str(r) for r in pq.read_table(io.BytesIO(data)).to_pylist())
            except Exception:  # noqa: BLE001 - an unreadable Parquet file is scanned as bytes
                text = data.decode("latin-1")
        else:
            text = data.decode("utf-8", errors="replace")
        for person_hash in matcher.who(text):
            found.setdefault(person_hash, []).append(str(path))
    return found
