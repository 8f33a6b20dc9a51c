"""A daily build skips seeds the warehouse already holds (pipelines/seed_state.py)."""

from __future__ import annotations

import shutil

from pipelines.project import DBT_PROJECT_DIR
from pipelines.seed_state import record_loaded_seeds, seed_files_fingerprint, seeds_are_loaded


def test_the_fingerprint_follows_every_seed_file(tmp_path):
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR / "seeds", project / "seeds")
    shutil.copy(DBT_PROJECT_DIR / "dbt_project.yml", project)
    before = seed_files_fingerprint(project)
    assert seed_files_fingerprint(project) == before
    rules = project / "seeds" / "scoring_rules.csv"
    rules.write_text(rules.read_text().replace(",25", ",26", 1))
    assert seed_files_fingerprint(project) != before
    (project / "seeds" / "new_rules.csv").write_text("a\n1\n")
    renamed = seed_files_fingerprint(project)
    (project / "seeds" / "new_rules.csv").rename(project / "seeds" / "newer_rules.csv")
    assert seed_files_fingerprint(project) != renamed


def test_a_warehouse_has_its_seeds_once_a_build_recorded_them(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    assert not seeds_are_loaded(warehouse, "abc")  # no file yet
    record_loaded_seeds(warehouse, "abc")
    assert seeds_are_loaded(warehouse, "abc")
    assert not seeds_are_loaded(warehouse, "def")  # the seed files changed since
    record_loaded_seeds(warehouse, "def")
    assert seeds_are_loaded(warehouse, "def")
