"""``generate()``: builds the population, then streams chunks of leads (sorted by creation
time) through the source modules, injects dirt and hands the tables to the background
writer; finally spend, the whole-file problems and the truth."""

from __future__ import annotations

import logging
import math
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from time import perf_counter

import numpy as np

from . import activities, crm, dirt, emails, forms, inject, spend, truth, web
from .core import Window, rng_for
from .people import build_population
from .writer import Writer

log = logging.getLogger(__name__)

SOURCES = ("forms", "web", "email", "crm_deals", "crm_activities", "spend")
MAX_CHUNK = 50_000
MIN_CHUNKS = 8
GENERATED = {
    "forms": ("forms_*.csv", "forms_*.csv.gz", "legacy_contacts_export.csv"),
    "web": ("events_*.jsonl.gz",),
    "email": ("events_*.jsonl",),
    "crm_deals": ("deals_*.csv",),
    "crm_activities": ("activities_*.parquet",),
    "spend": ("spend_*.csv",),
}


@dataclass
class GenerateSummary:
    """What ``generate`` wrote. ``rows`` counts records per source in readable files
    (data lines incl. dirty and malformed ones; not the corrupt .gz); ``dirt`` counts
    injected dirt per kind (rows, lines or files, see ``dirt.KINDS``)."""

    leads: int
    days: int
    seed: int
    end_date: date
    rows: dict[str, int]
    files: dict[str, int]
    dirt: dict[str, int]
    dirt_by_source: dict[str, dict[str, int]]
    converted: int
    seconds: float
    inbox_dir: Path = field(default=Path())
    truth_path: Path = field(default=Path())


class _Tally:
    def __init__(self) -> None:
        self.rows: Counter = Counter()
        self.files: Counter = Counter()
        self._lock = threading.Lock()

    def add(self, source: str, rows: int = 0, files: int = 0) -> None:
        with self._lock:
            self.rows[source] += rows
            self.files[source] += files


def chunk_plan(leads: int) -> list[tuple[int, int]]:
    size = min(MAX_CHUNK, max(1, math.ceil(leads / MIN_CHUNKS)))
    return [(lo, min(lo + size, leads)) for lo in range(0, leads, size)]


def _clean(inbox: Path) -> None:
    for source, patterns in GENERATED.items():
        for pattern in patterns:
            for f in (inbox / source).glob(pattern):
                f.unlink()
        for f in (inbox / source).glob(".*.tmp"):  # left by an interrupted run
            f.unlink()
    for extra in (inbox / "spend" / "spend_adjustments.csv",):
        extra.unlink(missing_ok=True)


