"""The progress display: one plain line per phase off a terminal, a line rewritten in
place on one, never a colour code."""

from __future__ import annotations

import io

from pipelines.cli.progress import PhaseDisplay


def test_off_a_terminal_each_phase_is_one_line_when_it_ends():
    out = io.StringIO()
    display = PhaseDisplay(out, tty=False)
    for done in range(1, 4):
        display.update("ingest", f"{done}/3 sources")
    display.update("dbt 1/3", "10/76 models")
    display.finish("dbt 1/3", "76/76 models")
    lines = out.getvalue().splitlines()
    assert [line.rsplit("  ", 1)[0] for line in lines] == ["ingest      3/3 sources",
                                                       "dbt 1/3     76/76 models"]
    assert "\r" not in out.getvalue() and "\x1b" not in out.getvalue()


def test_on_a_terminal_the_phase_line_is_rewritten_then_kept():
    out = io.StringIO()
    display = PhaseDisplay(out, every=0.0, tty=True)
    display.update("ingest", "1/3 sources")
    display.update("ingest", "2/3 sources")
    display.finish("ingest", "3/3 sources")
    text = out.getvalue()
    assert text.count("\r") >= 3 and text.count("\n") == 1 and "\x1b" not in text
    assert text.rstrip().split("\r")[-1].startswith("ingest      3/3 sources")
