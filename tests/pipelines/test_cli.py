"""The `leadflow` command: one-line errors, run and status over the sample inbox."""

from __future__ import annotations

import io
import os
import re
import shutil
import sys

import pytest

from pipelines.cli import main
from pipelines.cli import quarantine as quarantine_cli


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


PHASES = {"ingest", "dbt", "scoring", "activation", "report"}


def _ingest_line(err: str) -> str:
    return next(line for line in err.splitlines() if line.startswith("ingest"))


def test_run_then_status_over_the_sample_inbox(sample_run, sample_run_output, lf_paths,
                                              capsys):
    # the first run is the shared sample run (`leadflow run --log-level ERROR` over the
    # sample inbox into an empty data directory): its output, then its data directory
    run_out, run_err = sample_run_output
    shutil.copytree(sample_run, lf_paths.data, dirs_exist_ok=True)
    # quiet: one line per phase, no dbt line, no colour code; dbt's lines in the log
    assert {line.split()[0] for line in run_err.splitlines()} == PHASES, run_err
    assert "\x1b" not in run_err + run_out
    assert "dbt build" in (lf_paths.data / "logs" / "run.log").read_text()
    ingest = _ingest_line(run_err)
    assert "6/6 sources" in ingest and "forms" in ingest
    assert re.search(r"dbt 1/3 +(\d+)/\1 models, \d+ tests", run_err), run_err
    ran = run_out.splitlines()[-1]
    assert re.fullmatch(r"run \w{8} succeeded in [\d.]+s", ran), ran

    assert main(["status"]) == 0
    lines = capsys.readouterr().out.splitlines()
    table = {line.split()[0]: line.split() for line in lines[2:8]}
    assert set(table) == {"forms", "web", "email", "crm_deals", "crm_activities", "spend"}
    assert all(int(row[3].replace(",", "")) > 0 for row in table.values())  # rows loaded
    assert int(table["forms"][2]) == 2  # legacy export and empty file quarantined whole
    assert lines[-1].startswith("last run: daily") and "SUCCESS" in lines[-1]
    kpis = lines[lines.index("headline KPIs (marts.rpt_headline_kpis)") + 1:-2]
    assert len(kpis) == 17 and kpis[0].split()[0] == "Leads" and int(kpis[0].split()[-1]) > 0
    # run and status agree: the run's time, and what it quarantined (a first run: all)
    assert lines[-1].split()[3] == ran.split()[1] and lines[-1].endswith(ran.split()[-1])
    rows_held = sum(int(row[4].replace(",", "")) for row in table.values())
    files_held = sum(int(row[2]) for row in table.values())
    assert f"quarantined {rows_held:,} rows, {files_held} files" in ingest

    # dbt never parsed the whole project: the first step started from the project's own
    # parse, re-stamped for this warehouse, and the later steps from the first step's
    assert _full_parses(lf_paths) == {}

    # a second run over the same inbox loads nothing new
    assert main(["run", "--log-level", "ERROR"]) == 0
    again = _ingest_line(capsys.readouterr().err)
    assert "forms 0," in again and "quarantined 0 rows, 0 files" in again
    main(["status"])
    assert capsys.readouterr().out.splitlines()[2:8] == lines[2:8]  # no count changed
    assert _full_parses(lf_paths) == {}  # nor in the second run


def _full_parses(where) -> dict[str, int]:
    """How many times each dbt step folder of the warehouse parsed the whole project."""
    steps = (where.data / "warehouse.dbt").iterdir()
    counts = {step.name: sum(log.read_text().count('"code": "I024"')  # UnableToPartialParse
                             for log in step.glob("dbt.log*")) for step in steps}
    return {step: n for step, n in counts.items() if n}


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert re.fullmatch(r"leadflow \d+\.\d+\.\d+\S*\n", capsys.readouterr().out)


def test_a_reader_that_goes_away_ends_the_command_quietly(monkeypatch, capsys):
    # `leadflow model list | head -1`: the pipe closes while the command still prints
    read_end, write_end = os.pipe()
    os.close(read_end)
    stdout = io.TextIOWrapper(os.fdopen(write_end, "wb"), write_through=True)
    monkeypatch.setattr(sys, "stdout", stdout)

    def long_listing(args) -> int:
        for n in range(10_000):
            print(f"held row {n}")
        return 0

    monkeypatch.setattr(quarantine_cli, "cmd_quarantine", long_listing)
    try:
        assert main(["quarantine"]) == 1
    finally:
        stdout.close()  # its fd now points at /dev/null: closing raises nothing
    assert capsys.readouterr().err == ""


def test_generate_without_the_dev_package_says_how_to_install_it(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "leadflow_dev.generator", None)  # as if not installed
    assert main(["generate", "--leads", "10"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("leadflow: error: the demo-data generator is a dev tool")
    assert "uv sync" in err and "\n" not in err


def test_an_engine_that_is_none_is_refused_before_any_work(lf_paths, monkeypatch, capsys):
    monkeypatch.setenv("LEADFLOW_ENGINE", "postgres")
    assert main(["run"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == ("leadflow: error: LEADFLOW_ENGINE='postgres' names no engine: use duckdb "
                   "or spark") and not lf_paths.warehouse.exists()
    with pytest.raises(SystemExit):
        main(["run", "--engine", "postgres"])


def test_the_spark_engine_without_its_dependencies_says_what_to_install(
        lf_paths, monkeypatch, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "pyspark" else real(name, *a))
    monkeypatch.setenv("LEADFLOW_ENGINE", "duckdb")  # the flag wins over the variable
    assert main(["run", "--engine", "spark"]) == 2
    err = capsys.readouterr().err.strip()
    assert "`make venv-spark`" in err and "\n" not in err
    assert not lf_paths.warehouse.exists()
