"""Loading inbox files into ``raw.<source>``, one file per transaction.

For each file not seen before (by path, size and modification time, then by sha256):
sniff its kind, parse it in DuckDB into a staged table (the next file is staged on a
second connection while one loads), validate every row in SQL, insert good rows into
``raw.<table>`` and bad ones into ``raw._quarantine`` with their reason and text, record
drift and the file version in ``raw._files``, and commit. A file that cannot be read at
all is quarantined whole. A crash before the commit leaves nothing behind, so the next run
loads the file again from scratch.
"""

from __future__ import annotations

import gzip
import logging
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.ingest import readers, validate
from pipelines.ingest.catalog import ensure_raw_schema, existing_columns, quote_ident
from pipelines.ingest.detect import FileKind, UnreadableFile, detect, open_regular, sha256_of
from pipelines.ingest.fingerprint import content_fingerprint
from pipelines.ingest.inbox import InboxEntry, scan
from pipelines.privacy import suppression
from pipelines.project import paths
from pipelines.sources import Source

log = logging.getLogger(__name__)


@dataclass
class FileResult:
    path: str
    status: str  # loaded | quarantined | duplicate
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    reason: str | None = None
    extra_columns: list[str] = field(default_factory=list)


@dataclass
class SourceResult:
    source: str
    files: list[FileResult] = field(default_factory=list)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)

    @property
    def files_quarantined(self) -> int:
        return sum(f.status == "quarantined" for f in self.files)


def _known_versions(con: duckdb.DuckDBPyConnection, source: str) -> set[tuple]:
    """(path, size, modification time) of every file version already in the ledger and
    not unloaded since (`leadflow unload`, pipelines/unload.py)."""
    rows = con.execute(
        "SELECT path, size_bytes, modified_at FROM raw._files "
        "WHERE source = ? AND status <> 'unloaded'", [source]
    ).fetchall()
    return set(rows)


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.lstat().st_mtime, tz=UTC)


# Files are staged one ahead: while one file's rows go into the warehouse, the next one is
# parsed on a second connection of the same database into an in-memory database both
# connections see (two slots, used in turn). The profiler turns this off, to time every
# statement on one thread.
STAGE_AHEAD = True
STAGE_DB = "leadflow_stage"

# Each file is appended in its own transaction, so it ends in a part-filled row group, as
# each file read into a table of its own does. DuckDB's checkpoint would then merge those
# groups, rewriting every later group of the table (1-2 s for 2M rows); ingestion turns
# that merging off for its connection's database (a setting of the database, left set: a
# later checkpoint of the same database would do the merge otherwise).
NO_ROW_GROUP_MERGING = "SET max_vacuum_tasks = 0"


@dataclass
class _Staging:
    """One file as staged: its kind and rows, or what made it unreadable."""

    ns: str  # prefix of its staged tables
    kind: FileKind | None = None
    staged: readers.Staged | None = None
    problem: Exception | None = None
    fingerprint: str | None = None  # of its rows (pipelines/ingest/fingerprint.py)


def ingest_source(
    con: duckdb.DuckDBPyConnection,
    src: Source,
    inbox: Path,
    on_file: Callable[[FileResult], None] | None = None,
) -> SourceResult:
    """Load every new file of ``inbox/<source>/``; return what happened to each. Leaves
    row-group merging off on the connection's database (``NO_ROW_GROUP_MERGING``)."""
    ensure_raw_schema(con)
    con.execute(NO_ROW_GROUP_MERGING)
    folder = inbox / src.name
    result = SourceResult(src.name)
    known = _known_versions(con, src.name)
    todo: list[tuple[Path, str]] = []
    for entry in scan(folder):
        rel = entry.path.relative_to(inbox).as_posix()
        if (rel, entry.size, entry.modified_at) in known:
            continue
        if entry.is_regular:
            todo.append((entry.path, rel))
            continue
        result.files.append(file_result := _refuse(con, src, entry, rel))
        if on_file:
            on_file(file_result)
    with _stager(con, src, len(todo) > 1) as stage, ThreadPoolExecutor(max_workers=1) as pool:
        staging = [stage(todo[0][0], 0)] if todo else []
        for i, (path, rel) in enumerate(todo):
            if i + 1 < len(todo):
                staging.append(stage(todo[i + 1][0], i + 1))
            file_result = ingest_file(con, src, path, rel, pool, staging[i])
            result.files.append(file_result)
            if on_file:
                on_file(file_result)
    return result


