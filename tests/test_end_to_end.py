"""Layer 3: generated data through the whole daily run, once for every test here (the
run is the slow part), then a second run over the same inbox.

The tests run in file order: what the first run loaded, the report it wrote, and last
the second run, which must change no row count."""

from __future__ import annotations

import datetime as dt
import time

import dagster as dg
import pandas as pd
import pytest

from pipelines.assets.reports import REPORT
from pipelines.cli import main
from pipelines.instance import get_instance
from pipelines.project import LeadflowPaths
from pipelines.report import browser
from pipelines.resources import open_duckdb
from pipelines.sources import SOURCES
from tests.data_dir import point_at

pytestmark = pytest.mark.e2e

COUNTS = """
SELECT 'files' AS t, count(*) AS n FROM raw._files UNION ALL
SELECT 'quarantine', count(*) FROM raw._quarantine UNION ALL
SELECT 'drift', count(*) FROM raw._schema_drift
""" + "".join(f" UNION ALL SELECT '{s.table}', count(*) FROM raw.{s.table}"
              for s in SOURCES.values())


@pytest.fixture(scope="module")
def first_run(tmp_path_factory) -> LeadflowPaths:
    """One generated inbox and one daily run, in a data directory of this module's own
    (the environment points there until the module's last test is done)."""
    data = tmp_path_factory.mktemp("e2e") / "data"
    with pytest.MonkeyPatch.context() as mp:
        where = point_at(mp, data)
        assert main(["generate", "--leads", "1500", "--days", "120", "--seed", "7",
                     "--end-date", "2026-06-30"]) == 0
        assert where.truth.exists()
        assert main(["run", "--log-level", "ERROR"]) == 0
        yield where


def counts(where: LeadflowPaths) -> dict[str, int]:
    with open_duckdb(where.warehouse, read_only=True) as con:
        return dict(con.execute(COUNTS).fetchall())


def test_every_source_loads_and_the_dirt_is_caught(first_run):
    with open_duckdb(first_run.warehouse, read_only=True) as con:
        files = con.execute(
            "SELECT source, status, rows_read, rows_loaded, rows_quarantined FROM raw._files"
        ).fetchall()
        whole_file_reasons = [r[0] for r in con.execute(
            "SELECT reason FROM raw._quarantine WHERE row_number IS NULL").fetchall()]
        row_reasons = {r[0] for r in con.execute(
            "SELECT DISTINCT split_part(reason, ':', 1) FROM raw._quarantine "
            "WHERE row_number IS NOT NULL").fetchall()}
        newest = con.execute("SELECT max(occurred_at) FROM raw.web_events").fetchone()[0]
    first = counts(first_run)

    # all six sources loaded, and the generator's dirt was caught
    assert all(first[s.table] > 0 for s in SOURCES.values()), first
    assert first["quarantine"] > 0 and first["drift"] > 0
    assert any(r.startswith("missing required column") for r in whole_file_reasons)
    assert any(r.startswith("empty file") for r in whole_file_reasons)
    assert any(r.startswith("corrupt gzip") for r in whole_file_reasons)
    assert "invalid email in email" in row_reasons
    assert any(r.startswith("bad timestamp in") for r in row_reasons), row_reasons
    assert any(r.startswith("malformed row") or r == "unparseable JSON line"
               for r in row_reasons), row_reasons
    # every row read is either loaded or quarantined
    assert all(read == loaded + quarantined for _, _, read, loaded, quarantined in files)
    assert newest <= dt.datetime(2026, 7, 1, tzinfo=dt.UTC)


def test_daily_run_writes_the_report(first_run, capsys):
    """The asset writes the report with the headline KPIs as metadata, `leadflow report`
    rewrites it, and Chromium shows every section with data or with the reason it has
    none."""
    event = get_instance(first_run).get_latest_materialization_event(REPORT)
    assert event is not None
    meta = event.asset_materialization.metadata
    index = meta["report"].value
    assert index.endswith("/index.html") and meta["leads"].value > 0
    assert isinstance(meta["win_rate"], dg.FloatMetadataValue | dg.TextMetadataValue)
    assert meta["checks_evaluated"].value > 0
    folder = first_run.reports / meta["report_date"].value
    assert str(folder / "index.html") == index
    kpis = pd.read_csv(folder / "headline_kpis.csv")
    assert kpis.loc[kpis["kpi"] == "leads", "value"].iloc[0] == meta["leads"].value

    capsys.readouterr()
    assert main(["report", "--date", meta["report_date"].value]) == 0
    assert f"report for {meta['report_date'].value}" in capsys.readouterr().out
    assert main(["report", "--date", "2001-01-01"]) == 2
    assert "leadflow: error: no " in capsys.readouterr().err

    if not browser.available():
        pytest.skip("chromium / chromium-driver not installed")
    seen = browser.view(folder / "index.html", folder / "screenshot.png")
    assert seen.console_errors == []
    assert seen.sections[:2] == ["headline", "funnel"] and "quality" in seen.sections
    assert seen.charts and all(c["marks"] > 0 for c in seen.charts), seen.charts
    assert all(e.startswith(("No data to show: ", "No checks to show: ",
                             "No open SLA breaches: ")) for e in seen.empty), seen.empty


def test_the_inbox_sensor_finds_nothing_to_load_after_leadflow_run(first_run):
    """`make ui` after `make demo` starts no run: every file `leadflow run` loaded is in
    the ledger the sensor reads (judged an hour later, past the files' settling time)."""
    from pipelines.resources import InboxResource, WarehouseResource
    from pipelines.sensors import read_ledger, unloaded_files

    ledger = read_ledger(WarehouseResource(path=str(first_run.warehouse)))
    assert len(ledger.versions) == counts(first_run)["files"]
    inbox = InboxResource(path=str(first_run.inbox))
    assert unloaded_files(inbox, ledger, now=time.time() + 3600) == {}


def test_a_second_run_over_the_same_inbox_changes_no_row_count(first_run, capsys):
    first = counts(first_run)  # the module's environment still points at first_run
    assert main(["run", "--log-level", "ERROR"]) == 0
    assert counts(first_run) == first
    # the seeds are unchanged, so not reloaded: every later step still runs
    instance = get_instance(first_run)
    run = instance.get_runs(limit=1)[0]
    skipped = [s.step_key for s in instance.get_run_step_stats(run.run_id)
               if s.status.name != "SUCCESS"]
    assert skipped == []
    assert {"leadflow_dbt_scored", "leadflow_dbt_activation"} <= {
        s.step_key for s in instance.get_run_step_stats(run.run_id)}
    capsys.readouterr()


def test_a_full_refresh_after_a_run_rebuilds_the_loaded_seeds(first_run, capsys):
    """The seeds a run loaded are rebuilt, not reported unchanged, by a full refresh: the
    build's outputs name each seed once (the scheduled Sunday run, which tests every row,
    takes the same path)."""
    first = counts(first_run)
    assert main(["run", "--full-refresh", "--log-level", "ERROR"]) == 0
    assert counts(first_run) == first
    capsys.readouterr()
