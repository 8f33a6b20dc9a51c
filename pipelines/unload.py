"""`leadflow unload FILE`: take a loaded file back out of the warehouse, so it can be fixed
and dropped into the inbox again.

What goes: the file's rows in its raw table (rows carry their file, ``_file_id``), what the
quarantine holds of it (``raw._quarantine``, and the rows the build set aside,
``state.set_aside_rows``); its ledger entries (``raw._files``) stay, marked ``unloaded``,
so the same name and the same content load again when dropped again (the ledger skips a
known file version and a copy of a loaded file only among entries not unloaded).

What is built from those rows is rebuilt: ``dbt build --full-refresh`` of every model
downstream of the file's raw table (:func:`rebuild_args`). Incremental staging keeps what
it has taken in, and a lead refresh only revisits the leads new files touch, so nothing
short of rebuilding those models from raw can take the rows out of every mart; the models
not downstream of that table never read the rows and are left as they are. The scoring and
routing tables that Python writes (``ml.*``, ``ops.*``) are brought up to date by the next
``leadflow run``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.quarantine import SET_ASIDE, has_set_aside
from pipelines.sources import source

UNLOADED = "unloaded"


class UnknownFile(ValueError):
    """No file of that name is loaded."""


@dataclass(frozen=True)
class LoadedFile:
    path: str  # under the inbox, as the ledger records it: web/events.jsonl
    source: str
    table: str  # its raw table
    file_ids: tuple[int, ...]  # every version of it loaded (and not unloaded)


@dataclass
class Removed:
    file: LoadedFile
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows deleted

    @property
    def raw_rows(self) -> int:
        return self.rows.get(f"raw.{self.file.table}", 0)


def ledger_path(name: str, inbox: Path) -> str:
    """The ledger's path of ``name``: a path under the inbox as `leadflow quarantine` and
    `leadflow status` show it (web/events.jsonl), or the file's path on disk inside the
    inbox."""
    text = name.strip()
    candidate = Path(text).expanduser()
    if candidate.is_absolute() or (Path.cwd() / candidate).exists():
        try:
            return (Path.cwd() / candidate).absolute().relative_to(inbox.absolute()).as_posix()
        except ValueError:
            pass
    return text.removeprefix("./")


def find_loaded(con: duckdb.DuckDBPyConnection, name: str, inbox: Path) -> LoadedFile:
    """The loaded versions of the file ``name`` names, or :class:`UnknownFile`."""
    path = ledger_path(name, inbox)
    rows = con.execute(
        "SELECT source, list(file_id ORDER BY file_id) FROM raw._files "
        "WHERE path = ? AND status <> ? GROUP BY source", [path, UNLOADED]).fetchall()
    if not rows:
        unloaded = con.execute("SELECT count(*) FROM raw._files WHERE path = ?",
                               [path]).fetchone()[0]
        why = "already unloaded" if unloaded else "not in the ledger raw._files"
        raise UnknownFile(f"no loaded file {path!r}: {why} (name a path under the inbox, "
                          "as `leadflow quarantine` lists it: web/events.jsonl)")
    [(src_name, file_ids)] = rows  # a path under the inbox belongs to one source's folder
    return LoadedFile(path, src_name, source(src_name).table, tuple(file_ids))


def remove_rows(con: duckdb.DuckDBPyConnection, loaded: LoadedFile) -> Removed:
    """Delete the file's rows from raw and the quarantine and mark its ledger entries
    unloaded, in one transaction."""
    removed = Removed(loaded)
    ids = list(loaded.file_ids)
    tables = [(f"raw.{loaded.table}", "_file_id"), ("raw._quarantine", "file_id")]
    if has_set_aside(con):
        tables.append((SET_ASIDE, "file_id"))
    con.begin()
    try:
        for table, column in tables:
            removed.rows[table] = con.execute(
                f"DELETE FROM {table} WHERE list_contains(?, {column})", [ids]).fetchone()[0]
        con.execute(
            "UPDATE raw._files SET status = ?, reason = 'unloaded by leadflow unload at ' "
            "|| strftime(current_timestamp, '%Y-%m-%d %H:%M:%S UTC') "
            "WHERE list_contains(?, file_id)", [UNLOADED, ids])
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return removed


def rebuild_args(table: str) -> list[str]:
    """The dbt build that takes the rows of raw ``table`` out of everything built from it."""
    return ["build", "--full-refresh", "--select", f"source:raw.{table}+",
            "--exclude-resource-type", "unit_test"]


def rebuild(table: str, warehouse: Path) -> tuple[bool, dict[str, int]]:
    """Run :func:`rebuild_args` on ``warehouse`` (dbt as a child of this process, the way a
    run's dbt steps run); whether it succeeded and how many nodes ended in each status."""
    from pipelines.assets.dbt import dbt_resource, ensure_manifest
    from pipelines.dbt_target import set_dbt_environment, step_target

    set_dbt_environment(str(warehouse))  # the profile the run's steps render: their parse
    invocation = dbt_resource().cli(rebuild_args(table), raise_on_error=False,
                                    manifest=ensure_manifest(),
                                    target_path=step_target(warehouse, "unload"))
    invocation.wait()
    statuses: dict[str, int] = {}
    for result in invocation.get_artifact("run_results.json").get("results", []):
        statuses[result["status"]] = statuses.get(result["status"], 0) + 1
    return invocation.is_successful(), statuses
