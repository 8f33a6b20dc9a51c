"""The dbt project as Dagster assets: every model a downstream asset of the Python asset
that writes what it reads (dbt source ``raw.<table>`` = asset key ``raw/<table>``, likewise
``ml/<table>`` of the scoring assets and ``ops/<table>`` of routing), every dbt test an
asset check.

Three selections of the one project, three steps of the daily job, in this order:

- ``leadflow_dbt_models``: seeds, staging to marts, everything that reads no table a
  Python asset writes after dbt; it feeds scoring.
- ``leadflow_dbt_scored``: what reads the ``ml`` source (the scoring assets' tables) but
  not ``ops``: current scores, the routing matches, the report's score tables.
- ``leadflow_dbt_activation``: what reads the ``ops`` source (routing's state): SLA
  breaches, nurture tracks, the segment base and the report's breach tables.

Split this way the asset graph has no cycle, so Dagster runs each selection as one
``dbt build`` (with a cycle it would split every selection, seeds apart from the models).
"""

import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets, get_asset_key_for_model
from dagster_dbt.compat import DBT_PYTHON_VERSION
from packaging.version import Version

from pipelines.assets.dbt_translator import LeadflowDbtTranslator
from pipelines.dbt_target import MADE_FOR, project_parse, set_dbt_environment, step_target
from pipelines.engine import on_spark
from pipelines.project import DBT_PROJECT_DIR, dbt_project, paths
from pipelines.resources import WarehouseResource
from pipelines.seed_state import (
    SKIP_LOADED_SEEDS,
    record_loaded_seeds,
    seed_files_fingerprint,
    seeds_are_loaded,
)

PROJECT = dbt_project()
TRANSLATOR = LeadflowDbtTranslator()
WATCHED = ("models", "seeds", "macros", "tests", "dbt_project.yml", "profiles.yml")


class InstalledDbtCli(DbtCliResource):
    """dagster-dbt's dbt CLI resource for the dbt installed beside this interpreter. Before
    each dbt command of a step dagster-dbt would start `dbt --version` to learn dbt's
    version (a second dbt process, about 1.5 s of CPU, and a request to PyPI for the latest
    release: no phoning home from a daily run) and open a dbt adapter in the Dagster
    process; this resource knows the version and opens none."""

    @property
    def _cli_version(self) -> Version:
        return DBT_PYTHON_VERSION  # the installed dbt-core's, as dagster-dbt parsed it

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        """No dbt adapter in the Dagster process: dagster-dbt opens one before each dbt
        command (0.6 to 1.2 s of dbt's macro loading) only for ``fetch_column_metadata``
        and ``fetch_row_counts``, which Leadflow does not call (both skip without it)."""
        return None


