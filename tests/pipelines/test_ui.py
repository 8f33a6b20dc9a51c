"""`make ui` stops on SIGTERM (and Ctrl-C) within a bounded time and leaves no process
behind, even when started in the background (SIGINT ignored, as a shell's `&` does)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from pipelines.project import PROJECT_ROOT

pytestmark = pytest.mark.e2e

START_SECONDS = 150  # the code server loads the definitions (the dbt manifest) first
STOP_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _group(pgid: int) -> list[int]:
    """The live (not zombie) processes of a process group."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(entry.name))
    return alive


def _serving(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table in /proc")
def test_the_ui_stops_on_sigterm_and_leaves_no_process(lf_paths):
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(PROJECT_ROOT)}
    ui = subprocess.Popen(
        [sys.executable, "-m", "pipelines.ui", "--port", str(port)], cwd=PROJECT_ROOT,
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        while not _serving(port):
            assert ui.poll() is None, ui.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "the UI did not start"
            time.sleep(1)
        ui.send_signal(signal.SIGTERM)
        ui.wait(timeout=STOP_SECONDS)
        left = _group(ui.pid)
        deadline = time.monotonic() + 10  # children reaped by init a moment later
        while left and time.monotonic() < deadline:
            time.sleep(0.5)
            left = _group(ui.pid)
        assert left == []
        assert b"SupersessionWarning" not in ui.stderr.read()
    finally:
        for pid in _group(ui.pid):
            os.kill(pid, signal.SIGKILL)
        if ui.poll() is None:
            ui.kill()
            ui.wait()
