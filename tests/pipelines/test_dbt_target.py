"""dbt's folders beside a warehouse (pipelines/dbt_target.py): a step's folder keeps its own
saved parse, a new one starts from the newest parse of the same warehouse, and a parse made
for another path is re-stamped only where dbt's profile differs in the path alone. That dbt
then skips the parse is checked on a real run in tests/pipelines/test_cli.py."""

from __future__ import annotations

import os
import shutil

import msgpack

from pipelines.dbt_target import (
    MADE_FOR,
    PARSE,
    profile_checksum,
    profile_connection,
    step_target,
    warehouse_dbt_dir,
    with_saved_parse,
)


def _save_parse(folder, content: bytes, mtime: float) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / PARSE).write_bytes(content)
    os.utime(folder / PARSE, (mtime, mtime))


def test_the_folder_sits_beside_the_warehouse(tmp_path, monkeypatch):
    monkeypatch.setattr("pipelines.dbt_target.project_parse", lambda: tmp_path / "none")
    assert warehouse_dbt_dir(tmp_path / "warehouse.duckdb") == tmp_path / "warehouse.dbt"
    target = step_target(tmp_path / "warehouse.duckdb", "leadflow_dbt_models")
    assert target == tmp_path / "warehouse.dbt" / "leadflow_dbt_models" and target.is_dir()
    assert not (target / PARSE).exists()  # nothing saved, no project parse: dbt parses


def test_a_new_step_starts_from_the_newest_parse_of_its_warehouse(tmp_path):
    home = tmp_path / "warehouse.dbt"
    _save_parse(home / "leadflow_dbt_models", b"older", 1_000)
    _save_parse(home / "leadflow_dbt_scored", b"newer", 2_000)
    _save_parse(tmp_path / "other.dbt" / "leadflow_dbt_models", b"another warehouse", 3_000)

    target = step_target(tmp_path / "warehouse.duckdb", "forget")
    assert (target / PARSE).read_bytes() == b"newer"
    # no half-copied file left; the path dbt's next parse there is made for
    assert sorted(p.name for p in target.iterdir()) == [PARSE, MADE_FOR]


def test_a_step_keeps_its_own_parse(tmp_path):
    home = tmp_path / "warehouse.dbt"
    _save_parse(home / "leadflow_dbt_models", b"its own", 1_000)
    _save_parse(home / "leadflow_dbt_scored", b"newer", 2_000)

    target = step_target(tmp_path / "warehouse.duckdb", "leadflow_dbt_models")
    assert (target / PARSE).read_bytes() == b"its own"


def _parse_for(folder, warehouse, checksum: str | None = None) -> None:
    """A saved parse as dbt writes it (only its profile stamp matters here), made for
    ``warehouse``."""
    checksum = checksum or profile_checksum(profile_connection(warehouse))
    manifest = {"metadata": {"dbt_version": "1.11"},
                "state_check": {"profile_hash": {"name": "sha256", "checksum": checksum}}}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / PARSE).write_bytes(msgpack.packb(manifest, use_bin_type=True))
    (folder / MADE_FOR).write_text(str(warehouse))


def _stamp(folder) -> str:
    manifest = msgpack.unpackb((folder / PARSE).read_bytes(), raw=False)
    return manifest["state_check"]["profile_hash"]["checksum"]


def test_the_stamp_is_dbts_profile_checksum_of_the_path(tmp_path):
    here, there = tmp_path / "a" / "warehouse.duckdb", tmp_path / "b" / "warehouse.duckdb"
    assert dict(profile_connection(here))["path"] == str(here)
    assert dict(profile_connection(here))["database"] == "warehouse"
    assert profile_checksum(profile_connection(here)) != profile_checksum(
        profile_connection(there))


def test_a_moved_data_directory_keeps_its_parse(tmp_path):
    old = tmp_path / "old" / "data"
    _parse_for(old / "warehouse.dbt" / "forget", old / "warehouse.duckdb")
    shutil.copytree(old, tmp_path / "new" / "data")
    moved = tmp_path / "new" / "data" / "warehouse.duckdb"

    target = step_target(moved, "forget")
    assert _stamp(target) == profile_checksum(profile_connection(moved))
    assert (target / MADE_FOR).read_text() == str(moved)


def test_a_new_warehouse_starts_from_the_project_parse(tmp_path):
    project = tmp_path / "project_target"
    _parse_for(project, tmp_path / "elsewhere" / "warehouse.duckdb")
    fresh = tmp_path / "data" / "warehouse.duckdb"

    target = with_saved_parse(tmp_path / "work" / "target", fresh, fallback=project)
    assert _stamp(target) == profile_checksum(profile_connection(fresh))
    assert _stamp(project) != _stamp(target)  # the project's own parse left as it was


def test_a_parse_of_another_database_name_is_not_restamped(tmp_path):
    # the database name (the file's stem) is in every node of the parse
    project = tmp_path / "project_target"
    _parse_for(project, tmp_path / "warehouse.duckdb")
    target = with_saved_parse(tmp_path / "work", tmp_path / "other.duckdb", fallback=project)
    assert _stamp(target) == _stamp(project)  # dbt sees another profile and parses


def test_a_parse_made_with_another_profile_is_not_restamped(tmp_path, monkeypatch):
    # made with another memory limit: the stamp is not the one the recorded path gives
    monkeypatch.setenv("LEADFLOW_DBT_MEMORY_LIMIT", "1GB")
    made_with_1gb = profile_checksum(profile_connection(tmp_path / "a" / "warehouse.duckdb"))
    monkeypatch.delenv("LEADFLOW_DBT_MEMORY_LIMIT")
    project = tmp_path / "project_target"
    _parse_for(project, tmp_path / "a" / "warehouse.duckdb", checksum=made_with_1gb)
    target = with_saved_parse(tmp_path / "work", tmp_path / "b" / "warehouse.duckdb",
                              fallback=project)
    assert _stamp(target) == made_with_1gb


def test_an_unreadable_parse_is_left_to_dbt(tmp_path):
    # a truncated file: dbt finds it unreadable and parses; the step goes on
    old = tmp_path / "old" / "warehouse.dbt" / "forget"
    _parse_for(old, tmp_path / "old" / "warehouse.duckdb")
    (old / PARSE).write_bytes((old / PARSE).read_bytes()[:20])
    target = with_saved_parse(tmp_path / "work", tmp_path / "new" / "warehouse.duckdb",
                              fallback=old)
    assert (target / PARSE).read_bytes() == (old / PARSE).read_bytes()
    assert (target / MADE_FOR).read_text() == str(tmp_path / "new" / "warehouse.duckdb")
