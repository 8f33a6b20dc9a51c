"""The lineage of the dbt project and the lead refresh's place in it: staging reads no
state model, no intermediate model reads a mart, lead-level models carry no
materialization nor refresh plumbing in their SQL (dbt_project.yml sets it by folder), and
on an incremental build the project's ref() hands them only the refreshed leads' rows of
each lead-keyed input (dbt_project/macros/lead_refresh.sql)."""

from __future__ import annotations

import json
import re
import shutil

import duckdb
import pytest

from tests.dbt.workspace import invoke

# fct_lead_features picks its own leads (open leads are rescored daily): meta
# lead_refresh_filters_inputs false, its where clause names state_lead_changes itself
CHOOSES_ITS_LEADS = {"fct_lead_features"}


@pytest.fixture(scope="module")
def models(warehouses) -> dict[str, dict]:
    manifest = json.loads((warehouses["day1"].parent / "target" / "manifest.json").read_text())
    return {node["name"]: node for node in manifest["nodes"].values()
            if node["resource_type"] == "model"}


def parents(node: dict) -> list[str]:
    return [parent.split(".")[-1] for parent in node["depends_on"]["nodes"]]


def is_lead_level(node: dict) -> bool:
    return (node["config"]["materialized"] == "incremental"
            and node["config"].get("incremental_strategy") == "lead_refresh")


def test_staging_reads_no_state_and_intermediate_reads_no_mart(models):
    wrong_way = [(name, parent) for name, node in models.items() for parent in parents(node)
                 if (name.startswith("stg_") and parent.startswith("state_"))
                 or (name.startswith("int_") and parent.startswith(("fct_", "dim_", "rpt_")))]
    assert wrong_way == []


def test_no_model_sets_its_materialization_in_sql(models):
    assert [name for name, node in models.items()
            if re.search(r"config\([^)]*materialized", node["raw_code"])] == []


def test_lead_level_models_read_like_full_refresh_models(models):
    lead_level = {name for name, node in models.items() if is_lead_level(node)}
    assert {"dim_leads", "int_people_merged", "int_merge_decisions", "fct_touchpoints",
            "fct_attribution", "fct_lead_stages", "int_lead_score_points"} <= lead_level
    assert not lead_level & {"fct_deals", "int_identities_stitched", "rpt_funnel_conversion"}
    plumbing = re.compile(r"in_refreshed_leads|is_incremental|state_lead_changes|\{\{ this \}\}")
    assert [name for name in sorted(lead_level - CHOOSES_ITS_LEADS)
            if plumbing.search(models[name]["raw_code"])] == []
    # every lead-level model depends on the leads to refresh, through ref()
    assert [name for name in sorted(lead_level)
            if "state_lead_changes" not in parents(models[name])] == []


def test_a_daily_build_reads_the_refreshed_leads_of_each_lead_keyed_input(warehouses,
                                                                            tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouses["incremental"], warehouse)
    result = invoke(tmp_path, warehouse, "compile", "--select", "int_leads_enriched",
                    "int_merge_decisions")
    assert result.success, result.exception
    compiled = tmp_path / "target" / "compiled" / "leadflow" / "models" / "intermediate"
    enriched = (compiled / "enrichment" / "int_leads_enriched.sql").read_text()
    decisions = (compiled / "identity" / "int_merge_decisions.sql").read_text()

    def restricted(sql: str, relation: str, key: str) -> bool:
        return re.search(rf'\(select \* from "[^"]+"\.{relation}\s+where {key} in '
                         rf'\(select {key} from "[^"]+"\."state"\."state_lead_changes"\)',
                         sql) is not None

    # a lead-level input by lead_id, an e-mail keyed one by the normalised address
    assert restricted(enriched, '"intermediate"."int_people_merged"', "lead_id")
    assert restricted(enriched, '"intermediate"."int_form_submissions_identified"', "lead_id")
    assert restricted(decisions, '"staging"."stg_forms__submissions"', "email")
    # the records tied to no lead are read whole (meta lead_refresh_unattached)
    assert re.search(r'"state_lead_changes"\) or \(not is_valid_email\)\)', decisions)
    # a seed has no lead key: read whole
    assert re.search(r'from "[^"]+"\."seeds"\."free_email_providers"\s', enriched)
    assert not restricted(enriched, '"seeds"."free_email_providers"', "lead_id")


def test_a_full_rebuild_reads_whole_inputs(warehouses, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouses["incremental"], warehouse)
    result = invoke(tmp_path, warehouse, "compile", "--full-refresh", "--select",
                    "int_leads_enriched")
    assert result.success, result.exception
    compiled = (tmp_path / "target" / "compiled" / "leadflow" / "models" / "intermediate"
                / "enrichment" / "int_leads_enriched.sql").read_text()
    assert "state_lead_changes" not in compiled


def test_staging_remembers_its_rules_and_reads_every_raw_row_again_when_they_change(
        warehouses, tmp_path):
    """An incremental staging table reads only new raw files while the rules it was built
    with (its code, the vars, the seeds it refs) hold; it keeps them on the table itself,
    so staging reads nothing of the state layer."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouses["incremental"], warehouse)
    compiled = (tmp_path / "target" / "compiled" / "leadflow" / "models" / "staging"
                / "forms" / "stg_forms__submissions.sql")

    def build(*extra: str) -> tuple[str, str, int]:
        result = invoke(tmp_path, warehouse, "run", "--select", "stg_forms__submissions",
                        *extra)
        assert result.success, result.exception
        with duckdb.connect(str(warehouse), read_only=True) as con:
            label, count = con.execute(
                "SELECT comment, estimated_size FROM duckdb_tables() "
                "WHERE schema_name = 'staging' AND table_name = 'stg_forms__submissions'"
            ).fetchone()
        return compiled.read_text(), label, count

    same_sql, same_label, before = build()
    assert same_label.startswith("leadflow rules ")
    assert "_file_id >" in same_sql and "state" not in same_sql.replace("statement", "")
    new_sql, new_label, after = build("--vars", "{placeholder_values: ['n/a']}")
    assert "_file_id >" not in new_sql and new_label != same_label
    assert after == before