def dbt_resource() -> DbtCliResource:
    # the dbt beside this interpreter: the venv's, whatever PATH says
    return InstalledDbtCli(
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
    """Parse the dbt project when its manifest is missing or older than its files. The
    parse it saves is where a new warehouse's dbt steps start (pipelines/dbt_target.py)."""
    manifest = PROJECT.manifest_path
    made_for = project_parse() / MADE_FOR
    if (not manifest.exists() or not made_for.exists()
            or manifest.stat().st_mtime < _newest_source_change(DBT_PROJECT_DIR)):
        set_dbt_environment(paths().warehouse)
        dbt_resource().cli(["parse", "--quiet"], target_path=PROJECT.target_path).wait()
        made_for.write_text(os.environ["LEADFLOW_WAREHOUSE"])
    return manifest


class DbtBuildConfig(dg.Config):
    """How much the build redoes. By default a daily build is incremental: the event models
    take the new files, the lead-level models refresh the leads those files touched
    (dbt_project/macros/lead_refresh.sql), and data tests read the rows the build wrote."""

    full_refresh: bool = False
    """Rebuild every model from raw (`dbt build --full-refresh`), testing every row."""
    test_all_rows: bool = False
    """Run every data test on every row (the Sunday run does)."""


def skips_seeds(config: DbtBuildConfig, seeds_loaded: bool) -> bool:
    """Whether the build leaves the seeds out (and reports them unchanged): when the
    warehouse holds these seed files (pipelines/seed_state.py), unless the build is a full
    refresh or tests every row, which reload and test the seeds."""
    return seeds_loaded and not (config.full_refresh or config.test_all_rows)


def build_args(config: DbtBuildConfig, seeds_loaded: bool = False) -> list[str]:
    """Unit tests run in CI (`make test`), not on data; seeds only when they changed
    (``skips_seeds``)."""
    args = ["build", "--exclude-resource-type", "unit_test"]
    if config.full_refresh:
        args.append("--full-refresh")
    if config.test_all_rows:
        args += ["--vars", "{test_all_rows: true}"]
    if skips_seeds(config, seeds_loaded):
        args += SKIP_LOADED_SEEDS
    return args


def _selects_everything(context: dg.AssetExecutionContext) -> bool:
    """Not a subset picked in the UI: dagster-dbt then selects with plain `--select`."""
    assets_def = context.assets_def
    return (set(context.selected_asset_keys) == set(assets_def.keys)
            and set(context.selected_asset_check_keys) == set(assets_def.check_keys))


# the models downstream of the tables the Python assets write after the first dbt step
AFTER_SCORING = "source:ml+"
AFTER_ROUTING = "source:ops+"
MANIFEST = ensure_manifest()


def build(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource,
          config: DbtBuildConfig):
    """`dbt build` of the selected models, seeds and tests, holding the writer lock."""
    set_dbt_environment(warehouse.path)
    seeds = seed_files_fingerprint()
    everything = _selects_everything(context)
    has_seeds = any(key.path[0] == "seeds" for key in context.assets_def.keys)
    spark = on_spark()
    with warehouse.writer():
        # on Spark the seeds are loaded by every build (the record is in DuckDB's file)
        loaded = (everything and has_seeds and not spark
                  and seeds_are_loaded(warehouse.file, seeds))
        # one decision for the dbt arguments and the seeds' outputs: a full refresh or a
        # build testing every row rebuilds the seeds, and dbt then reports them itself
        skipped = skips_seeds(config, loaded)
        if skipped:
            context.log.info("seeds unchanged since the last build: not reloaded nor retested")
        started = dt.datetime.now(dt.UTC)
        if skipped:  # before the models that read them (outputs go in topological order)
            yield from _unchanged_seeds(context, seeds)
        if spark:
            from pipelines.assets import dbt_spark

            if has_seeds:  # the first selection: the one that reads raw
                dbt_spark.export_raw(context, warehouse.file)
            yield from dbt_spark.stream_build(context, build_args(config, seeds_loaded=loaded),
                                              TRANSLATOR)
        else:
            yield from dbt.cli(build_args(config, seeds_loaded=loaded), context=context,
                               target_path=step_target(warehouse.file, context.op_def.name)
                               ).stream()
        if everything and has_seeds and not skipped and not spark:
            record_loaded_seeds(warehouse.file, seeds)
        warn_set_aside(context, warehouse, started)


def warn_set_aside(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                   since: dt.datetime) -> None:
    """A warning per data test whose failing rows this build set aside
    (dbt_project/macros/set_aside.sql): the build went on without them."""
    from pipelines.quarantine import set_aside_since

    with warehouse.built(read_only=True) as con:
        for test, model, rows, files in set_aside_since(con, since):
            context.log.warning(
                f"dbt test {test} failed on {rows:,} rows of {model} ({files} files): set "
                "aside, the build went on without them; `leadflow quarantine` lists them")


def _unchanged_seeds(context: dg.AssetExecutionContext, fingerprint: str):
    """A seed left out of the build because the warehouse holds it already is reported as
    it stands (same data version, not reloaded): without an output for it, Dagster would
    skip every later step that reads the seed (the scored and activation selections)."""
    for key in context.selected_asset_keys:
        if key.path[0] == "seeds":
            yield dg.MaterializeResult(
                asset_key=key, data_version=dg.DataVersion(fingerprint[:16]),
                metadata={"reloaded": False, "seed_files_fingerprint": fingerprint[:16]})


@dbt_assets(manifest=MANIFEST, project=PROJECT, exclude=f"{AFTER_SCORING} {AFTER_ROUTING}",
            name="leadflow_dbt_models", dagster_dbt_translator=TRANSLATOR)
def leadflow_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource,
    config: DbtBuildConfig,
):
    """Seeds, staging to marts: everything that reads no table Python writes after it."""
    yield from build(context, dbt, warehouse, config)


# Activation and the report's tables are rebuilt whole and tested on every row, so the
# build options of the first selection (full refresh, every row tested) change nothing
# in the next two.

@dbt_assets(manifest=MANIFEST, project=PROJECT, select=AFTER_SCORING, exclude=AFTER_ROUTING,
            name="leadflow_dbt_scored", dagster_dbt_translator=TRANSLATOR)
def leadflow_dbt_scored(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource,
):
    """After scoring: current scores, routing matches, the report's score tables."""
    yield from build(context, dbt, warehouse, DbtBuildConfig())


@dbt_assets(manifest=MANIFEST, project=PROJECT, select=AFTER_ROUTING,
            name="leadflow_dbt_activation", dagster_dbt_translator=TRANSLATOR)
def leadflow_dbt_activation(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource,
):
    """After routing: SLA breaches, nurture tracks, segment base, the report's breaches."""
    yield from build(context, dbt, warehouse, DbtBuildConfig())


DBT_ASSETS = [leadflow_dbt_models, leadflow_dbt_scored, leadflow_dbt_activation]


def dbt_key(name: str) -> dg.AssetKey:
    """The asset key of a dbt model or seed, in whichever selection builds it."""
    key = get_asset_key_for_model([leadflow_dbt_models], name)  # one manifest for both
    if not any(key in assets_def.keys for assets_def in DBT_ASSETS):
        raise KeyError(f"dbt node {name!r} is in no selection of the daily build")
    return key
