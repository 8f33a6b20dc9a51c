"""dbt's folders beside a warehouse (pipelines/dbt_target.py): a step's folder keeps its own
saved parse, a new one starts from the newest parse of the same warehouse, never from
another warehouse's. That dbt then skips the parse is checked on a real run in
tests/pipelines/test_cli.py."""

from __future__ import annotations

import os

from pipelines.dbt_target import PARSE, step_target, warehouse_dbt_dir


def _save_parse(folder, content: bytes, mtime: float) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / PARSE).write_bytes(content)
    os.utime(folder / PARSE, (mtime, mtime))


def test_the_folder_sits_beside_the_warehouse(tmp_path):
    assert warehouse_dbt_dir(tmp_path / "warehouse.duckdb") == tmp_path / "warehouse.dbt"
    target = step_target(tmp_path / "warehouse.duckdb", "leadflow_dbt_models")
    assert target == tmp_path / "warehouse.dbt" / "leadflow_dbt_models" and target.is_dir()
    assert not (target / PARSE).exists()  # nothing saved yet: dbt parses


def test_a_new_step_starts_from_the_newest_parse_of_its_warehouse(tmp_path):
    home = tmp_path / "warehouse.dbt"
    _save_parse(home / "leadflow_dbt_models", b"older", 1_000)
    _save_parse(home / "leadflow_dbt_scored", b"newer", 2_000)
    _save_parse(tmp_path / "other.dbt" / "leadflow_dbt_models", b"another warehouse", 3_000)

    target = step_target(tmp_path / "warehouse.duckdb", "forget")
    assert (target / PARSE).read_bytes() == b"newer"
    assert [p.name for p in target.iterdir()] == [PARSE]  # no half-copied file left


def test_a_step_keeps_its_own_parse(tmp_path):
    home = tmp_path / "warehouse.dbt"
    _save_parse(home / "leadflow_dbt_models", b"its own", 1_000)
    _save_parse(home / "leadflow_dbt_scored", b"newer", 2_000)

    target = step_target(tmp_path / "warehouse.duckdb", "leadflow_dbt_models")
    assert (target / PARSE).read_bytes() == b"its own"
