"""The sensor and the schedule evaluate to the right run requests."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

import dagster as dg

from pipelines.resources import InboxResource
from pipelines.schedules import daily_schedule
from pipelines.sensors import SETTLE_SECONDS, inbox_sensor
from tests.inbox_files import form, write_rows


def _age(path, seconds=SETTLE_SECONDS + 5):
    past = time.time() - seconds
    os.utime(path, (past, past))


def _evaluate(inbox, cursor=None):
    with dg.build_sensor_context(
        cursor=cursor, resources={"inbox": InboxResource(path=str(inbox))}
    ) as context:
        return inbox_sensor(context), context


def test_sensor_skips_an_empty_inbox(inbox):
    result, _ = _evaluate(inbox)
    assert isinstance(result, dg.SkipReason)


def test_sensor_one_run_per_new_file_set(inbox):
    _age(write_rows(inbox / "forms" / "a.csv", [form(1)], "csv"))
    _age(write_rows(inbox / "spend" / "s.csv", [{"spend_date": "2025-01-01",
                                                  "channel": "x", "cost": "1"}], "csv"))
    first, _ = _evaluate(inbox)
    [request] = first.run_requests
    assert request.tags["leadflow/sources"] == "forms,spend"
    assert request.tags["leadflow/new_files"] == "2"

    # the same files evaluated again: same key (Dagster dedupes it), and with the
    # cursor, no request at all
    again, _ = _evaluate(inbox)
    assert again.run_requests[0].run_key == request.run_key
    nothing, _ = _evaluate(inbox, cursor=first.cursor)
    assert isinstance(nothing, dg.SkipReason)

    # a new file gives a new run with a new key, for that file only
    _age(write_rows(inbox / "forms" / "b.csv", [form(2)], "csv"))
    third, _ = _evaluate(inbox, cursor=first.cursor)
    [new_request] = third.run_requests
    assert new_request.run_key != request.run_key
    assert new_request.tags["leadflow/new_files"] == "1"


def test_sensor_waits_for_files_still_being_written(inbox):
    write_rows(inbox / "forms" / "fresh.csv", [form(1)], "csv")  # modified just now
    result, _ = _evaluate(inbox)
    assert isinstance(result, dg.SkipReason)


def test_schedule_requests_the_daily_job():
    tick = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)
    context = dg.build_schedule_context(scheduled_execution_time=tick)
    data = daily_schedule.evaluate_tick(context)
    [request] = data.run_requests
    assert daily_schedule.job_name == "daily"
    assert daily_schedule.execution_timezone == "UTC"
    assert daily_schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert request.tags.get("dagster/schedule_name") in (None, "daily_at_six_utc")
    # a Monday: the dbt tests read the rows the day wrote
    assert request.run_config["ops"]["leadflow_dbt_models"]["config"] == {
        "full_refresh": False, "test_all_rows": False}


def test_sunday_tests_every_row():
    tick = datetime(2026, 1, 4, 6, 0, tzinfo=UTC)  # a Sunday
    data = daily_schedule.evaluate_tick(dg.build_schedule_context(scheduled_execution_time=tick))
    [request] = data.run_requests
    assert request.run_config["ops"]["leadflow_dbt_models"]["config"]["test_all_rows"] is True
    assert request.tags["leadflow/dbt_tests"] == "all rows"
