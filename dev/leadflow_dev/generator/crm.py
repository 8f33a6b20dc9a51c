"""The sales process and HubSpot-like deal export (source ``crm_deals``).

Leads are handed to sales (high-intent forms at once, others when fit and engagement
make them MQLs, and always the people whose propensity says they will convert), assigned
to a rep of the country's team, and touched after a human delay (minutes to days,
sometimes never). The response is part of the hidden truth: the domain's one-hour effect
(docs: a lead answered within an hour is about 7 times as likely to qualify as one
answered later, about 60 times as one answered after a day) multiplies the propensity,
normalised so that the expected number of customers stays the propensity's; a lead never
touched neither qualifies nor converts. SQLs get a deal: converted people win it within
90 days of lead creation (where their first touch allows), the others lose it or let it
stall. Deals follow qualification. One CSV row per deal *state* (each stage change).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from . import business
from . import names as nm
from .core import DAY, HOUR, MINUTE, choice, dict_array, ts_array
from .people import Population
from .writer import ts_sql

STAGES = (
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    "closedwon",
    "closedlost",
)
STATUSES = ("open", "won", "lost")
SOURCES = ("CRM_UI", "INTEGRATION", "IMPORT", "AUTOMATION_PLATFORM")
NEVER = np.iinfo(np.int64).max
TEAM_REPS = {
    t: np.array([i for i, x in enumerate(business.REP_TEAM) if x == t])
    for t in ("na", "emea", "apac_latam")
}


@dataclass
class Timeline:
    """Per chunk person: the sales timeline (NEVER where it does not happen)."""

    handed: np.ndarray
    rep: np.ndarray
    first_touch: np.ndarray
    sql: np.ndarray
    sql_ts: np.ndarray
    deal_ts: np.ndarray
    close_ts: np.ndarray
    status: np.ndarray  # 0 open (stalled), 1 won, 2 lost; for SQLs only
    won_us: np.ndarray
    converted: np.ndarray  # the drawn outcome, after the response
    response_factor: np.ndarray  # what the response did to the propensity; NaN: not handed


# the one-hour effect on the propensity by response delay (within the hour, within a day,
# later); a lead never touched: 0. Relative figures; respond_factor normalises them.
RESPONSE_EFFECT = (1.0, 1 / 7, 1 / 60)


def response_factor(prob: np.ndarray, delay: np.ndarray, touched: np.ndarray) -> np.ndarray:
    """The multiplier of each person's propensity given when sales answered (RESPONSE_EFFECT
    scaled by one constant, found by bisection, so that the expected customers, the sum of
    min(1, prob * factor), equal the sum of prob: the base rate stays the propensity's)."""
    shape = np.where(
        touched,
        np.select([delay <= HOUR, delay <= DAY], RESPONSE_EFFECT[:2], RESPONSE_EFFECT[2]),
        0.0,
    )
    target = prob.sum()
    lo, hi = 0.0, 100.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if np.minimum(1.0, prob * mid * shape).sum() < target:
            lo = mid
        else:
            hi = mid
    return hi * shape


