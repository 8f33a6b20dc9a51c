"""Tables the Python assets write beside their own, which dbt reads as sources: declared
here so that they sit in their layer's group (not "default") in the asset graph."""

import dagster as dg

SIDE_TABLES = [
    dg.AssetSpec(["raw", "_files"], group_name="ingest", kinds={"duckdb"},
                 description="The file ledger: one row per ingested file version (path, "
                 "sha256, rows read, loaded and quarantined, status). Written by ingestion."),
    dg.AssetSpec(["raw", "_quarantine"], group_name="ingest", kinds={"duckdb"},
                 description="One row per rejected input row or file, with the reason and "
                 "the original text. Written by ingestion."),
    dg.AssetSpec(["ml", "score_drift"], group_name="ml", kinds={"duckdb"},
                 description="Population stability of each scoring input per scoring day. "
                 "Written by the scoring asset ml/lead_scores."),
]
