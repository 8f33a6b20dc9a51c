"""`leadflow forget`: erase people everywhere Leadflow holds them, under the writer lock.

1. resolve each address to a person (key, keyed hash, lead_id, stitched visitors);
2. delete their rows from every table Python writes and erase their quarantined text;
   list them (and their visitors) on the suppression list, so ingestion holds them back;
3. rebuild dbt's tables from what remains (a full-refresh build), when anything changed;
4. rewrite the files under data/ that hold them (pipelines/privacy/erase_files.py);
5. scan every text column of every table for what still names them: that is the
   certificate's "not erased" (empty when complete), recorded in raw._erasures;
6. rewrite the DuckDB file into a fresh one, so deleted rows leave no bytes behind.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable

from pipelines.privacy import certificate, erase_files, erase_warehouse, suppression, traces
from pipelines.privacy.certificate import Certificate
from pipelines.privacy.dagster_storage import dagster_files
from pipelines.privacy.people import resolve
from pipelines.project import LeadflowPaths
from pipelines.resources import open_duckdb, warehouse_lock

log = logging.getLogger(__name__)


def _manifest():
    from pipelines.assets.dbt import MANIFEST

    return MANIFEST


def forget(where: LeadflowPaths, addresses: list[str], reason: str | None,
           on_wait: Callable[[str], None] | None = None,
           progress: Callable[[str], None] = lambda line: None) -> list[Certificate]:
    """Erase the people of ``addresses`` (checked first: :class:`InvalidAddress`); one
    certificate per person. Busy warehouse: ``WarehouseBusy``, or waits given ``on_wait``."""
    keys = list(dict.fromkeys(suppression.checked(a) for a in addresses))
    with warehouse_lock(where.warehouse_lock, guard_children=True, on_wait=on_wait):
        return _erase(where, keys, reason, progress)


def _erase(where: LeadflowPaths, keys: list[str], reason: str | None,
           progress: Callable[[str], None]) -> list[Certificate]:
    erasure_id = uuid.uuid4().hex[:16]
    requested_at = dt.datetime.now(dt.UTC)
    key = suppression.secret_key(where.data)
    built_by_dbt = erase_warehouse.dbt_relations(_manifest())
    con = open_duckdb(where.warehouse)
    try:
        people = resolve(con, keys, key)
        progress(f"erasing {len(people)} person(s) from the warehouse")
        removed = erase_warehouse.delete_rows(con, people, built_by_dbt)
        hashes = {p.person_hash: "email" for p in people}
        hashes |= {suppression.keyed_hash(key, a): "anonymous_id"
                   for p in people for a in p.anonymous_ids}
        suppression.add(con, hashes, erasure_id)
        left_in_dbt = traces.scan_tables(con, built_by_dbt)
    finally:
        con.close()
    certs = {p.person_hash: Certificate(erasure_id, p.person_hash, requested_at, reason,
                                        dict(removed[p.person_hash])) for p in people}
    if any(removed.values()) or left_in_dbt:
        progress("rebuilding the dbt models from the remaining rows (full refresh)")
        if (problem := erase_warehouse.rebuild_dbt(where)) is not None:
            for cert in certs.values():
                cert.not_erased.append(problem)
    _erase_files(where, people, certs, progress)
    con = open_duckdb(where.warehouse)
    try:
        erase_warehouse.load_people(con, people)
        for person_hash, places in traces.scan_tables(con).items():
            certs[person_hash].not_erased += [f"table column {p}" for p in places]
        certificate.ensure_table(con)
        for cert in certs.values():
            cert.completed_at = dt.datetime.now(dt.UTC)
            certificate.record(con, cert)
    finally:
        con.close()
    progress("rewriting the warehouse file without the deleted rows' bytes")
    before, after = erase_warehouse.rewrite_database(where.warehouse)
    log.info("warehouse rewritten: %d -> %d bytes", before, after)
    return list(certs.values())


def _erase_files(where: LeadflowPaths, people, certs: dict[str, Certificate],
                 progress: Callable[[str], None]) -> None:
    """Rewrite the files that name them; then scan every file under data/ (Dagster's
    storage included) for what still does."""
    progress("rewriting the files under the data directory that name them")
    rewritten, problems = erase_files.erase_files(where, people)
    for person_hash, files in rewritten.items():
        certs[person_hash].files_rewritten.update(files)
    for cert in certs.values():
        cert.not_erased += problems
    for person_hash, files in erase_files.scan(where, people, dagster_files(where)).items():
        certs[person_hash].not_erased += [f"file {f}" for f in files
                                          if f"file {f}" not in " ".join(problems)]
