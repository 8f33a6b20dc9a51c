"""When the daily job runs on its own."""

from __future__ import annotations

import dagster as dg

from pipelines.jobs import daily_job

FULL_TEST_WEEKDAY = 6  # Sunday: every data test reads every row, not only the day's


def dbt_run_config(*, full_refresh: bool = False, test_all_rows: bool = False) -> dict:
    """Run config of the daily job's dbt step (pipelines.assets.dbt.DbtBuildConfig)."""
    return {"ops": {"leadflow_dbt_models": {"config": {
        "full_refresh": full_refresh, "test_all_rows": test_all_rows}}}}


@dg.schedule(
    name="daily_at_six_utc",
    job=daily_job,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="The daily run, after the nightly exports have landed. On Sundays its data "
    "tests read every row of the warehouse instead of the rows the day wrote.",
)
def daily_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    sunday = context.scheduled_execution_time.weekday() == FULL_TEST_WEEKDAY
    return dg.RunRequest(run_config=dbt_run_config(test_all_rows=sunday),
                         tags={"leadflow/dbt_tests": "all rows" if sunday else "new rows"})
