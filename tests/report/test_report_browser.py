"""The report as a person sees it: rendered by headless Chromium (Debian packages chromium
and chromium-driver, installed by .ci/run), no console errors, every chart drawn with data,
every section present, and a screenshot saved."""

from __future__ import annotations

import os

import pytest

from pipelines.report import browser
from pipelines.report.build import write

SECTIONS = ["headline", "funnel", "cohorts", "attribution", "sales", "speed", "scores",
            "drift", "quality"]


@pytest.fixture(autouse=True)
def _chromium():
    if not browser.available():
        if os.environ.get("CI"):
            pytest.fail("chromium and chromium-driver are missing (.ci/run installs them)")
        pytest.skip("chromium / chromium-driver not installed")


def test_report_renders_in_chromium(report_data, tmp_path):
    built = write(report_data, tmp_path / "reports")
    shot = tmp_path / "report.png"
    seen = browser.view(built.index, shot)
    assert seen.console_errors == []
    assert seen.sections == SECTIONS
    assert seen.empty == []
    assert len(seen.charts) >= 15
    for chart in seen.charts:
        assert chart["points"] > 0 and chart["marks"] == chart["points"], chart
    assert set(seen.tables) >= {"funnel", "channel_roi", "calibration", "lift", "checks"}
    assert seen.tiles == ["leads", "win_rate"]  # the period comparisons are drawn
    assert seen.alert.startswith("Checks of run 01234567: 1 warned of 3.")
    assert shot.stat().st_size > 50_000 and shot.read_bytes()[:4] == b"\x89PNG"


def test_console_errors_and_blank_charts_are_caught(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html><body><figure class="chart" data-chart="x" '
                    'data-points="1"><svg><path d="M 1 x"/><rect data-value="1" width="0" '
                    'height="0"/></svg></figure><script>console.error("boom")</script>'
                    "</body></html>")
    seen = browser.view(page)
    assert any("boom" in e for e in seen.console_errors), seen.console_errors
    assert seen.charts == [{"name": "x", "points": 1, "marks": 0}]
