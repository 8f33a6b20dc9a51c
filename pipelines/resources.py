"""Dagster resources: the DuckDB warehouse (one writer at a time) and the inbox."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import dagster as dg
import duckdb


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse for writing."""


# The writer locks this process holds (resolved lock path -> its open file and guardian).
# A run takes the lock once for all its steps (`leadflow run`), and the steps' own
# `connect()` and `writer()` then find it held here and go on: the lock is one per process,
# not per thread (Dagster's in-process executor runs one step at a time).
_HELD: dict[Path, _Holding] = {}


class _Holding:
    def __init__(self, handle) -> None:
        self.handle = handle
        self.guard = None

    def guard_children(self) -> None:
        """From now on, processes this one starts end when it dies (pipelines/processes.py)."""
        from pipelines import processes

        if self.guard is None and processes.supported():
            self.guard = processes.ChildGuard(self.handle.fileno())

    def release(self) -> None:
        try:
            if self.guard is not None:
                self.guard.stop()
        finally:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()


def _holder(handle) -> str:
    handle.seek(0)
    pid = handle.read().strip()
    return f" (pid {pid})" if pid.isdigit() else ""


@contextmanager
def warehouse_lock(lock_path: Path, *, guard_children: bool = False,
                   on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold an exclusive advisory lock beside the warehouse file for the duration.

    Busy: raise :class:`WarehouseBusy` at once with a one-line reason, or, given
    ``on_wait``, tell it that one line and wait. Already held by this process: go on
    under that hold. ``guard_children``: the processes started meanwhile (dbt) die with
    this one, and the lock is held until they have (pipelines/processes.py)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    key = lock_path.resolve()
    if key in _HELD:
        if guard_children:
            _HELD[key].guard_children()
        yield
        return
    handle = open(lock_path, "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        busy = f"another Leadflow run{_holder(handle)} is writing the warehouse (lock {lock_path})"
        if on_wait is None:
            handle.close()
            raise WarehouseBusy(busy) from None
        on_wait(f"{busy}: waiting for it to end")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
        except BaseException:
            handle.close()
            raise
    holding = _HELD[key] = _Holding(handle)
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        if guard_children:
            holding.guard_children()
        yield
    finally:
        del _HELD[key]
        holding.release()


def open_duckdb(path: Path, *, read_only: bool = False, memory_limit: str | None = None,
                temp_dir: Path | None = None, threads: int | None = None
                ) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with Leadflow's session settings (UTC, no extension downloads)."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(
        str(path), read_only=read_only, config={"autoinstall_known_extensions": "false"}
    )
    con.execute("SET TimeZone = 'UTC'")
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if temp_dir is not None:
        temp_dir.mkdir(parents=True, exist_ok=True)
        con.execute(f"SET temp_directory = '{temp_dir.as_posix()}'")
    return con


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file. ``connect()`` takes the writer lock first, so two runs
    never write at once; read-only connections do not take it."""

    path: str
    memory_limit: str = "3GB"
    threads: int | None = None

    @property
    def file(self) -> Path:
        return Path(self.path)

    @property
    def lock_file(self) -> Path:
        return self.file.with_name(self.file.name + ".lock")

    @contextmanager
    def writer(self) -> Iterator[None]:
        """Hold the writer lock without a connection, for a child process that opens its
        own (dbt): it dies with this process, and the lock is held until it has."""
        with warehouse_lock(self.lock_file, guard_children=True):
            yield

    @contextmanager
    def read_while_idle(self) -> Iterator[duckdb.DuckDBPyConnection | None]:
        """A read-only connection while no run writes the warehouse, else None: for a
        process that only observes (the inbox sensor). It holds the writer lock while it
        reads (milliseconds), so a run is never refused by DuckDB's own file lock; a
        missing warehouse file, or one another program holds open for writing, gives None
        too."""
        if not self.file.exists():
            yield None
            return
        hold = ExitStack()
        try:
            hold.enter_context(warehouse_lock(self.lock_file))
        except WarehouseBusy:
            yield None
            return
        with hold:
            try:
                con = open_duckdb(self.file, read_only=True)
            except duckdb.IOException:  # held for writing by a program that takes no lock
                con = None
            try:
                yield con
            finally:
                if con is not None:
                    con.close()

    @contextmanager
    def built(self, *, read_only: bool = False, owns: Iterable[str] = (),
              prepare: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
              ) -> Iterator[duckdb.DuckDBPyConnection]:
        """The warehouse dbt built, for a step that reads it and writes ``owns``: this
        DuckDB file, or on the Spark engine a working copy of the Spark warehouse whose
        owned tables go back to Spark when the step succeeds
        (pipelines/spark_warehouse.py). ``prepare`` (the step's DDL, creating its tables
        where missing) runs first on either engine, unless ``read_only``."""
        from pipelines.engine import on_spark

        if not on_spark():
            with self.connect(read_only=read_only) as con:
                if prepare is not None and not read_only:
                    prepare(con)
                yield con
            return
        from pipelines.spark_warehouse import working_copy

        hold = ExitStack()
        if not read_only:
            hold.enter_context(warehouse_lock(self.lock_file))
        with hold, working_copy(owns=() if read_only else owns,
                                prepare=None if read_only else prepare) as con:
            yield con

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        if read_only:
            con = open_duckdb(self.file, read_only=True)
            try:
                yield con
            finally:
                con.close()
            return
        with warehouse_lock(self.lock_file):
            con = open_duckdb(self.file, memory_limit=self.memory_limit,
                              temp_dir=self.file.parent / "tmp", threads=self.threads)
            try:
                yield con
            finally:
                con.close()


class InboxResource(dg.ConfigurableResource):
    """Where source files are dropped: ``<path>/<source>/``."""

    path: str

    @property
    def folder(self) -> Path:
        return Path(self.path)


class AlertsResource(dg.ConfigurableResource):
    """Where lead alerts go (pipelines/alerts/config.py): a field set here wins; unset, the
    environment (LEADFLOW_ALERT_WEBHOOK_URL, LEADFLOW_ALERT_FILE, LEADFLOW_ALERT_TIMEOUT)
    or the config file decides, read at each evaluation."""

    webhook_url: str | None = None
    file: str | None = None
    timeout_seconds: float | None = None

    def settings(self):
        from pipelines.alerts.config import resolve
        from pipelines.project import paths

        return resolve(paths(), webhook_url=self.webhook_url, file=self.file,
                       timeout_seconds=self.timeout_seconds)
