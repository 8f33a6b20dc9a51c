"""Dagster assets of Leadflow, one module per stage, with the asset checks beside the assets
they guard (ingest_checks.py, dbt_checks.py)."""
