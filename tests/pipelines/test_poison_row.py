"""The issue's check: a file with one bad enum row among good rows, dropped into a demo
inbox; `leadflow run` succeeds, the good rows reach the marts, the bad row waits in the
quarantine with its reason, and the next run is green too."""

from __future__ import annotations

import shutil

import pytest

from pipelines.cli import main
from pipelines.resources import open_duckdb
from tests.inbox_files import web_event, write_rows

pytestmark = pytest.mark.e2e


def test_a_poison_row_is_held_and_every_mart_builds_with_the_others(sample_run, lf_paths,
                                                                   capsys):
    shutil.copytree(sample_run, lf_paths.data, dirs_exist_ok=True)  # the demo inbox, run
    rows = [web_event(i, event_id=f"poison-test-{i}", email="jane.doe@example.com")
            for i in range(1, 6)]
    rows[2]["event_type"] = "pv"
    write_rows(lf_paths.inbox / "web" / "poison.jsonl", rows, "jsonl")

    assert main(["run", "--log-level", "ERROR"]) == 0
    assert "succeeded" in capsys.readouterr().out
    with open_duckdb(lf_paths.warehouse, read_only=True) as con:
        held = con.execute("SELECT row_number, reason FROM raw._quarantine "
                           "WHERE path = 'web/poison.jsonl'").fetchall()
        staged = con.execute("SELECT count(*) FROM staging.stg_web__events "
                             "WHERE event_id LIKE 'poison-test-%'").fetchone()[0]
        touches = con.execute("SELECT count(*) FROM marts.fct_touchpoints").fetchone()[0]
        leads = con.execute("SELECT count(*) FROM marts.dim_leads").fetchone()[0]
    assert held == [(3, "unknown event_type pv "
                        "(expected one of page, track, identify, screen, alias, group)")]
    assert staged == 4 and touches > 0 and leads > 0

    assert main(["run", "--log-level", "ERROR"]) == 0  # and the next run is green
