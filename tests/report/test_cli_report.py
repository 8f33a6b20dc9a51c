"""`leadflow report` refuses bad input with one line and exit code 2."""

from __future__ import annotations

import pytest

from pipelines.cli import main


def test_no_warehouse_yet(lf_paths, capsys):
    assert main(["report"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("leadflow: error: no warehouse at ") and "\n" not in err


def test_warehouse_without_report_tables(lf_paths, con, capsys):
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    assert main(["report"]) == 2
    assert capsys.readouterr().err.strip() == (
        "leadflow: error: the warehouse has no report tables yet: run `leadflow run` first")


def test_bad_date_is_refused_by_the_parser(lf_paths, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "--date", "31/01/2026"])
    assert exit_info.value.code == 2
    assert "expected a date like 2026-01-31" in capsys.readouterr().err
