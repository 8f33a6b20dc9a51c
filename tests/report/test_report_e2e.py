"""The report from generated data through the daily run: the asset writes it with the
headline KPIs as metadata, `leadflow report` rewrites it, and Chromium shows every section
with data or with the reason it has none."""

from __future__ import annotations

import dagster as dg
import pandas as pd
import pytest

from pipelines.assets.reports import REPORT
from pipelines.cli import main
from pipelines.instance import get_instance
from pipelines.report import browser

pytestmark = pytest.mark.e2e


def test_daily_run_writes_the_report(lf_paths, capsys):
    assert main(["generate", "--leads", "1500", "--days", "120", "--seed", "7",
                 "--end-date", "2026-06-30"]) == 0
    assert main(["run", "--log-level", "ERROR"]) == 0

    event = get_instance(lf_paths).get_latest_materialization_event(REPORT)
    assert event is not None
    meta = event.asset_materialization.metadata
    index = meta["report"].value
    assert index.endswith("/index.html") and meta["leads"].value > 0
    assert isinstance(meta["win_rate"], dg.FloatMetadataValue | dg.TextMetadataValue)
    assert meta["checks_evaluated"].value > 0
    folder = lf_paths.reports / meta["report_date"].value
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
