"""`leadflow import`: turn a CSV export into an inbox file of one source, all or nothing.

The mapping (``mapping.py``) says how the export's columns become the source's columns;
the transformation and every check run in DuckDB (``transform.py``). If any row has a
problem, nothing is written and the problems come back as ``file:row: column: reason``.
Otherwise the result is written to a hidden file in ``<inbox>/<source>/`` (ingestion and
the sensor skip hidden files) and renamed into place in one step. Its name is derived from
the bytes of the mapping, the inputs and the lookups, so importing the same files twice
gives the same file, which ingestion records as a duplicate and loads nothing from.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.importer import transform
from pipelines.importer.mapping import Mapping, MappingError, load
from pipelines.importer.transform import RowError
from pipelines.ingest.detect import sha256_of

__all__ = ["ImportFailed", "ImportResult", "MappingError", "load", "run_import"]

# part of every output name: a change to how outputs are written gives new names
OUTPUT_VERSION = "1"


class ImportFailed(Exception):
    """Rows with problems; ``errors`` holds the first ones, ``total`` counts them all."""

    def __init__(self, total: int, errors: list[RowError]):
        self.total, self.errors = total, errors
        super().__init__(f"{total:,} problem(s) in the input; nothing was written to the inbox")


@dataclass
class ImportResult:
    mapping: Mapping
    output: Path
    rows_read: int
    rows_written: int
    rows_skipped: int
    formula_cells: int
    unchanged: bool  # the same import was already in the inbox
    inputs: list[str] = field(default_factory=list)


def _lookup_path(spec_file: str, first_input: Path, overrides: dict[str, Path],
                 name: str) -> Path:
    if name in overrides:
        return overrides[name]
    path = Path(spec_file).expanduser()
    return path if path.is_absolute() else first_input.parent / path


def output_name(mapping: Mapping, digests: list[str]) -> str:
    h = hashlib.sha256(OUTPUT_VERSION.encode())
    h.update(mapping.path.read_bytes())
    for digest in digests:
        h.update(digest.encode())
    return f"{mapping.name}-{h.hexdigest()[:16]}.csv"


def run_import(mapping_path: Path, files: list[str], inbox: Path,
               lookups: dict[str, Path] | None = None,
               temp_dir: Path | None = None) -> ImportResult:
    """Import ``files`` with the mapping at ``mapping_path`` into ``inbox``.

    Raises MappingError (a one-line problem with the mapping or a file) or ImportFailed
    (row problems); in both cases the inbox is left as it was.
    """
    mapping = load(mapping_path)
    if not files:
        raise MappingError("no input files given")
    overrides = dict(lookups or {})
    unknown = sorted(set(overrides) - set(mapping.lookups))
    if unknown:
        raise MappingError(f"--lookup {unknown[0]}: the mapping has no lookup of that name "
                           f"(it has: {', '.join(mapping.lookups) or 'none'})")
    inputs = [transform.open_csv(f, Path(f)) for f in files]
    lookup_inputs = {
        lk.name: transform.open_csv(
            str(p := _lookup_path(lk.file, inputs[0].path, overrides, lk.name)), p)
        for lk in mapping.lookups.values()
    }
    con = duckdb.connect(config={"autoinstall_known_extensions": "false"})
    try:
        con.execute("SET TimeZone = 'UTC'")
        if temp_dir is not None:
            temp_dir.mkdir(parents=True, exist_ok=True)
            con.execute(f"SET temp_directory = {transform.lit(temp_dir.as_posix())}")
        _check_timezones(con, mapping)
        try:
            transform.load_inputs(con, mapping, inputs)
            for lk in mapping.lookups.values():
                transform.load_lookup(con, mapping, lk, lookup_inputs[lk.name])
            skipped = transform.build_mapped(con, mapping)
            total, errors = transform.find_errors(con, mapping, inputs)
        except duckdb.Error as exc:
            raise MappingError(_one_line(exc)) from None
        if total:
            raise ImportFailed(total, errors)
        rows_read = con.execute("SELECT count(*) FROM _in").fetchone()[0]
        digests = [sha256_of(i.path) for i in inputs] + \
            [sha256_of(lookup_inputs[n].path) for n in sorted(lookup_inputs)]
        folder = inbox / mapping.source.name
        final = folder / output_name(mapping, digests)
        written = con.execute("SELECT count(*) FROM _mapped").fetchone()[0]
        formulas = transform.formula_cells(con, mapping)
        unchanged = final.exists()
        if not unchanged:
            _write_atomically(con, mapping, folder, final)
        return ImportResult(mapping, final, rows_read, written, skipped, formulas, unchanged,
                            [i.label for i in inputs])
    finally:
        con.close()


def _check_timezones(con, mapping: Mapping) -> None:
    for spec in mapping.columns:
        if spec.date_formats and spec.timezone.upper() != "UTC":
            try:
                con.execute("SELECT timezone(?, TIMESTAMP '2000-01-01')", [spec.timezone])
            except duckdb.Error:
                raise MappingError(f"{mapping.path}: columns.{spec.name}.timezone: unknown "
                                   f"time zone {spec.timezone!r} (e.g. America/Sao_Paulo)"
                                   ) from None


def _write_atomically(con, mapping: Mapping, folder: Path, final: Path) -> None:
    """Write to a hidden file beside the target, flush it to disk, rename it into place."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{final.name}.{os.getpid()}.importing"
    try:
        transform.copy_out(con, mapping, tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


def _one_line(exc: Exception) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__
