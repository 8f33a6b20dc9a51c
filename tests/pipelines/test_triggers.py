"""The sensor and the schedule evaluate to the right run requests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime

import dagster as dg

from pipelines.ingest import ingest_source
from pipelines.resources import InboxResource, WarehouseResource
from pipelines.schedules import daily_schedule
from pipelines.sensors import SETTLE_SECONDS, inbox_sensor
from pipelines.sources import SOURCES
from tests.inbox_files import form, write_rows


def _age(path, seconds=SETTLE_SECONDS + 5):
    past = time.time() - seconds
    os.utime(path, (past, past))
    return path


def _evaluate(lf_paths):
    resources = {"inbox": InboxResource(path=str(lf_paths.inbox)),
                 "warehouse": WarehouseResource(path=str(lf_paths.warehouse))}
    with dg.build_sensor_context(resources=resources) as context:
        return inbox_sensor(context)


def _ingest_everything(lf_paths):
    """Load the inbox as any run does (the ingestion code), outside the sensor."""
    warehouse = WarehouseResource(path=str(lf_paths.warehouse))
    with warehouse.connect() as con:
        for src in SOURCES.values():
            ingest_source(con, src, lf_paths.inbox)


def _spend(inbox, name):
    return _age(write_rows(inbox / "spend" / name, [
        {"spend_date": "2025-01-01", "channel": "x", "cost": "1"}], "csv"))


def test_sensor_skips_an_empty_inbox(lf_paths):
    assert isinstance(_evaluate(lf_paths), dg.SkipReason)


def test_sensor_one_run_per_set_of_files_the_warehouse_has_not_loaded(lf_paths):
    inbox = lf_paths.inbox
    _age(write_rows(inbox / "forms" / "a.csv", [form(1)], "csv"))
    _spend(inbox, "s.csv")
    request = _evaluate(lf_paths)
    assert request.tags["leadflow/sources"] == "forms,spend"
    assert request.tags["leadflow/new_files"] == "2"
    # evaluated again before a run loaded them: the same key (Dagster starts it once)
    assert _evaluate(lf_paths).run_key == request.run_key

    # loaded by someone else (`leadflow run`, a run of the UI...): nothing to start
    _ingest_everything(lf_paths)
    assert isinstance(_evaluate(lf_paths), dg.SkipReason)

    # a new file gives one run with a new key, for that file only
    _age(write_rows(inbox / "forms" / "b.csv", [form(2)], "csv"))
    new_request = _evaluate(lf_paths)
    assert new_request.run_key != request.run_key
    assert new_request.tags["leadflow/new_files"] == "1"
    assert new_request.tags["leadflow/sources"] == "forms"


def test_sensor_takes_a_rewritten_file_for_a_new_version(lf_paths):
    path = _age(write_rows(lf_paths.inbox / "forms" / "a.csv", [form(1)], "csv"))
    _ingest_everything(lf_paths)
    assert isinstance(_evaluate(lf_paths), dg.SkipReason)
    _age(write_rows(path, [form(1), form(2)], "csv"), seconds=SETTLE_SECONDS + 60)
    assert _evaluate(lf_paths).tags["leadflow/new_files"] == "1"


def test_sensor_does_not_read_the_warehouse_while_a_run_writes_it(lf_paths):
    _age(write_rows(lf_paths.inbox / "forms" / "a.csv", [form(1)], "csv"))
    _ingest_everything(lf_paths)
    _spend(lf_paths.inbox, "s.csv")
    writer = subprocess.Popen([sys.executable, "-c", HOLD_THE_LOCK, str(lf_paths.warehouse)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "held"
        result = _evaluate(lf_paths)
        assert isinstance(result, dg.SkipReason) and "writing" in result.skip_message
    finally:
        writer.kill()
        writer.wait()
    assert _evaluate(lf_paths).tags["leadflow/sources"] == "spend"


HOLD_THE_LOCK = """
import sys, time
from pathlib import Path
from pipelines.resources import WarehouseResource
with WarehouseResource(path=sys.argv[1]).connect():
    print("held", flush=True)
    time.sleep(60)
"""


def test_sensor_waits_for_files_still_being_written(lf_paths):
    write_rows(lf_paths.inbox / "forms" / "fresh.csv", [form(1)], "csv")  # modified just now
    assert isinstance(_evaluate(lf_paths), dg.SkipReason)


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
