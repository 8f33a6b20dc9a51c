"""The daily job: every asset, in one process, tagged as a warehouse writer."""

from __future__ import annotations

import dagster as dg

from pipelines.assets.ingest import WRITER_TAG

daily_job = dg.define_asset_job(
    "daily",
    selection=dg.AssetSelection.all(),
    description="Ingest new inbox files and rebuild everything downstream.",
    tags=WRITER_TAG,
)
