"""What a file is: its compression and format (sniffed from its bytes, not its name),
its content hash, and its first line."""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import stat
import zlib
from dataclasses import dataclass
from pathlib import Path

GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"
_NORMALISE = re.compile(r"[^0-9a-z]+")


class UnreadableFile(Exception):
    """The file as a whole cannot be ingested; the message is the quarantine reason."""


@dataclass(frozen=True)
class FileKind:
    format: str  # csv | jsonl | parquet
    compression: str  # none | gzip
    delimiter: str = ","


def open_regular(path: Path):
    """``open(path, "rb")`` for a regular file only: a symbolic link is not followed and a
    named pipe or device is not read (the inbox scan refuses them; this closes the gap of
    an entry replaced between the scan and the read)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if os.path.islink(path):
            raise UnreadableFile("symbolic link: not followed") from None
        raise UnreadableFile(f"cannot open: {exc.strerror}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UnreadableFile("not a regular file: not read")
    return os.fdopen(fd, "rb")


def sha256_of(path: Path, chunk: int = 1 << 22, *, inbox: bool = False) -> str:
    """The file's sha256; of an inbox file (``inbox``) only through :func:`open_regular`."""
    h = hashlib.sha256()
    with (open_regular(path) if inbox else open(path, "rb")) as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def _head(path: Path, compression: str, size: int = 1 << 16) -> bytes:
    try:
        with open_regular(path) as raw:
            if compression == "gzip":
                with gzip.open(raw, "rb") as f:
                    return f.read(size)
            return raw.read(size)
    except (OSError, EOFError, zlib.error) as exc:
        raise UnreadableFile(f"corrupt gzip: {exc}") from None


def detect(path: Path) -> FileKind:
    """Sniff compression and format from the leading bytes."""
    with open_regular(path) as f:
        magic = f.read(4)
    if not magic:
        raise UnreadableFile("empty file (0 bytes)")
    compression = "gzip" if magic[:2] == GZIP_MAGIC else "none"
    head = _head(path, compression)
    if head.startswith(PARQUET_MAGIC):
        return FileKind("parquet", compression)
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if not text:
        raise UnreadableFile("empty file (no data rows)")
    if b"\x00" in head:
        raise UnreadableFile("binary file: not CSV, JSON Lines or Parquet")
    if text[:1] in (b"{", b"["):
        return FileKind("jsonl", compression)
    first_line = text.split(b"\n", 1)[0]
    delimiter = max((",", ";", "\t", "|"), key=lambda d: first_line.count(d.encode()))
    return FileKind("csv", compression, delimiter)


def first_line(path: Path, kind: FileKind) -> str:
    head = _head(path, kind.compression)
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    return text.split("\n", 1)[0].rstrip("\r")


def normalise_name(name: str) -> str:
    """`` First Name`` -> ``first_name``: how input column names map to canonical ones."""
    return _NORMALISE.sub("_", name.strip().lower()).strip("_")