def build_timeline(pop: Population, lo: int, hi: int, first_intent: np.ndarray, rng) -> Timeline:
    m = hi - lo
    created = pop.created_us[lo:hi]
    prob = pop.prob[lo:hi]
    conv = pop.converted[lo:hi]  # the propensity's draw: these are handed to sales
    draw = pop.conversion_draw[lo:hi]
    logit = np.log(prob / (1 - prob))
    intent = (first_intent < NEVER) & (first_intent - created < 30 * DAY)
    score = logit + rng.normal(0, 1.0, m)
    handed = intent | (score > np.quantile(score, 0.85)) | conv
    handoff = np.where(
        intent,
        np.minimum(first_intent, created + 30 * DAY) + rng.integers(1, 30, m) * MINUTE,
        created + (rng.lognormal(np.log(2.0), 1.0, m) * DAY).astype(np.int64),
    )
    team = np.array(business.COUNTRY_TEAM)[pop.country[lo:hi]]
    rep = np.zeros(m, dtype=np.int64)
    for t, reps in TEAM_REPS.items():
        sel = np.flatnonzero(team == t)
        rep[sel] = reps[rng.integers(0, len(reps), len(sel))]
    speed = business.REP_SPEED[rep]
    band = choice(rng, m, [0.37, 0.35, 0.14, 0.14])
    delay = np.select(
        [band == 0, band == 1],
        [rng.uniform(2, 60, m) * MINUTE * speed, rng.uniform(1, 24, m) * HOUR * speed],
        rng.uniform(1, 6, m) * DAY,
    ).astype(np.int64)
    touched = handed & (band != 3)
    # the outcome follows the response: same draw, the propensity times the one-hour effect
    factor = response_factor(prob, delay, touched)
    converted = draw < np.minimum(1.0, prob * factor)
    sql = converted | (touched & (rng.random(m) < np.clip((0.12 + 4 * prob) * factor, 0, 0.9)))
    conv = converted
    first_touch = np.where(touched, handoff + delay, NEVER)
    base = np.where(first_touch < NEVER, first_touch, created)
    sql_ts = base + (rng.lognormal(np.log(4.0), 0.7, m) * DAY).astype(np.int64)
    deal_ts = sql_ts + rng.integers(0, 3 * DAY, m)
    status = np.where(conv, 1, np.where(rng.random(m) < 0.7, 2, 0))
    cycle = np.where(conv, rng.lognormal(np.log(30), 0.5, m), rng.lognormal(np.log(45), 0.6, m))
    close = deal_ts + (cycle * DAY).astype(np.int64)
    # converted people win within 90 days of lead creation: compress their timeline
    span = np.maximum(close - created, 1)
    target = (rng.uniform(21, 88, m) * DAY).astype(np.int64)
    scale = np.where(conv & (span > target), target / span, 1.0)

    def squeeze(t):
        return np.where(sql, created + ((t - created) * scale).astype(np.int64), t)

    # the first touch is the response the outcome was drawn from: it is not moved; what
    # follows it is squeezed, and still follows it
    sql_ts = np.maximum(squeeze(sql_ts), np.where(first_touch < NEVER, first_touch + HOUR, 0))
    deal_ts = np.maximum(squeeze(deal_ts), sql_ts)
    close = np.maximum(squeeze(close), deal_ts + DAY)
    close = np.where(status == 0, NEVER, close)
    return Timeline(
        handed,
        rep,
        first_touch,
        sql,
        np.where(sql, sql_ts, NEVER),
        np.where(sql, deal_ts, NEVER),
        np.where(sql, close, NEVER),
        status,
        np.where(conv, close, NEVER),
        converted,
        np.where(handed, factor, np.nan),
    )


