"""The progress display of long commands, on stderr: on a terminal one line per phase,
rewritten in place while the phase runs; elsewhere (a pipe, a log file, CI) one plain
line per phase when it ends. Never colour codes."""

from __future__ import annotations

import shutil
import sys
import time
from typing import TextIO


class PhaseDisplay:
    """``update(phase, text)`` while a phase runs, ``finish(phase, text)`` when it ends.
    A new phase finishes the one before it."""

    def __init__(self, stream: TextIO | None = None, every: float = 0.2,
                 tty: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.every = every
        self.phase: str | None = None
        self.text = ""
        self.started = 0.0
        self.drawn = 0.0

    def _line(self, phase: str, text: str, seconds: float) -> str:
        return f"{phase:<12}{text}  {seconds:.1f}s"

    def update(self, phase: str, text: str) -> None:
        now = time.monotonic()
        if phase != self.phase:
            self.close()
            self.phase, self.started, self.drawn = phase, now, 0.0
        self.text = text
        if self.tty and now - self.drawn >= self.every:
            self.drawn = now
            width = shutil.get_terminal_size((100, 20)).columns - 1
            line = self._line(phase, text, now - self.started)[:width]
            self.stream.write("\r" + line.ljust(width))
            self.stream.flush()

    def finish(self, phase: str, text: str) -> None:
        self.update(phase, text)
        self.close()

    def close(self) -> None:
        """End the current phase's line (its last text and time)."""
        if self.phase is None:
            return
        line = self._line(self.phase, self.text, time.monotonic() - self.started)
        if self.tty:
            width = shutil.get_terminal_size((100, 20)).columns - 1
            self.stream.write("\r" + line.ljust(width)[: max(width, len(line))] + "\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
        self.phase = None

    def note(self, line: str) -> None:
        """A line of its own (a warning), above the progress line."""
        phase, text = self.phase, self.text
        if self.tty and phase is not None:
            self.stream.write("\r" + " " * (shutil.get_terminal_size((100, 20)).columns - 1)
                              + "\r")
        self.stream.write(line + "\n")
        self.stream.flush()
        if self.tty and phase is not None:
            self.drawn = 0.0
            self.update(phase, text)
