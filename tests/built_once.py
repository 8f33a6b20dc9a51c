"""A session fixture's build done once for the whole test run, pytest-xdist workers
included: the first worker to ask builds it under the run's shared temp folder while
holding a lock, the others wait and get the same paths. The callers only read what was
built, or copy it before writing."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str,
               build: Callable[[Path], dict[str, Path]]) -> dict[str, Path]:
    """``build(folder)`` once per test run; its {name: path} result."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return build(tmp_path_factory.mktemp(name))
    shared = tmp_path_factory.getbasetemp().parent  # the run's folder, above each worker's
    work, record = shared / name, shared / name / "built.json"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if record.exists():
            return {key: Path(path) for key, path in json.loads(record.read_text()).items()}
        shutil.rmtree(work, ignore_errors=True)  # a worker's failed attempt
        work.mkdir()
        result = build(work)
        record.write_text(json.dumps({key: str(path) for key, path in result.items()}))
        return result
