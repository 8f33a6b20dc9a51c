"""Writing files: Arrow tables are formatted and written by DuckDB ``COPY`` on one
background thread (so that numpy generation of the next chunk overlaps with formatting
and gzip compression), with at most a couple of chunks queued to bound memory.

Also the SQL snippets that render timestamps in the styles real exports use.
"""

from __future__ import annotations

import logging
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from .core import sql_str

log = logging.getLogger(__name__)

FORMATS = {
    "csv": "FORMAT csv, HEADER true",
    "csv.gz": "FORMAT csv, HEADER true, COMPRESSION gzip",
    "jsonl": "FORMAT json",
    "parquet": "FORMAT parquet, COMPRESSION zstd",
}
# "jsonl.gz" is rendered by DuckDB (to_json, identical to COPY's JSON lines) and
# compressed with zlib: several times faster than COPY's own gzip writer.
GZIP_LEVEL = 3
BATCH_ROWS = 100_000

# fmt codes of a timestamp column
TS_Z, TS_NAIVE, TS_OFFSET, TS_PLUS_ZERO = 0, 1, 2, 3


def ts_sql(
    ts: str = "ts", fmt: str = "fmt", off: str = "off", bad: str = "bad", millis: bool = False
) -> str:
    """SQL rendering an instant ``ts`` (UTC TIMESTAMP) as ISO-8601 text in the style
    ``fmt``: 0 ``...Z``, 1 naive UTC ``YYYY-MM-DD HH:MM:SS``, 2 local time with the
    offset ``off`` (minutes), 3 ``...+00:00``. A non-null ``bad`` replaces the value."""
    secs = "%Y-%m-%dT%H:%M:%S" + (".%g" if millis else "")
    sign = f"CASE WHEN {off} < 0 THEN '-' ELSE '+' END"
    hh = f"lpad((abs({off}) // 60)::VARCHAR, 2, '0')"
    mm = f"lpad((abs({off}) % 60)::VARCHAR, 2, '0')"
    return (
        f"CASE WHEN {bad} IS NOT NULL THEN {bad} "
        f"WHEN {fmt} = 0 THEN strftime({ts}, '{secs}Z') "
        f"WHEN {fmt} = 1 THEN strftime({ts}, '%Y-%m-%d %H:%M:%S') "
        f"WHEN {fmt} = 3 THEN strftime({ts}, '{secs}') || '+00:00' "
        f"ELSE strftime({ts} + to_minutes({off}), '{secs}') || {sign} || {hh} || ':' || {mm} END"
    )


def _text_bytes(arr: pa.Array) -> bytes | memoryview:
    """The concatenated values of a string array without nulls, zero-copy when possible."""
    if len(arr) == 0:
        return b""
    if arr.null_count == 0 and (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        width = 8 if pa.types.is_large_string(arr.type) else 4
        offsets = np.frombuffer(
            arr.buffers()[1],
            dtype=np.int64 if width == 8 else np.int32,
            count=len(arr) + 1,
            offset=arr.offset * width,
        )
        return memoryview(arr.buffers()[2])[int(offsets[0]) : int(offsets[-1])]
    return "".join(arr.to_pylist()).encode("utf-8")


class Writer:
    """Queue of COPY jobs executed in order on a single background thread."""

    def __init__(self, max_pending: int = 3, threads: int = 2):
        self._con = duckdb.connect()
        self._con.execute(f"SET threads = {threads}")
        self._con.execute("SET preserve_insertion_order = true")
        self._con.execute("SET enable_progress_bar = false")
        self._con.execute("SET memory_limit = '512MB'")
        self._con.execute("SET TimeZone = 'UTC'")
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="leadflow-writer")
        self._zip = ThreadPoolExecutor(max_workers=1, thread_name_prefix="leadflow-gzip")
        self._pending: deque[Future] = deque()
        self._max_pending = max_pending
        self._lock = threading.Lock()
        self._n = 0

    def submit(
        self,
        path: Path,
        table: pa.Table,
        select_sql: str,
        fmt: str,
        post: Callable[[Path], None] | None = None,
    ) -> None:
        """Write ``select_sql`` (which reads the table as ``{src}``) to ``path``."""
        while len(self._pending) >= self._max_pending:
            self._pending.popleft().result()
        self._n += 1
        name = f"chunk_{self._n}"
        self._pending.append(
            self._pool.submit(self._copy, name, path, table, select_sql, fmt, post)
        )

    def _copy(self, name, path, table, select_sql, fmt, post):
        """Write to a hidden temporary file and rename it when complete, so that a file
        sensor watching the inbox never sees a half-written file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        started = time.perf_counter()
        self._con.register(name, table)
        try:
            sql = select_sql.format(src=name)
            if fmt == "jsonl.gz":
                self._json_gzip(sql, tmp)
            else:
                self._con.execute(f"COPY ({sql}) TO {sql_str(str(tmp))} ({FORMATS[fmt]})")
        finally:
            self._con.unregister(name)
        if post is not None:
            post(tmp)
        tmp.replace(path)
        log.debug(
            "wrote %s (%d rows) in %.2fs", path, table.num_rows, time.perf_counter() - started
        )

    def _json_gzip(self, sql: str, path: Path) -> None:
        """DuckDB renders JSON lines batch by batch while another thread compresses."""
        reader = self._con.sql(
            f"SELECT to_json(q) || chr(10) AS j FROM ({sql}) q"
        ).fetch_record_batch(BATCH_ROWS)
        z = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)  # 31: gzip container, mtime 0
        queued: deque = deque()
        with open(path, "wb") as f:
            for batch in reader:
                column = batch.column(0)
                queued.append((self._zip.submit(z.compress, _text_bytes(column)), column))
                while len(queued) > 2:
                    f.write(queued.popleft()[0].result())
            while queued:
                f.write(queued.popleft()[0].result())
            f.write(z.flush())

    def wait(self) -> None:
        while self._pending:
            self._pending.popleft().result()

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self._pool.shutdown(wait=True)
            self._zip.shutdown(wait=True)
            self._con.close()
