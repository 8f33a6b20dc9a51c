"""Row-level dirt applied to generated column arrays (dicts of equal-length numpy arrays)
before they are turned into Arrow tables: broken timestamps, missing required values,
duplicate deliveries, late arrivals (events held back into the next file), unknown values
and the extra dirty rows of the deal export."""

from __future__ import annotations

import numpy as np

from . import dirt
from .core import DAY

Cols = dict[str, np.ndarray]


def take(cols: Cols, idx: np.ndarray) -> Cols:
    return {k: v[idx] for k, v in cols.items()}


def concat(a: Cols, b: Cols) -> Cols:
    return {k: np.concatenate([a[k], b[k]]) for k in a}


def events(
    cols: Cols,
    source: str,
    rng,
    ledger: dirt.Ledger,
    missing_key: str,
    carry_in: Cols | None,
    hold_back: bool,
) -> tuple[Cols, Cols | None]:
    """Dirt for an event file (web or email). Returns (rows to write, rows held back to be
    appended to the next file as late arrivals)."""
    n = len(cols["ts"])
    held = None
    if hold_back and n > 10:
        k = ledger.quota(source, dirt.LATE_ARRIVING, n)
        early = max(k, n // 100)
        pos = dirt.pick(rng, early, k)
        mask = np.ones(n, bool)
        mask[pos] = False
        held, cols = take(cols, pos), take(cols, np.flatnonzero(mask))
        n = len(cols["ts"])
    kinds = (dirt.BAD_TIMESTAMP, dirt.MISSING_REQUIRED, dirt.DUPLICATE_EVENT)
    ks = [ledger.quota(source, kind, n) for kind in kinds]
    bad, missing, dup = dirt.pick_disjoint(rng, n, ks)
    cols["bad"][bad] = rng.integers(0, len(dirt.BAD_TIMESTAMPS), len(bad))
    cols[missing_key][missing] = False
    cols = take(cols, np.sort(np.concatenate([np.arange(n), dup]), kind="stable"))
    for kind, pos in zip(kinds, (bad, missing, dup), strict=True):
        ledger.add(source, kind, len(pos))
    if carry_in is not None and len(carry_in["ts"]):
        floor = cols["ts"].min() - DAY if len(cols["ts"]) else np.iinfo(np.int64).max
        ledger.add(source, dirt.LATE_ARRIVING, int((carry_in["ts"] < floor).sum()))
        cols = concat(cols, carry_in)
    return cols, held


def deals(cols: Cols, rng, ledger: dirt.Ledger) -> tuple[Cols, dict]:
    """Extra re-exported deal rows with a broken created_at, a non-numeric amount, or a
    missing amount/stage. Returns (rows, dirt columns for the table)."""
    n = len(cols["ts"])
    parts, kinds = [], []
    for j, kind in enumerate((dirt.BAD_TIMESTAMP, dirt.WRONG_TYPE, dirt.MISSING_REQUIRED)):
        k = ledger.quota("crm_deals", kind, n)
        parts.append(dirt.pick(rng, n, k))
        kinds.append(np.full(k, j))
        ledger.add("crm_deals", kind, k)
    cp, ck = np.concatenate(parts).astype(int), np.concatenate(kinds)
    rows = take(cols, np.concatenate([np.arange(n), cp]))
    flag = np.concatenate([np.full(n, -1), ck])
    m = len(flag)
    extra = {
        "bad": np.where(flag == 0, rng.integers(0, len(dirt.BAD_TIMESTAMPS), m), -1),
        "bad_values": dirt.BAD_TIMESTAMPS,
        "bad_amount": np.where(flag == 1, rng.integers(0, len(dirt.BAD_AMOUNTS), m), -1),
        "bad_amount_values": dirt.BAD_AMOUNTS,
    }
    missing = flag == 2
    half = rng.random(m) < 0.5
    extra["no_amount"], extra["no_stage"] = missing & half, missing & ~half
    order = np.argsort(rows["ts"], kind="stable")
    rows = take(rows, order)
    extra.update({k: extra[k][order] for k in ("bad", "bad_amount", "no_amount", "no_stage")})
    return rows, extra


def activities(
    cols: Cols, rng, ledger: dirt.Ledger, unknown_types: tuple[int, int], unknown_outcome: int
) -> Cols:
    n = len(cols["ts"])
    ks = [
        ledger.quota("crm_activities", kind, n)
        for kind in (dirt.UNKNOWN_VALUE, dirt.MISSING_REQUIRED)
    ]
    unknown, missing = dirt.pick_disjoint(rng, n, ks)
    cols["type"][unknown] = rng.integers(unknown_types[0], unknown_types[1] + 1, len(unknown))
    cols["outcome"][unknown] = unknown_outcome
    cols["email_ok"][missing] = False
    ledger.add("crm_activities", dirt.UNKNOWN_VALUE, len(unknown))
    ledger.add("crm_activities", dirt.MISSING_REQUIRED, len(missing))
    return cols
