"""No writer outlives its run: a guardian process ends the children of a writer that died.

dbt runs as a child process of the run (dagster-dbt starts it), and a child does not die
with its parent: after ``kill -9`` of ``leadflow run`` the dbt build ran on, writing the
warehouse, while the writer lock, released with the run's file descriptors, let a new run
start beside it.

While a process holds the writer lock with its children guarded (pipelines/resources.py),
every process it starts carries a token in its environment (``TOKEN_VARIABLE``; dbt gets
the run's environment), and a guardian process watches it. The guardian shares the lock's
open file, so the lock stays held as long as the guardian lives. When the holder releases
the lock it tells the guardian so, and the guardian ends. When the holder dies instead
(its end of the guardian's stdin closes without that word), the guardian kills every
process carrying the token, waits until they are gone, and only then ends, releasing the
lock. Linux only (it reads ``/proc``); elsewhere the lock alone guards the warehouse.

Run as ``python -m pipelines.processes TOKEN`` by :class:`ChildGuard`, nothing else.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

TOKEN_VARIABLE = "LEADFLOW_WRITER_TOKEN"
RELEASED = b"released\n"
GIVE_UP_SECONDS = 30.0


def supported() -> bool:
    return sys.platform.startswith("linux") and Path("/proc/self/environ").exists()


def processes_carrying(token: str) -> list[int]:
    """PIDs of live processes whose environment holds ``TOKEN_VARIABLE=token``."""
    marker = f"{TOKEN_VARIABLE}={token}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            environ = Path(f"/proc/{entry}/environ").read_bytes()
        except OSError:  # gone meanwhile, a zombie, or another user's
            continue
        if marker in environ.split(b"\0"):
            found.append(int(entry))
    return found


def end_processes_carrying(token: str, give_up: float = GIVE_UP_SECONDS) -> list[int]:
    """SIGKILL every process carrying ``token`` until none is left; the PIDs ended."""
    ended: list[int] = []
    deadline = time.monotonic() + give_up
    while (alive := processes_carrying(token)) and time.monotonic() < deadline:
        for pid in alive:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                continue
            if pid not in ended:
                ended.append(pid)
        time.sleep(0.05)
    return ended


class ChildGuard:
    """The guardian of one lock holder: started with the lock's file descriptor, so the
    lock is held until the guardian has ended the holder's children. ``stop()`` when the
    holder releases the lock normally."""

    def __init__(self, lock_fd: int) -> None:
        self.token = uuid.uuid4().hex
        env = {k: v for k, v in os.environ.items() if k != TOKEN_VARIABLE}
        self._process = subprocess.Popen(
            [sys.executable, "-m", "pipelines.processes", self.token],
            stdin=subprocess.PIPE, pass_fds=(lock_fd,), start_new_session=True, env=env,
            cwd=Path(__file__).resolve().parents[1],
        )
        self._previous = os.environ.get(TOKEN_VARIABLE)
        os.environ[TOKEN_VARIABLE] = self.token  # every child started from now on

    def stop(self) -> None:
        if self._previous is None:
            os.environ.pop(TOKEN_VARIABLE, None)
        else:
            os.environ[TOKEN_VARIABLE] = self._previous
        try:
            self._process.communicate(RELEASED, timeout=GIVE_UP_SECONDS)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


def _guard(token: str) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C is the holder's to handle
    word = sys.stdin.buffer.read()  # until the holder says so or its end closes with it
    if word == RELEASED:
        return 0
    ended = end_processes_carrying(token)
    if ended:
        print(f"leadflow: the run holding the warehouse died; ended its processes "
              f"{', '.join(map(str, ended))}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(_guard(sys.argv[1]))
