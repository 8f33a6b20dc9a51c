"""E-mail events (source ``email``, SendGrid-like).

Consented leads get a three-mail welcome nurture right after creation and a share of the
weekly campaigns sent after they became leads. Per send: ``processed``, then
``delivered`` (or ``bounce`` for dead mailboxes, ``dropped`` for suppressed addresses);
machine opens by privacy proxies within 1-10 s of delivery; link-scanner clicks on every
link within a minute; human opens hours later and human clicks, both driven by
engagement; unsubscribes and a few spam reports, after which sends are ``dropped``.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from . import webdata as wd
from .core import (
    DAY,
    HOUR,
    MINUTE,
    SECOND,
    Window,
    dict_array,
    index_within,
    random_uuid_bytes,
    sigmoid,
    ts_array,
    uuid_array,
)
from .people import Population
from .writer import TS_PLUS_ZERO, TS_Z, ts_sql

EVENTS = (
    "processed",
    "delivered",
    "open",
    "click",
    "bounce",
    "dropped",
    "unsubscribe",
    "spamreport",
    "deferred",
)
PROCESSED, DELIVERED, OPEN, CLICK, BOUNCE, DROPPED, UNSUB, SPAM, DEFERRED = range(9)
REASONS = (
    "550 5.1.1 The email account that you tried to reach does not exist",
    "452 4.2.2 Mailbox full",
    "Bounced Address",
    "Unsubscribed Address",
    "421 4.7.0 Try again later",
)
DRIP = ("nurture_welcome_1", "nurture_welcome_2", "nurture_welcome_3")
DRIP_DELAY = np.array([15 * MINUTE, 3 * DAY, 10 * DAY])
CALENDAR_SHARE = 0.04


def calendar(window: Window) -> tuple[list[str], np.ndarray]:
    """Weekly campaigns (Tuesdays 14:00 UTC) rotating through four kinds."""
    kinds = ("newsletter", "product_update", "case_study", "webinar_invite")
    names, ts = [], []
    first_tue = (1 - window.day_date(0).weekday()) % 7
    for i, d in enumerate(range(first_tue, window.days, 7)):
        day = window.day_date(d)
        names.append(f"{kinds[i % 4]}_{day:%Y_%m_%d}")
        ts.append(window.start_us + d * DAY + 14 * HOUR)
    return list(DRIP) + names, np.array(ts, dtype=np.int64)


def _sends(pop: Population, lo, hi, rng):
    cal_names, cal_ts = calendar(pop.window)
    consented = np.flatnonzero(pop.consent[lo:hi]) + lo
    created = pop.created_us[consented]
    dp = np.repeat(consented, 3)
    d_camp = np.tile(np.arange(3), len(consented))
    d_ts = pop.created_us[dp] + DRIP_DELAY[d_camp] + rng.integers(0, 30 * MINUTE, len(dp))
    first_elig = np.searchsorted(cal_ts, created, side="right")
    n_elig = len(cal_ts) - first_elig
    k = rng.binomial(n_elig, CALENDAR_SHARE)
    cp = np.repeat(consented, k)
    c_idx = np.repeat(first_elig, k) + (rng.random(len(cp)) * np.repeat(n_elig, k)).astype(int)
    key = np.unique(cp.astype(np.int64) * 10_000 + c_idx)
    cp, c_idx = key // 10_000, key % 10_000
    c_ts = cal_ts[c_idx] + rng.integers(0, HOUR, len(cp))
    person = np.concatenate([dp, cp])
    camp = np.concatenate([d_camp, c_idx + len(DRIP)])
    ts = np.concatenate([d_ts, c_ts])
    keep = ts < pop.window.end_us
    person, camp, ts = person[keep], camp[keep], ts[keep]
    order = np.lexsort((ts, person))
    return person[order], camp[order], ts[order], cal_names


def build_email(pop: Population, lo: int, hi: int, rng, n_deferred: int) -> dict[str, np.ndarray]:
    """All e-mail events of a chunk as column arrays sorted by time (``ts``)."""
    person, camp, t0, _ = _sends(pop, lo, hi, rng)
    n = len(person)
    e = pop.engagement[person]
    first_send = index_within(np.bincount(person - lo, minlength=hi - lo)) == 0
    hard_bounce = pop.bad_mailbox[person] & first_send
    delivered_t = t0 + rng.integers(1, 40, n) * SECOND
    human_open = rng.random(n) < sigmoid(-0.8 + 0.7 * e)
    open_t = (
        delivered_t
        + np.clip(rng.lognormal(np.log(3 * 3600), 1.2, n), 120, 14 * 86400).astype(np.int64)
        * SECOND
    )
    unsub = human_open & (rng.random(n) < 0.004 * np.exp(-0.6 * e))
    spam = ~unsub & (rng.random(n) < 0.0006)
    kill_t = np.full(hi - lo, np.iinfo(np.int64).max)
    kill = hard_bounce | unsub | spam
    np.minimum.at(kill_t, person[kill] - lo, t0[kill])
    dropped = t0 > kill_t[person - lo]
    soft = ~dropped & ~hard_bounce & (rng.random(n) < 0.003)
    bounce = hard_bounce | soft
    ok = ~dropped & ~bounce

    ev: list[tuple] = []  # (send index, ts, event, ua code, ip kind, url code, reason)

    def add(sel, ts, event, ua=-1, ip=-1, url=-1, reason=-1):
        sel = np.flatnonzero(sel) if sel.dtype == bool else sel
        m = len(sel)
        cols = [np.broadcast_to(np.asarray(x), (m,)) for x in (ts, ua, ip, url, reason)]
        ev.append((sel, cols[0], np.full(m, event), *cols[1:]))

    add(np.ones(n, bool), t0, PROCESSED)
    add(ok, delivered_t[ok], DELIVERED)
    add(
        bounce,
        (t0 + rng.integers(1, 20, n) * SECOND)[bounce],
        BOUNCE,
        reason=np.where(hard_bounce, 0, 1)[bounce],
    )
    add(
        dropped,
        (t0 + rng.integers(0, 2, n) * SECOND)[dropped],
        DROPPED,
        reason=np.where(pop.bad_mailbox[person], 2, 3)[dropped],
    )
    defer = (
        np.flatnonzero(ok)[rng.permutation(int(ok.sum()))[:n_deferred]]
        if n_deferred
        else np.zeros(0, int)
    )
    add(np.sort(defer), t0[np.sort(defer)] + 5 * SECOND, DEFERRED, reason=4)

    # machine opens (privacy proxies) and link scanners
    gmail = pop.gmail[person]
    mpp = ok & pop.mpp[person]
    m_ua = wd.MACHINE_OPEN_BASE + np.where(gmail, 1, np.where(pop.freemail[person], 0, 3))
    add(mpp, (delivered_t + rng.integers(1, 10, n) * SECOND)[mpp], OPEN, m_ua[mpp], 0)
    scan = ok & pop.scanner[person]
    s_idx = np.repeat(np.flatnonzero(scan), 3)
    s_link = _link(camp[s_idx], np.tile(np.arange(3), int(scan.sum())))
    add(
        s_idx,
        delivered_t[s_idx] + rng.integers(2, 60, len(s_idx)) * SECOND,
        CLICK,
        wd.SCANNER_BASE + rng.integers(0, len(wd.SCANNER_UA), len(s_idx)),
        1,
        s_link,
    )

    # people
    opened = ok & human_open
    h_ua = np.where(pop.mpp[person], 0, rng.integers(0, len(wd.HUMAN_OPEN_UA) - 1, n))
    h_ua = np.where(gmail, 4, h_ua)
    add(opened, open_t[opened], OPEN, h_ua[opened], 2)
    again = opened & (rng.random(n) < 0.25)
    add(
        again,
        (open_t + rng.lognormal(np.log(6 * 3600), 1.0, n).astype(np.int64) * SECOND)[again],
        OPEN,
        h_ua[again],
        2,
    )
    click = opened & (rng.random(n) < sigmoid(-1.5 + 0.9 * e))
    click_t = open_t + rng.integers(5, 600, n) * SECOND
    add(
        click,
        click_t[click],
        CLICK,
        (wd.WEB_BASE + pop.desktop_ua[person])[click],
        2,
        _link(camp, rng.integers(0, 3, n))[click],
    )
    add(unsub & ok, (open_t + rng.integers(10, 300, n) * SECOND)[unsub & ok], UNSUB, ip=2)
    add(spam & ok, (delivered_t + rng.integers(1, 48, n) * HOUR)[spam & ok], SPAM)

    sel = np.concatenate([x[0] for x in ev])
    cols = {
        "ts": np.concatenate([x[1] for x in ev]).astype(np.int64),
        "event": np.concatenate([x[2] for x in ev]).astype(np.int8),
        "ua": np.concatenate([x[3] for x in ev]),
        "ip_kind": np.concatenate([x[4] for x in ev]),
        "url": np.concatenate([x[5] for x in ev]),
        "reason": np.concatenate([x[6] for x in ev]),
        "person": person[sel],
        "camp": camp[sel],
        "send": sel,
    }
    keep = cols["ts"] < pop.window.end_us
    cols = {k: v[keep] for k, v in cols.items()}
    order = np.argsort(cols["ts"], kind="stable")
    cols = {k: v[order] for k, v in cols.items()}
    m = len(cols["ts"])
    msg = random_uuid_bytes(rng, n)
    ip = np.zeros(m, np.uint32)
    for kind, octets in enumerate((wd.MACHINE_OCTETS, wd.SCANNER_OCTETS, wd.RESIDENTIAL_OCTETS)):
        sel_k = cols["ip_kind"] == kind
        ip[sel_k] = wd.ipv4(rng, octets, int(sel_k.sum()))
    cols.update(
        msg=msg[cols["send"]],
        ip=ip,
        eid=random_uuid_bytes(rng, m),
        fmt=np.where(rng.random(m) < 0.03, TS_PLUS_ZERO, TS_Z).astype(np.int8),
        off=np.zeros(m, np.int16),
        bad=np.full(m, -1),
        email_ok=np.ones(m, bool),
    )
    del cols["send"]
    return cols


def _link(camp: np.ndarray, j: np.ndarray) -> np.ndarray:
    """The j-th (0..2) link of each campaign, as an index into EMAIL_LINKS."""
    return (camp * 3 + j * 5) % len(wd.EMAIL_LINKS)


def email_table(pop: Population, cols: dict[str, np.ndarray], bad_values) -> pa.Table:
    names, _ = calendar(pop.window)
    person = cols["person"]
    base = int(person.min()) if len(person) else 0
    top = int(person.max()) + 1 if len(person) else base + 1
    link_urls = [wd.SITE + p for p in wd.EMAIL_LINKS]
    has_ip = cols["ip_kind"] >= 0
    return pa.table(
        {
            "eid": uuid_array(cols["eid"]),
            "ts": ts_array(cols["ts"]),
            "fmt": cols["fmt"],
            "off": cols["off"],
            "bad": dict_array(cols["bad"], bad_values),
            "email": dict_array(
                np.where(cols["email_ok"], person - base, -1),
                pop.email.slice(base, max(top - base, 1)),
            ),
            "event": dict_array(cols["event"], EVENTS),
            "campaign": dict_array(cols["camp"], names),
            "msg": uuid_array(cols["msg"]),
            "url": dict_array(cols["url"], link_urls),
            "ua": dict_array(cols["ua"], wd.EMAIL_UA),
            "ip": pa.array(cols["ip"], mask=~has_ip),
            "reason": dict_array(cols["reason"], REASONS),
        }
    )


SELECT_SQL = f"""SELECT replace(eid::VARCHAR, '-', '') AS event_id, {ts_sql()} AS occurred_at,
    email, event, campaign AS campaign_id, msg::VARCHAR AS sg_message_id,
    CASE WHEN url IS NULL THEN NULL
        ELSE url || '?utm_source=sendgrid&utm_medium=email&utm_campaign=' || campaign END AS url,
    ua AS user_agent,
    CASE WHEN ip IS NULL THEN NULL ELSE printf('%d.%d.%d.%d', ip >> 24, (ip >> 16) & 255,
        (ip >> 8) & 255, ip & 255) END AS ip,
    reason
    FROM {{src}}"""
