"""The dbt project as Dagster assets: every model a downstream asset of the ingestion
asset it reads (dbt source ``raw.<table>`` = asset key ``raw/<table>``), every dbt test an
asset check."""

import os
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from pipelines.project import DBT_PROJECT_DIR, dbt_project
from pipelines.resources import WarehouseResource
from pipelines.seed_state import (
    SKIP_LOADED_SEEDS,
    record_loaded_seeds,
    seed_files_fingerprint,
    seeds_are_loaded,
)

PROJECT = dbt_project()
WATCHED = ("models", "seeds", "macros", "tests", "dbt_project.yml", "profiles.yml")


def dbt_resource() -> DbtCliResource:
    # the dbt beside this interpreter: the venv's, whatever PATH says
    return DbtCliResource(
        project_dir=PROJECT, dbt_executable=str(Path(sys.executable).parent / "dbt")
    )


def _newest_source_change(root: Path) -> float:
    stamps = [
        p.stat().st_mtime
        for name in WATCHED
        for p in ([root / name] if (root / name).is_file() else (root / name).rglob("*"))
        if p.is_file()
    ]
    return max(stamps, default=0.0)


def ensure_manifest() -> Path:
    """Parse the dbt project when its manifest is missing or older than its files."""
    manifest = PROJECT.manifest_path
    if not manifest.exists() or manifest.stat().st_mtime < _newest_source_change(DBT_PROJECT_DIR):
        os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
        dbt_resource().cli(["parse", "--quiet"], target_path=PROJECT.target_path).wait()
    return manifest


class DbtBuildConfig(dg.Config):
    """How much the build redoes. By default a daily build is incremental: the event models
    take the new files, the lead-level models refresh the leads those files touched
    (dbt_project/macros/lead_refresh.sql), and data tests read the rows the build wrote."""

    full_refresh: bool = False
    """Rebuild every model from raw (`dbt build --full-refresh`), testing every row."""
    test_all_rows: bool = False
    """Run every data test on every row (the Sunday run does)."""


def build_args(config: DbtBuildConfig, seeds_loaded: bool = False) -> list[str]:
    """Unit tests run in CI (`make test`), not on data; seeds only when they changed
    (pipelines/seed_state.py), unless the build is a full refresh or tests every row."""
    args = ["build", "--exclude-resource-type", "unit_test"]
    if config.full_refresh:
        args.append("--full-refresh")
    if config.test_all_rows:
        args += ["--vars", "{test_all_rows: true}"]
    if seeds_loaded and not (config.full_refresh or config.test_all_rows):
        args += SKIP_LOADED_SEEDS
    return args


def _selects_everything(context: dg.AssetExecutionContext) -> bool:
    """Not a subset picked in the UI: dagster-dbt then selects with plain `--select`."""
    assets_def = context.assets_def
    return (set(context.selected_asset_keys) == set(assets_def.keys)
            and set(context.selected_asset_check_keys) == set(assets_def.check_keys))


@dbt_assets(manifest=ensure_manifest(), project=PROJECT)
def leadflow_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource,
    config: DbtBuildConfig,
):
    """`dbt build` of the selected models, seeds and tests, holding the writer lock."""
    os.environ["LEADFLOW_WAREHOUSE"] = warehouse.path
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    seeds = seed_files_fingerprint()
    everything = _selects_everything(context)
    with warehouse.writer():
        loaded = everything and seeds_are_loaded(warehouse.file, seeds)
        if loaded:
            context.log.info("seeds unchanged since the last build: not reloaded nor retested")
        yield from dbt.cli(build_args(config, seeds_loaded=loaded), context=context).stream()
        if everything and not loaded:
            record_loaded_seeds(warehouse.file, seeds)