def generate(
    inbox_dir: Path,
    truth_path: Path,
    leads: int,
    days: int = 365,
    seed: int = 42,
    end_date: date | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> GenerateSummary:
    """Write realistic inbox files for the six sources and the hidden truth.

    The output depends only on (leads, days, seed, end_date); ``end_date`` defaults to
    today (UTC). Files previously generated in ``inbox_dir`` are replaced."""
    if leads < 50:
        raise ValueError("leads must be at least 50")
    if days < 14:
        raise ValueError("days must be at least 14")
    t0 = perf_counter()
    inbox_dir, truth_path = Path(inbox_dir), Path(truth_path)
    report = progress or (lambda stage, done, total: None)
    window = Window(end_date or datetime.now(UTC).date(), days)
    _clean(inbox_dir)
    for s in SOURCES:
        (inbox_dir / s).mkdir(parents=True, exist_ok=True)
    truth_path.parent.mkdir(parents=True, exist_ok=True)
    report("population", 0, 1)
    pop = build_population(leads, window, seed)
    report("population", 1, 1)

    ledger, tally, writer = dirt.Ledger(), _Tally(), Writer()
    won = np.full(leads, crm.NEVER, dtype=np.int64)
    converted = np.zeros(leads, dtype=bool)  # the outcomes, after the sales response
    factor = np.full(leads, np.nan)
    plan = chunk_plan(leads)
    carry: dict[str, inject.Cols | None] = {"web": None, "email": None}
    try:
        for k, (lo, hi) in enumerate(plan):
            last = k == len(plan) - 1
            rows = _forms(pop, k, len(plan), lo, hi, seed, inbox_dir, writer, ledger, tally)
            report("forms", k + 1, len(plan))
            _web(pop, k, lo, hi, rows, seed, inbox_dir, writer, ledger, tally, carry, last)
            report("web", k + 1, len(plan))
            _email(pop, k, lo, hi, seed, inbox_dir, writer, ledger, tally, carry, last)
            report("email", k + 1, len(plan))
            tl = _crm(pop, k, lo, hi, rows, seed, inbox_dir, writer, ledger, tally)
            won[lo:hi], converted[lo:hi], factor[lo:hi] = (
                tl.won_us, tl.converted, tl.response_factor)
            report("crm", k + 1, len(plan))
        n_rows, n_files = spend.write_spend(pop, writer, inbox_dir, rng_for(seed, "spend"), ledger)
        tally.add("spend", n_rows, n_files)
        (inbox_dir / "spend" / "spend_adjustments.csv").write_bytes(b"")
        tally.add("spend", files=1)
        ledger.add("spend", dirt.EMPTY_FILE)
        report("spend", 1, 1)
        truth.write_truth(pop, won, converted, factor, truth_path, writer)
        writer.wait()
        report("truth", 1, 1)
    finally:
        writer.close()
    summary = GenerateSummary(
        leads=leads,
        days=days,
        seed=seed,
        end_date=window.end_date,
        rows={s: tally.rows[s] for s in SOURCES},
        files={s: tally.files[s] for s in SOURCES},
        dirt=ledger.totals(),
        dirt_by_source={s: dict(ledger.counts[s]) for s in SOURCES},
        converted=int(converted.sum()),
        seconds=round(perf_counter() - t0, 2),
        inbox_dir=inbox_dir,
        truth_path=truth_path,
    )
    log.info("generated %d leads in %.1fs: %s", leads, summary.seconds, summary.rows)
    return summary


def _forms(pop, k, n_chunks, lo, hi, seed, inbox, writer, ledger, tally):
    rng = rng_for(seed, "forms", k)
    rows, table = forms.build_forms(pop, lo, hi, rng, ledger)
    ext, drift, unclosed = forms.file_layout(k, n_chunks)
    post = None
    if ext == "csv":
        n_mal = ledger.quota("forms", dirt.MALFORMED_LINE, table.num_rows)
        fractions, flips = list(rng.uniform(0.05, 0.95, n_mal)), list(rng.random(n_mal))

        def post(path):
            added = forms.malform(path, fractions, flips, unclosed)
            ledger.add("forms", dirt.MALFORMED_LINE, added)
            tally.add("forms", rows=added)

    writer.submit(
        inbox / "forms" / f"forms_{k:04d}.{ext}", table, forms.select_sql(drift), ext, post
    )
    tally.add("forms", table.num_rows, 1)
    ledger.add("forms", dirt.SCHEMA_DRIFT_FILE, int(drift))
    if k == 0:  # a legacy export without the required e-mail column
        legacy = min(40, table.num_rows)
        sql = (
            f"SELECT submission_id, submitted_at, form_id, first_name, last_name, company, "
            f"job_title, country FROM ({forms.select_sql(False)}) LIMIT {legacy}"
        )
        writer.submit(inbox / "forms" / "legacy_contacts_export.csv", table, sql, "csv")
        tally.add("forms", legacy, 1)
        ledger.add("forms", dirt.MISSING_COLUMN_FILE)
    return rows


def _web(pop, k, lo, hi, rows, seed, inbox, writer, ledger, tally, carry, last):
    rng = rng_for(seed, "web", k)
    cols = web.build_web(pop, lo, hi, rows, rng)
    cols, carry["web"] = inject.events(cols, "web", rng, ledger, "anon_ok", carry["web"], not last)
    table = web.web_table(pop, cols, dirt.BAD_TIMESTAMPS)
    writer.submit(inbox / "web" / f"events_{k:04d}.jsonl.gz", table, web.SELECT_SQL, "jsonl.gz")
    tally.add("web", table.num_rows, 1)
    if k == 0:  # a re-sent batch whose upload was cut: a truncated gzip
        resend = table.slice(0, min(2000, max(1, table.num_rows // 2)))
        writer.submit(
            inbox / "web" / "events_resend_0000.jsonl.gz",
            resend,
            web.SELECT_SQL,
            "jsonl.gz",
            post=dirt.truncate_file,
        )
        tally.add("web", files=1)
        ledger.add("web", dirt.CORRUPT_GZIP_FILE)


def _email(pop, k, lo, hi, seed, inbox, writer, ledger, tally, carry, last):
    rng = rng_for(seed, "email", k)
    n_deferred = ledger.quota("email", dirt.UNKNOWN_VALUE, 10 * (hi - lo))
    cols = emails.build_email(pop, lo, hi, rng, n_deferred)
    ledger.add("email", dirt.UNKNOWN_VALUE, int((cols["event"] == emails.DEFERRED).sum()))
    cols, carry["email"] = inject.events(
        cols, "email", rng, ledger, "email_ok", carry["email"], not last
    )
    table = emails.email_table(pop, cols, dirt.BAD_TIMESTAMPS)
    n_mal = ledger.quota("email", dirt.MALFORMED_LINE, table.num_rows)
    fractions = list(rng.uniform(0.1, 0.9, n_mal))
    post = None
    if n_mal:

        def post(path):
            added = dirt.insert_lines(path, fractions, dirt.json_truncated)
            ledger.add("email", dirt.MALFORMED_LINE, added)
            tally.add("email", rows=added)

    writer.submit(
        inbox / "email" / f"events_{k:04d}.jsonl", table, emails.SELECT_SQL, "jsonl", post
    )
    tally.add("email", table.num_rows, 1)


def _crm(pop, k, lo, hi, rows, seed, inbox, writer, ledger, tally):
    rng = rng_for(seed, "crm", k)
    tl = crm.build_timeline(pop, lo, hi, rows.first_intent_us, rng)
    deal_cols, extra = inject.deals(crm.build_deals(pop, lo, tl, rng), rng, ledger)
    table = crm.deals_table(pop, deal_cols, extra)
    drift = k % 4 == 3
    n_mal = ledger.quota("crm_deals", dirt.MALFORMED_LINE, table.num_rows)
    fractions, flips = list(rng.uniform(0.1, 0.9, n_mal)), list(rng.random(n_mal))

    def post(path):
        flip = iter(flips)
        added = dirt.insert_lines(
            path,
            fractions,
            lambda line: (
                dirt.csv_extra_field(line, 1) if next(flip) < 0.5 else dirt.csv_missing_fields(line)
            ),
        )
        ledger.add("crm_deals", dirt.MALFORMED_LINE, added)
        tally.add("crm_deals", rows=added)

    writer.submit(
        inbox / "crm_deals" / f"deals_{k:04d}.csv",
        table,
        crm.select_sql(drift),
        "csv",
        post if n_mal else None,
    )
    tally.add("crm_deals", table.num_rows, 1)
    ledger.add("crm_deals", dirt.SCHEMA_DRIFT_FILE, int(drift))

    act = inject.activities(activities.build_activities(pop, lo, tl, rng), rng, ledger, (4, 5), 4)
    table = activities.activities_table(pop, act)
    writer.submit(
        inbox / "crm_activities" / f"activities_{k:04d}.parquet",
        table,
        activities.SELECT_SQL,
        "parquet",
    )
    tally.add("crm_activities", table.num_rows, 1)
    return tl
