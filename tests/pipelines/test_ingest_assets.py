"""Layer 2: the ingestion assets materialize against a temp DuckDB."""

from __future__ import annotations

import dagster as dg

from pipelines.assets.ingest import INGEST_ASSETS
from pipelines.resources import InboxResource, WarehouseResource, open_duckdb
from tests.inbox_files import form, web_event, write_rows


def _resources(lf_paths):
    return {
        "warehouse": WarehouseResource(path=str(lf_paths.warehouse)),
        "inbox": InboxResource(path=str(lf_paths.inbox)),
    }


def test_materialize_all_ingest_assets(lf_paths, inbox):
    write_rows(inbox / "forms" / "f.csv", [form(1), form(2, email="nope")], "csv")
    write_rows(inbox / "web" / "w.jsonl", [web_event(1), web_event(2)], "jsonl")
    result = dg.materialize(INGEST_ASSETS, resources=_resources(lf_paths))
    assert result.success
    meta = {
        m.asset_key.to_user_string(): {k: v.value for k, v in m.metadata.items()}
        for m in (e.event_specific_data.materialization
                  for e in result.get_asset_materialization_events())
    }
    assert meta["raw/forms"]["rows_loaded"] == 1
    assert meta["raw/forms"]["rows_quarantined"] == 1
    assert meta["raw/web_events"]["table_rows"] == 2
    assert meta["raw/spend"]["new_files"] == 0
    with open_duckdb(lf_paths.warehouse, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw.forms").fetchone()[0] == 1


def test_raw_checks_pass_on_clean_data_and_block_on_a_broken_contract(lf_paths, inbox):
    from pipelines.assets.ingest_checks import RAW_CHECKS

    write_rows(inbox / "forms" / "f.csv", [form(i) for i in range(1, 30)] +
               [form(30, email="not-an-email")], "csv")
    result = dg.materialize([*INGEST_ASSETS, *RAW_CHECKS], resources=_resources(lf_paths))
    evaluations = {
        (e.asset_key.to_user_string(), e.check_name): e
        for e in result.get_asset_check_evaluations()
    }
    contract = evaluations[("raw/forms", "gx_contract")]
    assert contract.passed and contract.metadata["rows_checked"].value == 29
    share = evaluations[("raw/forms", "quarantine_share")]
    assert share.passed and share.metadata["rows_quarantined"].value == 1

    # a hand-edited table that breaks the contract fails the blocking GX check
    with open_duckdb(lf_paths.warehouse) as con:
        con.execute("UPDATE raw.forms SET email = 'broken' WHERE submission_id = 's3'")
    checks_only = dg.materialize(
        [*INGEST_ASSETS, *RAW_CHECKS], resources=_resources(lf_paths),
        selection=dg.AssetSelection.checks_for_assets(dg.AssetKey(["raw", "forms"])),
        raise_on_error=False,
    )
    [failed] = [e for e in checks_only.get_asset_check_evaluations()
                if e.check_name == "gx_contract"]
    assert not failed.passed
    assert failed.metadata["failed"].value == {"expect_column_values_to_match_regex(email)": 1}
