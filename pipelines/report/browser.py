"""Look at a report the way a person does: open it in headless Chromium (the Debian
packages chromium and chromium-driver), collect console errors, count each chart's data
marks, list the sections, and save a full-page screenshot. Needs selenium (a dev
dependency); nothing here goes to the network.

    python -m pipelines.report.browser data/reports/<date>/index.html [screenshot.png]
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1400,1000")

INSPECT = """
const charts = [...document.querySelectorAll('figure.chart')].map(f => ({
  name: f.dataset.chart, points: Number(f.dataset.points),
  marks: [...f.querySelectorAll('[data-value]')].filter(m => {
    const b = m.getBoundingClientRect(); return b.width > 0 && b.height > 0; }).length}));
return {charts: charts,
        sections: [...document.querySelectorAll('section[data-section]')].map(s => s.id),
        empty: [...document.querySelectorAll('.empty')].map(e => e.textContent),
        tables: [...document.querySelectorAll('table[data-table]')].map(t => t.dataset.table),
        tiles: [...document.querySelectorAll('.kpi[data-kpi]')].filter(t => {
          const b = t.getBoundingClientRect(); return b.width > 0 && b.height > 0; })
          .map(t => t.dataset.kpi),
        alert: (document.getElementById('check-summary') || {}).innerText || null,
        height: document.documentElement.scrollHeight};
"""


@dataclass(frozen=True)
class PageView:
    console_errors: list[str]
    charts: list[dict]  # name, points (declared), marks (drawn, visible)
    sections: list[str]
    empty: list[str]  # the "no data" messages shown
    tables: list[str]
    screenshot: Path | None
    tiles: list[str] = ()  # the KPI tiles drawn (period comparisons)
    alert: str | None = None  # the checks summary at the top, as read


def available() -> bool:
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


def view(page: Path, screenshot: Path | None = None) -> PageView:
    """Open ``page`` (a local HTML file) in headless Chromium and report what it shows."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="leadflow-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.get(Path(page).resolve().as_uri())
        seen = driver.execute_script(INSPECT)
        errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        if screenshot is not None:
            driver.set_window_size(1400, min(int(seen["height"]) + 40, 16000))
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(screenshot))
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    return PageView(errors, seen["charts"], seen["sections"], seen["empty"], seen["tables"],
                    screenshot, seen["tiles"], seen["alert"])


def main(argv: list[str]) -> int:
    if not argv:
        sys.stderr.write(__doc__)
        return 2
    page = Path(argv[0])
    if not page.is_file():
        sys.stderr.write(f"browser: no report at {page}\n")
        return 2
    if not available():
        sys.stderr.write(f"browser: needs {CHROMIUM} and {CHROMEDRIVER} (Debian packages "
                         "chromium and chromium-driver)\n")
        return 2
    shot = Path(argv[1]) if len(argv) > 1 else page.with_name("screenshot.png")
    try:
        seen = view(page, shot)
    except ImportError:
        sys.stderr.write("browser: needs selenium (a dev dependency: uv sync)\n")
        return 2
    bare = [c["name"] for c in seen.charts if not c["marks"]]
    sys.stdout.write(f"{len(seen.sections)} sections, {len(seen.charts)} charts, "
                     f"{len(seen.tables)} tables; charts without data: {bare or 'none'}; "
                     f"'no data' messages: {len(seen.empty)}; console errors: "
                     f"{len(seen.console_errors)}; screenshot {shot}\n")
    for line in seen.console_errors + seen.empty:
        sys.stdout.write(f"  {line}\n")
    return 1 if bare or seen.console_errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
