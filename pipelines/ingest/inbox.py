"""What lies in an inbox folder, found without following a link or opening a file.

Only regular files are ever read. A symbolic link (to a file or a folder, inside the inbox
or outside it) and a special file (named pipe, socket, device) is an entry the loader
quarantines whole with the reason from :func:`refusal`, and never opens: a link could point
at any file of the machine, and a named pipe would block the run. Folders are walked
without following links. Hidden entries and partial downloads are skipped, as before.
"""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

PARTIAL_SUFFIXES = (".tmp", ".part", ".crdownload")
ONLY_REGULAR = "only regular files in the inbox are read"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InboxEntry:
    """One entry of a source folder, as ``lstat`` describes it (nothing followed)."""

    path: Path
    size: int
    modified_at: datetime
    mtime_ns: int
    refusal: str | None  # why it is never read; None for a regular file

    @property
    def is_regular(self) -> bool:
        return self.refusal is None


def refusal(mode: int) -> str | None:
    """The quarantine reason for an entry of this ``st_mode``, None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    what = (
        "symbolic link: not followed" if stat.S_ISLNK(mode)
        else "named pipe (FIFO): not read" if stat.S_ISFIFO(mode)
        else "socket: not read" if stat.S_ISSOCK(mode)
        else "device file: not read" if stat.S_ISBLK(mode) or stat.S_ISCHR(mode)
        else "special file: not read"
    )
    return f"{what} ({ONLY_REGULAR})"


def _skipped(name: str) -> bool:
    return name.startswith(".") or name.endswith(PARTIAL_SUFFIXES)


def scan(folder: Path) -> list[InboxEntry]:
    """Every entry under ``folder`` in a stable order: regular files and refused ones.
    Sub-folders are walked; links to folders are entries, not walked."""
    if folder.is_symlink():
        log.warning("%s is a symbolic link: not followed (%s)", folder, ONLY_REGULAR)
        return []
    if not folder.is_dir():
        return []
    found: list[InboxEntry] = []
    pending = [folder]
    while pending:
        with os.scandir(pending.pop()) as listing:
            for item in listing:
                if _skipped(item.name):
                    continue
                info = item.stat(follow_symlinks=False)
                if stat.S_ISDIR(info.st_mode):
                    pending.append(Path(item.path))
                    continue
                found.append(InboxEntry(
                    Path(item.path), info.st_size,
                    datetime.fromtimestamp(info.st_mtime, tz=UTC), info.st_mtime_ns,
                    refusal(info.st_mode),
                ))
    return sorted(found, key=lambda e: e.path)


def inbox_files(folder: Path) -> list[Path]:
    """The regular files of one source folder, in a stable order."""
    return [e.path for e in scan(folder) if e.is_regular]
