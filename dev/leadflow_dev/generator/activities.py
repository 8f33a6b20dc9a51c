"""Sales activities (source ``crm_activities``, Parquet): the rep's first touch and
follow-ups (calls and e-mails with realistic outcomes), a discovery meeting when the
lead becomes an SQL, a demo, and touches while the deal is open. Timestamps are typed
(TIMESTAMP WITH TIME ZONE, UTC) as Parquet exports carry them.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from . import business
from .core import DAY, choice, dict_array, group_cumsum, index_within, ts_array
from .crm import NEVER, Timeline
from .people import Population

TYPES = ("call", "email", "meeting", "demo", "linkedin_message", "sms")  # last two: dirt
CALL, EMAIL, MEETING, DEMO = range(4)
OUTCOMES = (
    "connected",
    "no_answer",
    "left_voicemail",
    "wrong_number",
    "sent",
    "replied",
    "held",
    "no_show",
    "rescheduled",
    "completed",
)
OUTCOME_BY_TYPE = {
    CALL: ([0, 1, 2, 3], [0.3, 0.4, 0.25, 0.05]),
    EMAIL: ([4, 5], [0.8, 0.2]),
    MEETING: ([6, 7, 8], [0.8, 0.1, 0.1]),
    DEMO: ([9, 7, 8], [0.8, 0.1, 0.1]),
}


def build_activities(pop: Population, lo: int, tl: Timeline, rng) -> dict[str, np.ndarray]:
    """Activity rows of a chunk, sorted by time."""
    touched = np.flatnonzero(tl.first_touch < NEVER)
    n_t = np.minimum(1 + rng.poisson(np.where(tl.sql[touched], 1.0, 1.5)), 6)
    tp = np.repeat(touched, n_t)
    gaps = (rng.lognormal(np.log(3.0), 0.8, len(tp)) * DAY).astype(np.int64)
    gaps[index_within(n_t) == 0] = 0
    t_ts = tl.first_touch[tp] + group_cumsum(gaps, n_t)
    t_type = np.where(rng.random(len(tp)) < 0.6, CALL, EMAIL)

    sql = np.flatnonzero(tl.sql)
    demo = sql[rng.random(len(sql)) < 0.85]
    d_ts = tl.sql_ts[demo] + (rng.uniform(2, 10, len(demo)) * DAY).astype(np.int64)
    k = rng.poisson(3.0, len(sql))
    kp = np.repeat(sql, k)
    end = np.where(tl.close_ts[kp] < NEVER, tl.close_ts[kp], tl.deal_ts[kp] + 60 * DAY)
    k_ts = tl.deal_ts[kp] + (rng.random(len(kp)) * (end - tl.deal_ts[kp])).astype(np.int64)
    k_type = np.array([CALL, EMAIL, MEETING])[choice(rng, len(kp), [0.4, 0.4, 0.2])]

    who = np.concatenate([tp, sql, demo, kp])
    ts = np.concatenate([t_ts, tl.sql_ts[sql], d_ts, k_ts])
    kind = np.concatenate([t_type, np.full(len(sql), MEETING), np.full(len(demo), DEMO), k_type])
    outcome = np.zeros(len(who), dtype=np.int64)
    for t, (codes, w) in OUTCOME_BY_TYPE.items():
        sel = np.flatnonzero(kind == t)
        outcome[sel] = np.array(codes)[choice(rng, len(sel), w)]
    duration = np.select(
        [(kind == CALL) & (outcome == 0), kind == MEETING, kind == DEMO],
        [
            rng.integers(2, 30, len(who)),
            rng.choice([30, 45, 60], len(who)),
            rng.choice([45, 60], len(who)),
        ],
        -1,
    )
    keep = ts < pop.window.end_us
    who, ts, kind, outcome, duration = (
        who[keep],
        ts[keep],
        kind[keep],
        outcome[keep],
        duration[keep],
    )
    order = np.lexsort((ts, who))
    rank = index_within(np.bincount(who[order], minlength=len(tl.handed)))
    activity_id = np.empty(len(who), np.int64)
    activity_id[order] = (
        40_000_000_000 + (who[order] + lo).astype(np.int64) * 64 + np.minimum(rank, 63)
    )
    by_time = np.argsort(ts, kind="stable")
    return {
        "person": (who + lo)[by_time],
        "ts": ts[by_time],
        "type": kind[by_time],
        "outcome": outcome[by_time],
        "duration": duration[by_time],
        "rep": tl.rep[who][by_time],
        "activity_id": activity_id[by_time],
        "email_ok": np.ones(len(who), bool),
    }


def activities_table(pop: Population, cols) -> pa.Table:
    p = cols["person"]
    return pa.table(
        {
            "activity_id": pa.array(cols["activity_id"]),
            "email": pop.email.take(pa.array(p, mask=~cols["email_ok"])),
            "ts": ts_array(cols["ts"]),
            "type": dict_array(cols["type"], TYPES),
            "owner": dict_array(cols["rep"], business.REPS),
            "outcome": dict_array(cols["outcome"], OUTCOMES),
            "duration": pa.array(cols["duration"], mask=cols["duration"] < 0),
        }
    )


SELECT_SQL = """SELECT activity_id::VARCHAR AS activity_id, email,
    timezone('UTC', ts) AS occurred_at, type AS activity_type, owner, outcome,
    duration::INTEGER AS duration_minutes
    FROM {src}"""
