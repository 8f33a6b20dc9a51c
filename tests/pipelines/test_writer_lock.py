"""One writer at a time, and no writer outlives its run: a second run is refused in one
line at once (or waits, saying so), and the children of a run killed with ``kill -9``
are ended before the lock is free."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from pipelines import processes
from pipelines.cli import main
from pipelines.resources import WarehouseBusy, WarehouseResource, warehouse_lock

ROOT = Path(__file__).resolve().parents[2]
linux_only = pytest.mark.skipif(not processes.supported(), reason="the guardian reads /proc")

# holds the lock (guarding its children when argv[2] says so), starts `sleep`, says
# "ready <sleep pid>", then waits to be killed or for stdin to close
HOLDER = textwrap.dedent(
    """
    import subprocess, sys
    from pathlib import Path
    from pipelines.resources import warehouse_lock
    with warehouse_lock(Path(sys.argv[1]), guard_children=sys.argv[2] == "guard"):
        child = subprocess.Popen(["sleep", "300"])
        print("ready", child.pid, flush=True)
        sys.stdin.read()
        child.kill()
    """
)


def _hold(lock: Path, guard: bool = False) -> tuple[subprocess.Popen, int]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(lock), "guard" if guard else "plain"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    word, child = holder.stdout.readline().split()
    assert word == "ready"
    return holder, int(child)


def _alive(pid: int) -> bool:
    """Running (not gone, not a zombie waiting for its parent to reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_until(condition, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _free(lock: Path) -> bool:
    try:
        with warehouse_lock(lock):
            return True
    except WarehouseBusy:
        return False


def test_a_process_holding_the_lock_goes_on_under_it(lf_paths):
    warehouse = WarehouseResource(path=str(lf_paths.warehouse))
    with warehouse_lock(lf_paths.warehouse_lock), warehouse.connect() as con:
        assert con.execute("SELECT 1").fetchone() == (1,)  # a step inside a run's hold
    holder, _ = _hold(lf_paths.warehouse_lock)  # released: another process takes it
    holder.communicate("")


def test_a_second_writer_is_refused_at_once_naming_the_holder(lf_paths):
    holder, _ = _hold(lf_paths.warehouse_lock)
    try:
        started = time.monotonic()
        with pytest.raises(WarehouseBusy, match=rf"another Leadflow run \(pid {holder.pid}\) "
                                                "is writing the warehouse"):
            with WarehouseResource(path=str(lf_paths.warehouse)).connect():
                pass
        assert time.monotonic() - started < 1
    finally:
        holder.communicate("")


def test_a_second_run_is_refused_in_one_line_before_any_work(lf_paths, capsys):
    holder, _ = _hold(lf_paths.warehouse_lock)
    try:
        started = time.monotonic()
        assert main(["run"]) == 2
        assert time.monotonic() - started < 10
    finally:
        holder.communicate("")
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert err.startswith(f"leadflow: error: another Leadflow run (pid {holder.pid}) is "
                          "writing the warehouse") and err.endswith("or use --wait")
    assert not lf_paths.warehouse.exists()  # nothing was done


def test_a_waiting_writer_says_so_once_then_takes_the_lock(lf_paths):
    holder, child = _hold(lf_paths.warehouse_lock)
    said: list[str] = []
    subprocess.Popen(["sh", "-c", f"sleep 1; kill {holder.pid}"])
    started = time.monotonic()
    try:
        with warehouse_lock(lf_paths.warehouse_lock, on_wait=said.append):
            assert time.monotonic() - started > 0.9  # only once the holder was killed
            assert holder.wait(timeout=10) == -signal.SIGTERM
    finally:
        os.kill(child, signal.SIGKILL)
    assert len(said) == 1 and said[0].endswith("waiting for it to end"), said


@linux_only
def test_children_of_a_killed_holder_are_ended_before_the_lock_is_free(lf_paths):
    holder, child = _hold(lf_paths.warehouse_lock, guard=True)
    assert _alive(child)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert _wait_until(lambda: not _alive(child)), "the child outlived its killed parent"
    assert _wait_until(lambda: _free(lf_paths.warehouse_lock))


@linux_only
def test_without_the_guard_a_child_outlives_its_killed_parent(lf_paths):
    # the failure the guard exists for (and proof that the test above can fail)
    holder, child = _hold(lf_paths.warehouse_lock, guard=False)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    try:
        time.sleep(0.5)
        assert _alive(child)
    finally:
        os.kill(child, signal.SIGKILL)


@linux_only
def test_a_normal_release_ends_the_guard_and_forgets_the_token(lf_paths):
    with warehouse_lock(lf_paths.warehouse_lock, guard_children=True):
        token = os.environ[processes.TOKEN_VARIABLE]
        child = subprocess.Popen(["sleep", "30"])
        assert processes.processes_carrying(token) == [child.pid]
        child.kill()
        child.wait()
    assert processes.TOKEN_VARIABLE not in os.environ
    assert _free(lf_paths.warehouse_lock)


def _dbt_build_child(parent: int) -> int | None:
    """The `dbt build` process started by ``parent``, if there is one yet."""
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            argv = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue
        if ppid == parent and any(a.endswith(b"dbt") for a in argv) and b"build" in argv:
            return int(entry)
    return None


@linux_only
@pytest.mark.e2e
def test_kill_9_of_a_run_mid_dbt_leaves_no_process_and_the_next_run_succeeds(lf_paths):
    import shutil

    from pipelines.project import PROJECT_ROOT

    shutil.copytree(PROJECT_ROOT / "data" / "sample" / "inbox", lf_paths.inbox,
                    dirs_exist_ok=True)
    run = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "run", "--log-level", "ERROR"],
                           cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert _wait_until(lambda: _dbt_build_child(run.pid) is not None, 300), \
            run.stderr.read().decode() if run.poll() is not None else "no dbt build started"
        dbt = _dbt_build_child(run.pid)
        environ = Path(f"/proc/{dbt}/environ").read_bytes().split(b"\0")
        [token] = [v.split(b"=", 1)[1].decode() for v in environ
                   if v.startswith(processes.TOKEN_VARIABLE.encode() + b"=")]
        time.sleep(2)  # mid-build
        assert _alive(dbt)
    finally:
        os.kill(run.pid, signal.SIGKILL)
        run.wait()
    assert _wait_until(lambda: not _alive(dbt)), "dbt ran on after its run was killed"
    assert _wait_until(lambda: processes.processes_carrying(token) == [])
    assert _wait_until(lambda: _free(lf_paths.warehouse_lock))
    assert main(["run", "--log-level", "ERROR"]) == 0