def build_deals(pop: Population, lo: int, tl: Timeline, rng) -> dict[str, np.ndarray]:
    """Deal state rows (one per stage entered), sorted by ``updated_at``."""
    d = np.flatnonzero(tl.sql)
    s = len(d)
    person = d + lo
    status = tl.status[d]
    start, close = tl.deal_ts[d], tl.close_ts[d]
    horizon = np.where(status == 0, start + 60 * DAY, close)
    t = np.sort(rng.uniform(0, 1, (s, 4)), axis=1) * (horizon - start)[:, None] + start[:, None]
    times = np.concatenate([start[:, None], t.astype(np.int64)], axis=1)
    reach = np.where(status == 1, 4, choice(rng, s, [0.35, 0.3, 0.2, 0.15]))
    stage = np.arange(5)[None, :]
    skipped = (stage >= 1) & (stage <= 3) & (rng.random((s, 5)) < 0.15) & (status == 1)[:, None]
    mask = (stage <= reach[:, None]) & ~skipped
    di, st = np.nonzero(mask)
    r_ts = times[di, st]
    closed = np.flatnonzero(status > 0)
    di = np.concatenate([di, closed])
    st = np.concatenate([st, np.where(status[closed] == 1, 5, 6)])
    r_ts = np.concatenate([r_ts, close[closed]])
    r_status = np.where(st == 5, 1, np.where(st == 6, 2, 0))

    size, product = pop.size[person], pop.product[person]
    usd = nm.SIZE_AMOUNT_USD[size] * business.PRODUCT_PRICE[product] * rng.lognormal(0, 0.35, s)
    local = np.array(business.COUNTRY_CURRENCY)[pop.country[person]]
    currency = np.where((local != "USD") & (rng.random(s) < 0.7), local, "USD")
    fx = np.vectorize(business.FX_TO_USD.get)(currency) if s else np.zeros(0)
    amount = np.round(usd / np.maximum(fx, 1e-9) / 100) * 100
    discount = np.round(amount * rng.uniform(0.85, 1.0, s) / 50) * 50
    r_amount = np.where((st >= 4) & (st != 6), discount[di], amount[di])
    keep = r_ts < pop.window.end_us
    cur_codes = np.searchsorted(np.array(sorted(business.FX_TO_USD)), currency)
    cols = {
        "person": person[di],
        "deal_ts": start[di],
        "ts": r_ts,
        "stage": st,
        "status": r_status,
        "closed_ts": np.where(r_status > 0, r_ts, -1),
        "amount": r_amount,
        "currency": cur_codes[di],
        "rep": tl.rep[d][di],
        "deal_id": (15_000_000_000 + person.astype(np.int64) * 37 + rng.integers(0, 37, s))[di],
        "source": choice(rng, s, [0.5, 0.3, 0.1, 0.1])[di],
    }
    cols = {k: v[keep] for k, v in cols.items()}
    order = np.argsort(cols["ts"], kind="stable")
    return {k: v[order] for k, v in cols.items()}


def deals_table(pop: Population, cols, extra: dict) -> pa.Table:
    """``extra``: per-row dirt columns (bad, bad_amount, no_amount) as arrays."""
    p = cols["person"]
    comp = pop.company[p]
    return pa.table(
        {
            "deal_id": pa.array(cols["deal_id"]),
            "company": dict_array(comp, pop.companies.name),
            "first": dict_array(pop.first[p], nm.FIRST_NAMES),
            "last": dict_array(pop.last[p], nm.LAST_NAMES),
            "product": dict_array(pop.product[p], business.PRODUCT_NAME),
            "email": pop.email.take(pa.array(p)),
            "created": ts_array(cols["deal_ts"]),
            "updated": ts_array(cols["ts"]),
            "closed": pa.array(cols["closed_ts"], pa.int64(), mask=cols["closed_ts"] < 0).cast(
                pa.timestamp("us")
            ),
            "stage": dict_array(np.where(extra["no_stage"], -1, cols["stage"]), STAGES),
            "status": dict_array(cols["status"], STATUSES),
            "amount": pa.array(cols["amount"], mask=extra["no_amount"]),
            "bad_amount": dict_array(extra["bad_amount"], extra["bad_amount_values"]),
            "bad": dict_array(extra["bad"], extra["bad_values"]),
            "currency": dict_array(cols["currency"], sorted(business.FX_TO_USD)),
            "owner": dict_array(cols["rep"], business.REPS),
            "source": dict_array(cols["source"], SOURCES),
        }
    )


def select_sql(with_source: bool) -> str:
    iso = "%Y-%m-%dT%H:%M:%S.%gZ"
    drift = ", source AS hs_object_source" if with_source else ""
    return f"""SELECT deal_id::VARCHAR AS deal_id,
        coalesce(company, first || ' ' || last) || ' - ' || product AS dealname,
        email, {ts_sql(ts="created", fmt="0", off="0", millis=True)} AS created_at,
        stage, CASE WHEN bad_amount IS NOT NULL THEN bad_amount
                    ELSE printf('%.2f', amount) END AS amount,
        currency, owner, strftime(closed, '{iso}') AS closed_at, status, product,
        strftime(updated, '{iso}') AS updated_at, 'default' AS pipeline{drift}
        FROM {{src}}"""