@contextmanager
def _stager(con, src: Source, ahead: bool
            ) -> Iterator[Callable[[Path, int], Future[_Staging] | _Deferred]]:
    """A function staging the i-th file of a source: on a thread and a second connection
    when ``ahead`` (and STAGE_AHEAD), else right away in this thread's temp schema."""
    if not (ahead and STAGE_AHEAD):
        yield lambda path, i: _Deferred(lambda: _stage_file(con, src, path, "temp."))
        return
    con.execute(f"ATTACH IF NOT EXISTS ':memory:' AS {STAGE_DB}")
    stage_con = con.cursor()
    try:
        timezone = con.execute("SELECT current_setting('TimeZone')").fetchone()[0]
        stage_con.execute(f"SET TimeZone = '{timezone}'")
        with ThreadPoolExecutor(max_workers=1) as pool:
            yield lambda path, i: pool.submit(
                _stage_file, stage_con, src, path, f"{STAGE_DB}.s{i % 2}")
    finally:
        stage_con.close()
        for slot in (0, 1):
            readers.drop_temp(con, f"{STAGE_DB}.s{slot}")


class _Deferred:
    """Stands in for a future: staging done in this thread, when the result is asked for."""

    def __init__(self, work: Callable[[], _Staging]) -> None:
        self._work = work

    def result(self) -> _Staging:
        return self._work()


def _stage_file(con, src: Source, path: Path, ns: str) -> _Staging:
    staging = _Staging(ns)
    try:
        staging.kind = detect(path)
        staging.staged = _stage(con, src, path, staging.kind, ns)
        staging.fingerprint = content_fingerprint(con, staging.staged)
    except (UnreadableFile, duckdb.Error) as exc:
        staging.problem = exc
    return staging


@contextmanager
def _readable(path: Path, kind: FileKind) -> Iterator[Path]:
    """Parquet cannot be read through gzip: inflate such a file to a temp copy first."""
    if kind.format == "parquet" and kind.compression == "gzip":
        with tempfile.NamedTemporaryFile(suffix=".parquet") as tmp:
            try:
                with gzip.open(path, "rb") as f:
                    shutil.copyfileobj(f, tmp)
            except (OSError, EOFError) as exc:
                raise UnreadableFile(f"corrupt gzip: {exc}") from None
            tmp.flush()
            yield Path(tmp.name)
    else:
        yield path


def _stage(con, src: Source, path: Path, kind: FileKind, ns: str) -> readers.Staged:
    with _readable(path, kind) as readable:
        if kind.format == "jsonl":
            staged = readers.read_jsonl(con, readable, kind, ns)
        else:
            cols = (
                readers.csv_columns(readable, kind) if kind.format == "csv"
                else readers.parquet_columns(con, readable)
            )
            _check_required(src, {c.name for c in cols})
            if kind.format == "csv":
                staged = readers.read_csv(con, readable, kind, cols, ns)
            else:
                staged = readers.read_parquet(con, readable, cols, ns,
                                              validate.native_types(src))
    _check_required(src, {c.name for c in staged.columns})
    return staged


def _check_required(src: Source, present: set[str]) -> None:
    missing = [c for c in src.required if c not in present]
    if missing:
        raise UnreadableFile(f"missing required column(s): {', '.join(missing)}")


def _rebuilt_text(kind: FileKind, staged: readers.Staged) -> str:
    """SQL rebuilding a rejected row's text from its values, where the reader kept none."""
    names = [quote_ident(c.name) for c in staged.columns]
    if kind.format == "parquet":  # typed values shown as text, as the other values are
        fields = [f"{n} := CAST({n} AS VARCHAR)" if c.name in staged.native else f"{n} := {n}"
                  for c, n in zip(staged.columns, names, strict=True)]
        return "to_json(struct_pack(" + ", ".join(fields) + "))"
    delim = kind.delimiter.replace("'", "''")
    fields = [
        f"""CASE WHEN {n} IS NULL THEN '' WHEN regexp_matches({n}, '[{delim}"\\r\\n]')
            THEN '"' || replace({n}, '"', '""') || '"' ELSE {n} END"""
        for n in names
    ]
    return f"concat_ws('{delim}', " + ", ".join(fields) + ")"


