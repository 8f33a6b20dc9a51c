"""The `leadflow` command: one-line errors, run and status over the sample inbox."""

from __future__ import annotations

import shutil
import sys

import pytest

from pipelines.cli import main
from pipelines.project import PROJECT_ROOT

SAMPLE_INBOX = PROJECT_ROOT / "data" / "sample" / "inbox"


def test_status_before_any_run_is_a_one_line_error(lf_paths, capsys):
    assert main(["status"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("leadflow: error: no warehouse") and "\n" not in err


@pytest.mark.parametrize("argv", [["generate", "--leads", "0"], ["generate", "--leads", "ten"],
                                  ["generate", "--end-date", "31/12/2025"], ["nonsense"]])
def test_bad_arguments_exit_non_zero_with_a_reason(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_run_then_status_over_the_sample_inbox(lf_paths, capsys):
    shutil.copytree(SAMPLE_INBOX, lf_paths.inbox, dirs_exist_ok=True)
    assert main(["run", "--log-level", "ERROR"]) == 0
    out = capsys.readouterr().out
    assert "raw/forms" in out and "succeeded" in out

    assert main(["status"]) == 0
    lines = capsys.readouterr().out.splitlines()
    table = {line.split()[0]: line.split() for line in lines[2:8]}
    assert set(table) == {"forms", "web", "email", "crm_deals", "crm_activities", "spend"}
    assert all(int(row[3].replace(",", "")) > 0 for row in table.values())  # rows loaded
    assert int(table["forms"][2]) == 2  # legacy export and empty file quarantined whole
    assert lines[-1].startswith("last run: daily") and "SUCCESS" in lines[-1]
    kpis = lines[lines.index("headline KPIs (marts.rpt_headline_kpis)") + 1:-2]
    assert len(kpis) == 17 and kpis[0].split()[0] == "Leads" and int(kpis[0].split()[-1]) > 0

    # a second run over the same inbox loads nothing new
    assert main(["run", "--log-level", "ERROR"]) == 0
    assert "new files     0" in capsys.readouterr().out
    main(["status"])
    assert capsys.readouterr().out.splitlines()[2:8] == lines[2:8]  # no count changed


def test_generate_without_the_dev_package_says_how_to_install_it(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "leadflow_dev.generator", None)  # as if not installed
    assert main(["generate", "--leads", "10"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("leadflow: error: the demo-data generator is a dev tool")
    assert "uv sync" in err and "\n" not in err
