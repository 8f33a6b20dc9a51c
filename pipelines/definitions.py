"""The one Dagster ``Definitions`` of Leadflow."""

from __future__ import annotations

import dagster as dg

from pipelines.assets.activation import ACTIVATION_ASSETS
from pipelines.assets.dbt import DBT_ASSETS, dbt_resource
from pipelines.assets.dbt_checks import MART_CHECKS
from pipelines.assets.ingest import INGEST_ASSETS
from pipelines.assets.ingest_checks import RAW_CHECKS
from pipelines.assets.reports import REPORT_ASSETS
from pipelines.assets.scoring import SCORING_ASSETS
from pipelines.assets.side_tables import SIDE_TABLES
from pipelines.jobs import daily_job
from pipelines.project import paths
from pipelines.resources import AlertsResource, InboxResource, WarehouseResource
from pipelines.schedules import daily_schedule
from pipelines.sensors import inbox_sensor, lead_alerts_sensor


def build_definitions() -> dg.Definitions:
    where = paths()
    return dg.Definitions(
        assets=[*INGEST_ASSETS, *DBT_ASSETS, *SCORING_ASSETS, *ACTIVATION_ASSETS,
                *REPORT_ASSETS, *SIDE_TABLES],
        asset_checks=[*RAW_CHECKS, *MART_CHECKS],
        jobs=[daily_job],
        schedules=[daily_schedule],
        sensors=[inbox_sensor, lead_alerts_sensor],
        resources={
            "warehouse": WarehouseResource(path=str(where.warehouse)),
            "inbox": InboxResource(path=str(where.inbox)),
            "dbt": dbt_resource(),
            "alerts": AlertsResource(),
        },
        # one process writes the warehouse: DuckDB allows a single writer per file
        executor=dg.in_process_executor,
    )


defs = build_definitions()