def _set_aside(con, src: Source, staged: readers.Staged) -> None:
    """Evaluate validity once: the rejected rows (few) go to ``_bad`` with their reason and
    are flagged in the staged table, so the load takes every other row with a plain filter
    (an anti-join in an INSERT made DuckDB rewrite the inserted rows at the next checkpoint,
    in a test of our own). Runs before the file's transaction: the staged table may live in
    another database than the warehouse, and a transaction writes to one only."""
    present, native = {c.name for c in staged.columns}, staged.native
    # a row about an erased person (pipelines/privacy/suppression.py) goes first
    erased = suppression.erased_row_sql(con, src, present, paths().data) or "false"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _bad AS
        SELECT r.*, CASE WHEN {erased} THEN '{suppression.ERASED}'
                         WHEN NOT _parsed THEN 'unparseable JSON line'
                         WHEN {staged.problem} IS NOT NULL THEN {staged.problem}
                         ELSE {validate.reason(src, present, native)} END AS _reason
        FROM {staged.rows} r
        WHERE NOT (_parsed AND {staged.problem} IS NULL
                   AND {validate.valid(src, present, native)}) OR {erased}"""
    )
    con.execute(
        f"UPDATE {staged.table} SET _rejected = true WHERE rowid IN (SELECT _rid FROM _bad)")


def _load_rows(con, src: Source, file_id: int, rel: str, kind: FileKind,
               staged: readers.Staged) -> FileResult:
    present = {c.name for c in staged.columns}
    canonical = set(src.column_names)
    extras = [c.name for c in staged.columns if c.name not in canonical]
    have = set(existing_columns(con, src.table)) if extras else set()
    for extra in extras:
        if extra not in have:
            con.execute(f"ALTER TABLE raw.{src.table} ADD COLUMN {quote_ident(extra)} VARCHAR")
        con.execute(
            "INSERT INTO raw._schema_drift VALUES (?, ?, ?, ?, ?, now())",
            [src.name, src.table, extra, file_id, rel],
        )
    loaded = con.execute(
        f"""INSERT INTO raw.{src.table} BY NAME
        SELECT {validate.typed_select(src, present, extras, staged.native)},
               {file_id} AS _file_id, _row AS _row_number, now() AS _loaded_at
        FROM {staged.rows} WHERE NOT _rejected"""
    ).fetchone()[0]
    # an erased person's row is held without its text (pipelines/privacy/suppression.py)
    erased = f"reason = '{suppression.ERASED}'"
    if (named := suppression.erased_text_sql(con, paths().data, "original_text")) is not None:
        erased += f" OR {named}"
    quarantined = con.execute(
        f"""INSERT INTO raw._quarantine
        SELECT ?, {file_id}, ?, _row,
               CASE WHEN {erased} THEN '{suppression.ERASED}' ELSE reason END,
               CASE WHEN NOT ({erased}) THEN original_text END, now() FROM (
            SELECT _row, _reason AS reason,
                   coalesce({staged.original}, {_rebuilt_text(kind, staged)}) AS original_text
            FROM _bad r {staged.original_join}
            UNION ALL
            SELECT _row, reason, original_text FROM {staged.malformed})""",
        [src.name, rel],
    ).fetchone()[0]
    return FileResult(rel, "loaded", loaded + quarantined, loaded, quarantined, None, extras)


def _record(con, src: Source, file_id: int, path: Path, rel: str, sha: str,
            kind: FileKind | None, res: FileResult, fingerprint: str | None = None) -> None:
    con.execute(
        """INSERT INTO raw._files (file_id, source, path, sha256, size_bytes, modified_at,
            format, compression, rows_read, rows_loaded, rows_quarantined, status, reason,
            extra_columns, loaded_at, content_fingerprint)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), ?)""",
        [file_id, src.name, rel, sha, path.lstat().st_size, _mtime(path),
         kind.format if kind else None, kind.compression if kind else None,
         res.rows_read, res.rows_loaded, res.rows_quarantined, res.status, res.reason,
         res.extra_columns, fingerprint if res.status == "loaded" else None],
    )


def _next_file_id(con) -> int:
    return con.execute("SELECT coalesce(max(file_id), 0) + 1 FROM raw._files").fetchone()[0]


# the ledger's sha256 of an entry never read (a link or a special file)
NOT_READ = ""


def _duplicate_of(con, src: Source, sha: str, fingerprint: str | None) -> str | None:
    """The reason a file is a copy of one in the ledger (same bytes, or same rows), or None;
    a file unloaded since is no longer in the warehouse, so its copy loads."""
    row = con.execute(
        "SELECT path, sha256 = ? FROM raw._files WHERE source = ? "
        "AND status NOT IN ('duplicate', 'unloaded') "
        "AND (sha256 = ? OR content_fingerprint = ?) ORDER BY file_id LIMIT 1",
        [sha, src.name, sha, fingerprint],
    ).fetchone()
    if row is None:
        return None
    return f"same content as {row[0]}" if row[1] else f"same rows as {row[0]}"


def ingest_file(con, src: Source, path: Path, rel: str, pool: ThreadPoolExecutor,
                staging: Future[_Staging] | _Deferred) -> FileResult:
    """Load one file. Its parsing into staged tables happens first (``staging``; its sha256
    is computed meanwhile on another core); every write to the warehouse then happens in
    one transaction, so a crash at any point leaves either the whole file or none of it."""
    digest = pool.submit(sha256_of, path, inbox=True)
    try:
        staged_file = staging.result()
    except BaseException:
        digest.cancel()
        raise
    kind, staged, problem = staged_file.kind, staged_file.staged, staged_file.problem
    if staged is not None:
        try:
            _set_aside(con, src, staged)
        except duckdb.Error as exc:
            staged, problem = None, exc
    con.begin()
    try:
        file_id = _next_file_id(con)
        res: FileResult | None = None
        if staged is not None:
            try:
                res = _load_rows(con, src, file_id, rel, kind, staged)
                if res.rows_read == 0:
                    raise UnreadableFile("empty file (no data rows)")
            except (UnreadableFile, duckdb.Error) as exc:
                con.rollback()
                con.begin()
                res, problem = None, exc
        if res is None:
            res = _quarantine_file(con, src, file_id, rel, path, problem)
        try:
            sha = digest.result()
        except UnreadableFile as exc:  # replaced by a link or a pipe since the scan
            con.rollback()
            con.begin()
            res, sha = _quarantine_file(con, src, file_id, rel, path, exc), NOT_READ
        copy_of = _duplicate_of(con, src, sha, staged_file.fingerprint) \
            if sha != NOT_READ else None
        if copy_of is not None:
            con.rollback()
            con.begin()
            res = FileResult(rel, "duplicate", reason=copy_of)
        _record(con, src, file_id, path, rel, sha, kind, res, staged_file.fingerprint)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        readers.drop_temp(con, staged_file.ns)
    log.info("%s: %s %s (%d loaded, %d quarantined)%s", src.name, rel, res.status,
             res.rows_loaded, res.rows_quarantined, f": {res.reason}" if res.reason else "")
    return res


def _refuse(con, src: Source, entry: InboxEntry, rel: str) -> FileResult:
    """Record an entry that is never read (a link, a named pipe...): quarantined whole,
    with its reason and no text, and in the ledger with no content hash."""
    res = FileResult(rel, "quarantined", reason=entry.refusal)
    con.begin()
    try:
        file_id = _next_file_id(con)
        con.execute("INSERT INTO raw._quarantine VALUES (?, ?, ?, NULL, ?, NULL, now())",
                    [src.name, file_id, rel, entry.refusal])
        _record(con, src, file_id, entry.path, rel, NOT_READ, None, res)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    log.warning("%s: %s quarantined: %s", src.name, rel, entry.refusal)
    return res


def _quarantine_file(con, src: Source, file_id: int, rel: str, path: Path,
                     exc: Exception) -> FileResult:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, duckdb.Error):
        low = text.lower()
        text = ("corrupt gzip: " if "gzip" in low or "zlib" in low else "unreadable file: ") + text
    head = _file_head(path)
    # a file's first line that names an erased person is not kept (privacy/suppression.py)
    named = suppression.erased_text_sql(con, paths().data, "?")
    if head is not None and named is not None and con.execute(f"SELECT {named}", [head]
                                                              ).fetchone()[0]:
        head = None
    con.execute(
        "INSERT INTO raw._quarantine VALUES (?, ?, ?, NULL, ?, ?, now())",
        [src.name, file_id, rel, text, head],
    )
    return FileResult(rel, "quarantined", reason=text)


def _file_head(path: Path, limit: int = 2000) -> str | None:
    """The file's first line, as text, to show what the quarantined file looked like."""
    try:
        with open_regular(path) as raw:
            compressed = raw.read(2) == b"\x1f\x8b"
            raw.seek(0)
            with gzip.open(raw, "rb") if compressed else nullcontext(raw) as f:
                head = f.read(limit)
    except (OSError, EOFError, UnreadableFile):
        return None
    if b"\x00" in head:
        return None
    return head.decode("utf-8", errors="replace").split("\n", 1)[0]
