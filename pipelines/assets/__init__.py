"""Dagster assets of Leadflow, one module per stage."""
