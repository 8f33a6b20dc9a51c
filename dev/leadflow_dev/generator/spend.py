"""Marketing spend (source ``spend``): one row per day x channel x campaign for every
paid campaign, cost = expected leads of that day x cost per lead x noise (so spend tracks
channel volume), clicks and impressions from cost per click and click-through rate.
Trade-show costs are booked on the first show day. One CSV file per month.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from . import business, dirt
from .core import dict_array
from .people import Population
from .writer import Writer

COLUMNS = ("spend_date", "channel", "campaign", "cost", "currency", "clicks", "impressions")


def build_spend(pop: Population, rng) -> dict[str, np.ndarray]:
    camps = pop.campaigns
    paid = [j for j, c in enumerate(camps) if c.has_spend]
    expected = pop.intensity[:, paid] * pop.n
    days = np.arange(pop.window.days)
    rows_d, rows_c, cost_usd = [], [], []
    for col, j in enumerate(paid):
        c = camps[j]
        exp_leads = expected[:, col]
        active = exp_leads > 0
        cost = exp_leads * c.cpl * rng.lognormal(0, 0.25, len(days))
        if c.kind == "tradeshow":
            first = np.flatnonzero(active)[:1]
            cost = np.where(days == (first[0] if len(first) else -1), cost[active].sum(), 0)
            active = cost > 0
        rows_d.append(days[active])
        rows_c.append(np.full(int(active.sum()), j))
        cost_usd.append(cost[active])
    d, c, usd = (np.concatenate(x) for x in (rows_d, rows_c, cost_usd))
    cpc = np.array([x.cpc for x in camps])[c]
    ctr = np.array([max(x.ctr, 1e-9) for x in camps])[c]
    clicks = np.where(
        cpc > 0, np.round(usd / np.maximum(cpc, 1e-9) * rng.lognormal(0, 0.15, len(d))), -1
    )
    impressions = np.where(clicks >= 0, np.round(clicks / ctr * rng.lognormal(0, 0.1, len(d))), -1)
    currency = np.array([x.currency for x in camps])[c]
    fx = np.array([business.FX_TO_USD[x] for x in currency])
    order = np.lexsort((c, d))
    return {
        "day": d[order],
        "camp": c[order],
        "cost": np.round(usd / fx, 2)[order],
        "currency": np.searchsorted(np.array(sorted(business.FX_TO_USD)), currency)[order],
        "clicks": clicks[order].astype(np.int64),
        "impressions": impressions[order].astype(np.int64),
    }


def write_spend(
    pop: Population, writer: Writer, inbox: Path, rng, ledger: dirt.Ledger
) -> tuple[int, int]:
    """Monthly files ``spend/spend_YYYY-MM.csv``; returns (rows, files)."""
    cols = build_spend(pop, rng)
    w, camps = pop.window, pop.campaigns
    dates = np.array([w.day_date(int(x)) for x in range(w.days)])
    month = np.array([f"{x:%Y-%m}" for x in dates])[cols["day"]]
    n = len(cols["day"])
    bad_date = np.full(n, -1)
    bad_num = np.full(n, -1)
    no_channel = np.zeros(n, bool)
    kinds = (dirt.BAD_TIMESTAMP, dirt.WRONG_TYPE, dirt.MISSING_REQUIRED)
    ks = [ledger.quota("spend", kind, n) for kind in kinds]
    p_date, p_num, p_chan = dirt.pick_disjoint(rng, n, ks)
    bad_date[p_date] = rng.integers(0, len(dirt.BAD_DATES), len(p_date))
    bad_num[p_num] = rng.integers(0, len(dirt.BAD_COSTS), len(p_num))
    flip = rng.random(len(p_num)) < 0.3  # a broken clicks count instead, where clicks exist
    has_clicks = cols["clicks"][p_num] >= 0
    bad_num[p_num[flip & has_clicks]] = len(dirt.BAD_COSTS) + rng.integers(
        0, len(dirt.BAD_COUNTS), int((flip & has_clicks).sum())
    )
    no_channel[p_chan] = True
    for kind, pos in zip(kinds, (p_date, p_num, p_chan), strict=True):
        ledger.add("spend", kind, len(pos))
    table = pa.table(
        {
            "month": pa.array(month),
            "date": pa.array(dates[cols["day"]], pa.date32()),
            "bad_date": dict_array(bad_date, dirt.BAD_DATES),
            "channel": dict_array(
                np.where(no_channel, -1, cols["camp"]), [c.spend_channel for c in camps]
            ),
            "campaign": dict_array(cols["camp"], [c.name for c in camps]),
            "cost": cols["cost"],
            "bad_cost": dict_array(
                np.where(bad_num < len(dirt.BAD_COSTS), bad_num, -1), dirt.BAD_COSTS
            ),
            "bad_clicks": dict_array(
                np.where(bad_num >= len(dirt.BAD_COSTS), bad_num - len(dirt.BAD_COSTS), -1),
                dirt.BAD_COUNTS,
            ),
            "currency": dict_array(cols["currency"], sorted(business.FX_TO_USD)),
            "clicks": pa.array(cols["clicks"], mask=cols["clicks"] < 0),
            "impressions": pa.array(cols["impressions"], mask=cols["impressions"] < 0),
        }
    )
    months = sorted(set(month.tolist()))
    k_mal = ledger.quota("spend", dirt.MALFORMED_LINE, n)
    malformed_month = months[len(months) // 2]
    rows = 0
    for mth in months:
        sel = np.flatnonzero(month == mth)
        extra = k_mal if mth == malformed_month else 0
        post = None
        if extra:
            fractions = list(rng.uniform(0.2, 0.9, extra))

            def post(path, fractions=fractions):
                added = dirt.insert_lines(path, fractions, dirt.csv_missing_fields)
                ledger.add("spend", dirt.MALFORMED_LINE, added)

        writer.submit(
            inbox / "spend" / f"spend_{mth}.csv", table.take(pa.array(sel)), SELECT_SQL, "csv", post
        )
        rows += len(sel) + extra
    return rows, len(months)


SELECT_SQL = """SELECT coalesce(bad_date, strftime(date, '%Y-%m-%d')) AS spend_date,
    channel, campaign,
    coalesce(bad_cost, printf('%.2f', cost)) AS cost, currency,
    coalesce(bad_clicks, clicks::VARCHAR) AS clicks, impressions
    FROM {src}"""
