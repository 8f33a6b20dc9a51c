"""Web events (source ``web``, Segment-like ``page`` / ``track`` / ``identify``).

Per person: anonymous sessions before the lead exists (more, and with more pricing/demo
pages, the more engaged the person is), the session that ends in each form submission
(``Form Submitted`` track event, then ``identify`` linking anonymous_id to e-mail), and
identified sessions after creation (again driven by engagement). Plus anonymous visitors
who never convert. Sessions are bursts of page views with gaps under 25 minutes, so a
30-minute inactivity rule recovers them. Output rows are sorted by time.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from . import business
from . import webdata as wd
from .core import (
    DAY,
    HOUR,
    SECOND,
    choice,
    dict_array,
    group_cumsum,
    index_within,
    offsets_of,
    random_uuid_bytes,
    sigmoid,
    ts_array,
    uuid_array,
)
from .forms import FORM_PATH, FormRows, special_campaigns
from .people import Population
from .writer import TS_OFFSET, TS_Z, ts_sql

PAGE, TRACK, IDENTIFY = 0, 1, 2
EVENT_TYPES = ("page", "track", "identify")
PRE, POST, VISITOR, FORM = 0, 1, 2, 3


def _ext_referrers(campaigns):
    values: list[str] = []
    per = []
    for c in campaigns:
        refs = c.referrers
        codes, w = [], []
        for r, wt in refs:
            if r not in values:
                values.append(r)
            codes.append(values.index(r))
            w.append(wt)
        per.append((np.array(codes or [-1]), np.array(w or [1.0]) / (sum(w) or 1.0)))
    return values, per


def _page_types(rng, e, student):
    n = len(e)
    types = np.array([wd.T[t] for t in wd.BASE_MIX])
    base = np.array(list(wd.BASE_MIX.values()))
    t = types[choice(rng, n, base)]
    t = np.where(student & (rng.random(n) < 0.25), wd.T["careers"], t)
    high = rng.random(n) < sigmoid(-2.3 + 0.9 * e)
    return np.where(high, np.where(rng.random(n) < 0.55, wd.T["pricing"], wd.T["demo"]), t)


def _paths(rng, types):
    return wd.TYPE_START[types] + (rng.random(len(types)) * wd.TYPE_COUNT[types]).astype(int)


def _sessions(pop: Population, lo, hi, forms: FormRows, rng):
    """Session table: dict of equal-length arrays."""
    camps, specials = pop.campaigns, special_campaigns(pop.campaigns)
    idx = np.arange(lo, hi)
    e = pop.engagement[lo:hi]
    created = pop.created_us[lo:hi]
    direct, organic, email = specials["direct"], specials["organic_search"], specials["email"]
    discovery = np.array(
        [organic, direct]
        + [
            i
            for i, c in enumerate(camps)
            if c.channel in ("paid_search", "paid_social", "referral")
        ]
    )
    disc_w = np.array([0.4, 0.1] + [0.5 / (len(discovery) - 2)] * (len(discovery) - 2))

    n_pre = np.where(pop.has_web[lo:hi], np.minimum(rng.poisson(1.3 * np.exp(0.6 * e)), 12), 0)
    sp = np.repeat(idx, n_pre)
    start = pop.created_us[sp] - np.exp(
        rng.uniform(np.log(2 * HOUR), np.log(45 * DAY), len(sp))
    ).astype(np.int64)
    order = np.lexsort((start, sp))
    sp, start = sp[order], start[order]
    first = index_within(n_pre) == 0
    own = pop.campaign[sp].astype(np.int64)
    disc = discovery[choice(rng, len(sp), disc_w)]
    later = np.array([direct, organic, -1])[choice(rng, len(sp), [0.5, 0.3, 0.2])]
    src_pre = np.where(
        first, np.where(rng.random(len(sp)) < 0.5, own, disc), np.where(later < 0, own, later)
    )

    n_post = np.minimum(rng.poisson(1.4 * np.exp(0.7 * e)), 20)
    qp = np.repeat(idx, n_post)
    q_start = pop.created_us[qp] + 2 * HOUR + (rng.gamma(0.7, 18, len(qp)) * DAY).astype(np.int64)
    q_src = np.array([email, direct, organic])[choice(rng, len(qp), [0.4, 0.35, 0.25])]
    q_dev = np.where(pop.second_device[qp] & (rng.random(len(qp)) < 0.4), 1, 0)

    n_vis = int(0.6 * (hi - lo))
    vis_sessions = 1 + rng.poisson(0.4, n_vis)
    vv = np.repeat(np.arange(n_vis), vis_sessions)
    v_start = rng.integers(created[0] - 30 * DAY, created[-1] + 1, len(vv))
    v_src = discovery[choice(rng, len(vv), disc_w)]

    fsel = forms.device >= 0
    fp, fts = forms.person[fsel], forms.ts[fsel]
    fpath = np.array([wd.PATHS.index(p or "/partners") for p in FORM_PATH])[forms.form[fsel]]

    def cat_(*parts):
        return np.concatenate([np.asarray(p) for p in parts])

    ns, nq, nv, nf = len(sp), len(qp), len(vv), len(fp)
    s = {
        "kind": cat_(np.full(ns, PRE), np.full(nq, POST), np.full(nv, VISITOR), np.full(nf, FORM)),
        "person": cat_(sp, qp, np.full(nv, -1), fp),
        "visitor": cat_(np.full(ns, -1), np.full(nq, -1), vv, np.full(nf, -1)),
        "start": cat_(start, q_start, v_start, fts),
        "src": cat_(src_pre, q_src, v_src, forms.source[fsel]),
        "device": cat_(np.zeros(ns, int), q_dev, np.zeros(nv, int), forms.device[fsel]),
        "landing": cat_(np.full(ns + nq + nv, -1), fpath),
    }
    s["e"] = np.where(
        s["person"] >= 0,
        pop.engagement[np.maximum(s["person"], 0)],
        rng.normal(-0.8, 1.0, len(s["person"])),
    )
    return s, n_vis


def build_web(pop: Population, lo: int, hi: int, forms: FormRows, rng) -> dict[str, np.ndarray]:
    """All web events of a chunk as column arrays sorted by time (``ts``)."""
    s, n_vis = _sessions(pop, lo, hi, forms, rng)
    n_s = len(s["kind"])
    is_form = s["kind"] == FORM
    lam = np.where(s["kind"] == VISITOR, 1.0, np.where(is_form, 1.2, 2.0))
    npg = np.minimum(1 + rng.poisson(lam * np.exp(0.25 * s["e"])), 25)
    ev = np.repeat(np.arange(n_s), npg)
    within = index_within(npg)
    gaps = np.clip(rng.lognormal(np.log(45), 0.9, len(ev)), 3, 1500) * SECOND
    gaps[within == 0] = 0
    rel = group_cumsum(gaps.astype(np.int64), npg)
    last = offsets_of(npg) + npg - 1
    form_start = s["start"] - rel[last] - rng.integers(20, 120, n_s) * SECOND
    start = np.where(is_form, form_start, s["start"])
    ts = start[ev] + rel
    person = s["person"][ev]
    student = (person >= 0) & (pop.seniority[np.maximum(person, 0)] == 0)
    path = _paths(rng, _page_types(rng, s["e"][ev], student))
    is_last = np.zeros(len(ev), bool)
    is_last[last] = True
    path = np.where(is_last & is_form[ev], s["landing"][ev], path)
    ext_values, ext_per = _ext_referrers(pop.campaigns)
    first = within == 0
    ext = business.draw_spelling(rng, ext_per, s["src"][ev])
    prev = np.concatenate([[0], path[:-1]])
    ref = np.where(first, ext, len(ext_values) + prev)
    utm_src_v, src_per = business.variant_table(pop.campaigns, "sources")
    utm_med_v, med_per = business.variant_table(pop.campaigns, "mediums")
    camp = s["src"][ev]
    utm_s = np.where(first, business.draw_spelling(rng, src_per, camp), -1)
    utm_m = np.where(utm_s >= 0, business.draw_spelling(rng, med_per, camp), -1)
    utm_c = np.where(utm_s >= 0, business.draw_campaign_codes(rng, pop.campaigns, camp), -1)
    qs = np.where(
        ~first & (rng.random(len(ev)) < 0.04), rng.integers(0, len(wd.QUERIES), len(ev)), -1
    )
    ident = np.isin(s["kind"][ev], [POST])
    cols = {
        "ts": ts,
        "sess": ev,
        "etype": np.zeros(len(ev), np.int8),
        "ename": np.full(len(ev), -1),
        "path": path,
        "ref": ref,
        "utm_s": utm_s,
        "utm_m": utm_m,
        "utm_c": utm_c,
        "qs": qs,
        "ident": ident,
    }

    # track events: CTA clicks, videos, pricing calculator
    pricing = np.isin(
        path, wd.TYPE_START[wd.T["pricing"]] + np.arange(wd.TYPE_COUNT[wd.T["pricing"]])
    )
    u = rng.random(len(ev))
    name = np.select([pricing & (u < 0.15), u < 0.05, u < 0.07], [3, 1, 2], -1)
    t_idx = np.flatnonzero(name >= 0)
    tracks = _rows(
        cols, t_idx, ts[t_idx] + rng.integers(3, 40, len(t_idx)) * SECOND, TRACK, name[t_idx]
    )
    # form submissions: track + identify + a few identified pages after
    fl = last[is_form]
    submit = _rows(cols, fl, s["start"][is_form], TRACK, np.zeros(len(fl), int))
    idf = _rows(
        cols,
        fl,
        s["start"][is_form] + rng.integers(300, 2000, len(fl)) * 1000,
        IDENTIFY,
        np.full(len(fl), -1),
        ident=True,
        path=-1,
    )
    n_after = np.minimum(rng.poisson(0.6, len(fl)), 2)
    after_src = np.repeat(fl, n_after)
    a_gap = group_cumsum(
        np.clip(rng.lognormal(np.log(45), 0.9, len(after_src)), 3, 1500).astype(np.int64) * SECOND,
        n_after,
    )
    after = _rows(
        cols,
        after_src,
        np.repeat(s["start"][is_form], n_after) + 20 * SECOND + a_gap,
        PAGE,
        np.full(len(after_src), -1),
        ident=True,
        path=_paths(rng, _page_types(rng, s["e"][ev[after_src]], student[after_src])),
    )
    out = _concat([cols, tracks, submit, idf, after])

    w = pop.window
    keep = (out["ts"] >= w.start_us) & (out["ts"] < w.end_us)
    out = {k: v[keep] for k, v in out.items()}
    order = np.argsort(out["ts"], kind="stable")
    out = {k: v[order] for k, v in out.items()}
    return _attach_people(pop, s, out, n_vis, rng)


def _rows(cols, src_idx, ts, etype, ename, ident=None, path=None):
    r = {k: v[src_idx] for k, v in cols.items()}
    r["ts"] = np.asarray(ts, dtype=np.int64)
    r["etype"] = np.full(len(src_idx), etype, np.int8)
    r["ename"] = np.asarray(ename)
    for k in ("ref", "utm_s", "utm_m", "utm_c", "qs"):
        r[k] = np.full(len(src_idx), -1)
    if ident is not None:
        r["ident"] = np.full(len(src_idx), ident)
    if path is not None:
        r["path"] = np.broadcast_to(np.asarray(path), (len(src_idx),)).copy()
    return r


def _concat(parts):
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _attach_people(pop, s, out, n_vis, rng):
    sess = out["sess"]
    person = s["person"][sess]
    device = s["device"][sess]
    p0 = np.maximum(person, 0)
    vis_anon = random_uuid_bytes(rng, max(n_vis, 1))
    vis_ua = rng.integers(0, len(wd.WEB_UA), max(n_vis, 1))
    anon = np.where(
        (person < 0)[:, None],
        vis_anon[np.maximum(s["visitor"][sess], 0)],
        np.where((device == 1)[:, None], pop.anon2[p0], pop.anon[p0]),
    )
    ua = np.where(
        person < 0,
        vis_ua[np.maximum(s["visitor"][sess], 0)],
        np.where(device == 1, pop.mobile_ua[p0], pop.desktop_ua[p0]),
    )
    offset_style = (person >= 0) & pop.reports_offset[p0]
    out.update(
        person=person,
        anon=anon,
        anon_ok=np.ones(len(sess), bool),
        ua=ua,
        fmt=np.where(offset_style, TS_OFFSET, TS_Z).astype(np.int8),
        off=np.where(offset_style, pop.local_offset(p0, out["ts"]), 0).astype(np.int16),
        bad=np.full(len(sess), -1),
        eid=random_uuid_bytes(rng, len(sess)),
    )
    del out["sess"]
    return out


def web_table(pop: Population, cols: dict[str, np.ndarray], bad_values) -> pa.Table:
    person = cols["person"]
    known = cols["ident"] & (person >= 0)
    base = int(person[person >= 0].min()) if (person >= 0).any() else 0
    top = int(person.max()) + 1 if len(person) else base + 1
    ext_values, _ = _ext_referrers(pop.campaigns)
    src_v, _ = business.variant_table(pop.campaigns, "sources")
    med_v, _ = business.variant_table(pop.campaigns, "mediums")
    camp_v, _ = business.campaign_name_spellings(pop.campaigns)
    return pa.table(
        {
            "eid": uuid_array(cols["eid"]),
            "ts": ts_array(cols["ts"]),
            "fmt": cols["fmt"],
            "off": cols["off"],
            "bad": dict_array(cols["bad"], bad_values),
            "anon": uuid_array(cols["anon"], valid=cols["anon_ok"]),
            "etype": dict_array(cols["etype"], EVENT_TYPES),
            "ename": dict_array(cols["ename"], wd.TRACK_EVENTS),
            "email": dict_array(
                np.where(known, person - base, -1), pop.email.slice(base, max(top - base, 1))
            ),
            "path": dict_array(cols["path"], wd.PATHS),
            "qs": dict_array(cols["qs"], wd.QUERIES),
            "ref": dict_array(cols["ref"], ext_values + [wd.SITE + p for p in wd.PATHS]),
            "utm_source": dict_array(cols["utm_s"], src_v),
            "utm_medium": dict_array(cols["utm_m"], med_v),
            "utm_campaign": dict_array(cols["utm_c"], camp_v),
            "ua": dict_array(cols["ua"], wd.WEB_UA),
        }
    )


SELECT_SQL = f"""SELECT eid AS event_id, {ts_sql(millis=True)} AS occurred_at,
    anon AS anonymous_id, etype AS event_type, ename AS event_name, email,
    CASE WHEN path IS NULL THEN NULL ELSE '{wd.SITE}' || path || CASE
        WHEN utm_source IS NOT NULL THEN '?utm_source=' || utm_source || '&utm_medium='
            || coalesce(utm_medium, '') || '&utm_campaign=' || coalesce(utm_campaign, '')
        WHEN qs IS NOT NULL THEN qs ELSE '' END END AS url,
    ref AS referrer, utm_source, utm_medium, utm_campaign, ua AS user_agent
    FROM {{src}}"""
