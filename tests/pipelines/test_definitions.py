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


def test_the_dbt_resource_knows_dbt_version_without_asking_dbt(lf_paths, monkeypatch):
    """dagster-dbt would start `dbt --version` (and so a request to PyPI) and open a dbt
    adapter before each dbt command; the resource answers with the installed dbt-core's
    version instead, and opens none."""
    import importlib.metadata

    from dagster_dbt import DbtCliResource
    from packaging import version

    from pipelines.assets.dbt import dbt_resource

    def no_process(*args, **kwargs):
        raise AssertionError(f"a process was started: {args}")

    monkeypatch.setattr("dagster_dbt.core.resource.check_output", no_process)
    # an override of dagster-dbt's own property (one that no longer exists there would
    # leave every dbt step asking again)
    assert {"_cli_version", "_initialize_dbt_core_adapter"} <= set(vars(DbtCliResource))
    resource = build_definitions().resources["dbt"]
    assert resource._cli_version == version.parse(importlib.metadata.version("dbt-core"))
    assert dbt_resource()._cli_version.major == 1
    # nor a dbt adapter in the Dagster process (only for metadata Leadflow does not fetch)
    assert resource._initialize_dbt_core_adapter(["build"]) is None


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


LAYERS = {"ingest", "staging", "intermediate", "marts", "ml", "activation", "reports", "seeds"}


def test_every_asset_sits_in_the_group_of_its_layer(lf_paths):
    graph = build_definitions().resolve_asset_graph()
    groups = {key.to_user_string(): graph.get(key).group_name
              for key in graph.get_all_asset_keys()}
    assert set(groups.values()) == LAYERS, {k: g for k, g in groups.items() if g not in LAYERS}
    assert groups["raw/forms"] == groups["raw/_files"] == "ingest"
    assert groups["staging/stg_forms__submissions"] == "staging"
    assert groups["marts/dim_leads"] == "marts"
    assert groups["ml/lead_scores"] == groups["ml/score_drift"] == "ml"


def test_every_dbt_check_says_what_it_checks(lf_paths):
    graph = build_definitions().resolve_asset_graph()
    specs = {f"{k.asset_key.to_user_string()}:{k.name}": graph.get_check_spec(k)
             for k in graph.asset_check_keys}
    assert [k for k, spec in specs.items() if not spec.description] == []
    assert specs["marts/dim_leads:primary_key_dim_leads_lead_id"].description == (
        "primary_key on dim_leads: lead_id")


def test_a_dbt_test_description_names_the_test_the_model_and_its_arguments():
    from pipelines.assets.dbt_translator import layer_group, test_description

    accepted = {"name": "accepted_values_x", "test_metadata": {
        "name": "accepted_values",
        "kwargs": {"column_name": "event_type", "values": ["page", "track"], "model": "m"}}}
    assert test_description(accepted, "stg_web__events") == (
        "accepted_values on stg_web__events: event_type in (page, track)")
    related = {"name": "r", "test_metadata": {"name": "relationships", "kwargs": {
        "column_name": "lead_id", "to": "ref('dim_leads')", "field": "lead_id"}}}
    assert test_description(related, "fct_deals") == (
        "relationships on fct_deals: lead_id -> dim_leads.lead_id")
    assert test_description({**related, "description": "Every deal has a lead."}, "x") == (
        "Every deal has a lead.")
    assert layer_group({"resource_type": "model", "unique_id": "m",
                        "fqn": ["leadflow", "state", "state_lead_changes"]}) == "intermediate"
    assert layer_group({"resource_type": "model", "unique_id": "m",
                        "fqn": ["leadflow", "marts", "reports", "daily", "x"]}) == "reports"
