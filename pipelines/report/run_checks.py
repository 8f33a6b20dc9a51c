"""The data-quality checks of a run, read from the Dagster instance: every asset-check
evaluation (Great Expectations suites on raw tables and marts, dbt tests, the model's
quality gate and drift check) the run recorded."""

from __future__ import annotations

import dagster as dg
import pandas as pd

COLUMNS = ["asset", "check", "passed", "severity", "outcome"]


def check_results(instance: dg.DagsterInstance, run_id: str) -> pd.DataFrame:
    """One row per check evaluated in ``run_id`` (the last evaluation if one ran twice):
    asset, check, passed, severity and the outcome in words (passed, failed, warning)."""
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records
    rows: dict[tuple[str, str], dict] = {}
    for record in records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        severity = evaluation.severity.value if evaluation.severity else "ERROR"
        outcome = "passed" if evaluation.passed else (
            "warning" if severity == "WARN" else "failed")
        key = (evaluation.asset_key.to_user_string(), evaluation.check_name)
        rows[key] = {"asset": key[0], "check": key[1], "passed": bool(evaluation.passed),
                     "severity": severity, "outcome": outcome}
    return pd.DataFrame(list(rows.values()), columns=COLUMNS) \
        .sort_values(["passed", "asset", "check"]).reset_index(drop=True)


def latest_daily_run(instance: dg.DagsterInstance, job_name: str = "daily") -> str | None:
    """The id of the latest finished run of the daily job, or None."""
    records = instance.get_run_records(
        filters=dg.RunsFilter(job_name=job_name, statuses=[
            dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE]), limit=1)
    return records[0].dagster_run.run_id if records else None
