"""When the daily job runs on its own."""

from __future__ import annotations

import dagster as dg

from pipelines.jobs import daily_job

daily_schedule = dg.ScheduleDefinition(
    name="daily_at_six_utc",
    job=daily_job,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="The daily run, after the nightly exports have landed.",
)
