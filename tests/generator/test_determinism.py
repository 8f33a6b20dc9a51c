"""Same (leads, days, seed, end_date) -> byte-identical files, also across interpreter runs
with a different hash seed; another seed -> different data; re-running replaces files."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from leadflow_dev.generator import generate

from .conftest import END

ARGS = dict(leads=400, days=120, end_date=END)


def digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def run(root: Path, seed: int) -> dict[str, str]:
    generate(root / "inbox", root / "truth.parquet", seed=seed, **ARGS)
    return digests(root)


def test_same_inputs_give_byte_identical_files_across_processes(tmp_path):
    first = run(tmp_path / "a", seed=3)
    script = (
        "import sys, datetime; from pathlib import Path; "
        "from leadflow_dev.generator import generate; "
        "r = Path(sys.argv[1]); generate(r / 'inbox', r / 'truth.parquet', leads=400, days=120, "
        "seed=3, end_date=datetime.date(2025, 6, 30))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "b")],
        check=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    second = digests(tmp_path / "b")
    assert len(first) >= 40
    assert first == second


def test_another_seed_gives_different_data(tmp_path):
    a, b = run(tmp_path / "a", seed=1), run(tmp_path / "b", seed=2)
    assert a.keys() == b.keys()
    differing = [k for k in a if a[k] != b[k]]
    # everything with content differs (the empty file is the same by design)
    assert len(differing) == len(a) - 1


def test_rerun_into_same_inbox_replaces_generated_files(tmp_path):
    generate(
        tmp_path / "inbox", tmp_path / "truth.parquet", leads=900, days=60, seed=5, end_date=END
    )
    summary = generate(
        tmp_path / "inbox", tmp_path / "truth.parquet", leads=100, days=60, seed=5, end_date=END
    )
    for source, n in summary.files.items():
        assert len(list((tmp_path / "inbox" / source).iterdir())) == n, source


@pytest.mark.parametrize("kwargs", [dict(leads=10), dict(leads=500, days=3)])
def test_rejects_unusable_sizes(tmp_path, kwargs):
    with pytest.raises(ValueError):
        generate(tmp_path / "inbox", tmp_path / "truth.parquet", **{"days": 365, **kwargs})
