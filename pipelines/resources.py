"""Dagster resources: the DuckDB warehouse (one writer at a time) and the inbox."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse for writing."""


@contextmanager
def warehouse_lock(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock beside the warehouse file for the duration."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WarehouseBusy(
                f"another Leadflow run is writing the warehouse (lock {lock_path})"
            ) from None
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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
        """Hold the writer lock without a connection (for dbt, which opens its own)."""
        with warehouse_lock(self.lock_file):
            yield

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
