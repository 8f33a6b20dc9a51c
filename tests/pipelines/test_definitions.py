"""Layer 1: the Definitions load, and carry what docs/contracts.md promises."""

from __future__ import annotations

import dagster as dg

from pipelines.definitions import build_definitions
from pipelines.sources import SOURCES


def test_definitions_load(lf_paths):
    defs = build_definitions()
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {f"raw/{s.table}" for s in SOURCES.values()} <= keys
    job = defs.resolve_job_def("daily")
    assert job.tags.get("leadflow/warehouse") == "write"
    assert defs.resolve_schedule_def("daily_at_six_utc").cron_schedule == "0 6 * * *"
    assert defs.resolve_sensor_def("inbox_sensor").job_name == "daily"


def test_resources_point_at_the_configured_paths(lf_paths):
    defs = build_definitions()
    resources = defs.resources
    assert resources["warehouse"].path == str(lf_paths.warehouse)
    assert resources["inbox"].path == str(lf_paths.inbox)


def test_dagster_yaml_keeps_storage_under_data_and_telemetry_off(lf_paths, monkeypatch):
    from pipelines.instance import dagster_environment
    from pipelines.project import PROJECT_ROOT

    for key, value in dagster_environment(lf_paths).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("DAGSTER_HOME", str(PROJECT_ROOT))
    instance = dg.DagsterInstance.get()
    try:
        assert not instance.telemetry_enabled
        assert str(lf_paths.data) in instance.root_directory
        limits = instance.run_coordinator.get_run_queue_config().tag_concurrency_limits
        assert {"key": "leadflow/warehouse", "value": "write", "limit": 1} in limits
    finally:
        instance.dispose()


def test_dbt_models_sit_downstream_of_their_ingestion_assets(lf_paths):
    graph = build_definitions().resolve_asset_graph()
    staging = graph.get(dg.AssetKey(["staging", "stg_forms__submissions"]))
    assert dg.AssetKey(["raw", "forms"]) in staging.parent_keys
    leads = dg.AssetKey(["marts", "dim_leads"])
    assert leads in graph.get_all_asset_keys()
    # dbt tests are asset checks of the models they test
    assert any(check.asset_key == leads for check in graph.asset_check_keys)


def test_dbt_build_arguments_follow_the_run_config():
    from pipelines.assets.dbt import SKIP_LOADED_SEEDS, DbtBuildConfig, build_args

    daily = ["build", "--exclude-resource-type", "unit_test"]
    assert build_args(DbtBuildConfig()) == daily
    assert build_args(DbtBuildConfig(), seeds_loaded=True) == [*daily, *SKIP_LOADED_SEEDS]
    assert build_args(DbtBuildConfig(full_refresh=True), seeds_loaded=True) == [
        *daily, "--full-refresh"]
    assert build_args(DbtBuildConfig(test_all_rows=True), seeds_loaded=True) == [
        *daily, "--vars", "{test_all_rows: true}"]
