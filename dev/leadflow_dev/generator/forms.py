"""Form submissions (source ``forms``): each person's lead-creating form, later forms
(more likely, and more often high-intent, for engaged people), double submits, and the
dirty re-submissions (invalid e-mail typos, broken timestamps, missing form_id). Written
as CSV, every third file gzip-compressed; some files carry the extra column ``gclid``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from . import business, dirt
from . import names as nm
from .core import (
    DAY,
    SECOND,
    choice,
    dict_array,
    random_uuid_bytes,
    sigmoid,
    ts_array,
    uuid_array,
)
from .people import Population
from .webdata import SITE
from .writer import ts_sql

# form_id, landing page path, high intent
FORMS = (
    ("ebook-lead-scoring-guide", "/resources/lead-scoring-ebook", False),
    ("whitepaper-roi", "/resources/roi-whitepaper", False),
    ("newsletter-signup", "/newsletter", False),
    ("webinar-registration", "/webinars/register", False),
    ("contact-sales", "/contact-sales", True),
    ("demo-request", "/demo", True),
    ("free-trial", "/signup", True),
    ("pricing-quote", "/pricing/quote", True),
    ("event-badge-scan", None, False),
    ("partner-referral", None, False),
)
FORM_ID = tuple(f[0] for f in FORMS)
FORM_PATH = tuple(f[1] for f in FORMS)
HIGH_INTENT = np.array([f[2] for f in FORMS])
CONTENT, CONTENT_W = np.array([0, 1, 2, 3]), [0.35, 0.2, 0.25, 0.2]
INTENT, INTENT_W = np.array([4, 5, 6, 7]), [0.25, 0.35, 0.3, 0.1]
BADGE, PARTNER_FORM, WEBINAR_FORM = 8, 9, 3

COLUMNS = (
    "submission_id",
    "submitted_at",
    "email",
    "form_id",
    "first_name",
    "last_name",
    "company",
    "job_title",
    "phone",
    "country",
    "product_interest",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "landing_page",
    "consent_marketing",
    "anonymous_id",
)
COMPANY_COL, TITLE_COL = COLUMNS.index("company"), COLUMNS.index("job_title")


@dataclass
class FormRows:
    """Valid submissions of a chunk, for the web and CRM modules."""

    person: np.ndarray
    ts: np.ndarray
    form: np.ndarray
    source: np.ndarray  # campaign index the visit came from
    device: np.ndarray  # 0 = main device, 1 = second device, -1 = no web visit
    first_intent_us: np.ndarray  # per chunk person: first high-intent form, or int64 max


def special_campaigns(campaigns) -> dict[str, int]:
    idx = {}
    for i, c in enumerate(campaigns):
        if c.channel in ("direct", "organic_search") and c.channel not in idx:
            idx[c.channel] = i
        if c.name == "newsletter_forward":
            idx["email"] = i
    return idx


def _pick_forms(rng, camp_kind, channel, e, n) -> np.ndarray:
    high = rng.random(n) < sigmoid(-1.7 + 1.1 * e)
    form = np.where(high, INTENT[choice(rng, n, INTENT_W)], CONTENT[choice(rng, n, CONTENT_W)])
    form = np.where(camp_kind == "webinar", WEBINAR_FORM, form)
    form = np.where((channel == "partner") & (rng.random(n) < 0.6), PARTNER_FORM, form)
    return np.where(camp_kind == "tradeshow", BADGE, form)


def build_forms(pop: Population, lo: int, hi: int, rng, ledger: dirt.Ledger):
    """Rows of one chunk: (FormRows for other modules, Arrow table of all rows incl. dirt)."""
    w, camps = pop.window, pop.campaigns
    specials = special_campaigns(camps)
    m = hi - lo
    person = np.arange(lo, hi)
    e = pop.engagement[lo:hi]
    kind = np.array([c.kind for c in camps])[pop.campaign[lo:hi]]
    channel = np.array([c.channel for c in camps])[pop.campaign[lo:hi]]
    form = _pick_forms(rng, kind, channel, e, m)
    src = pop.campaign[lo:hi].astype(np.int32)
    device = np.where(pop.has_web[lo:hi], 0, -1)
    ts = pop.created_us[lo:hi].copy()

    n_extra = np.minimum(rng.poisson(0.12 * np.exp(0.8 * e)), 3)
    ep = np.repeat(person, n_extra)
    ee = pop.engagement[ep]
    gap = np.where(
        rng.random(len(ep)) < 0.5, rng.uniform(1, 7, len(ep)), rng.exponential(20, len(ep))
    )
    e_ts = pop.created_us[ep] + (gap * DAY).astype(np.int64)
    e_form = np.where(
        rng.random(len(ep)) < sigmoid(-1.0 + 1.1 * ee),
        INTENT[choice(rng, len(ep), INTENT_W)],
        CONTENT[choice(rng, len(ep), CONTENT_W)],
    )
    e_src = np.array([specials["direct"], specials["email"], specials["organic_search"]])[
        choice(rng, len(ep), [0.5, 0.3, 0.2])
    ]
    e_dev = np.where(pop.second_device[ep] & (rng.random(len(ep)) < 0.3), 1, 0)
    keep = e_ts < w.end_us
    person_v = np.concatenate([person, ep[keep]])
    ts_v = np.concatenate([ts, e_ts[keep]])
    form_v = np.concatenate([form, e_form[keep]])
    src_v = np.concatenate([src, e_src[keep]])
    dev_v = np.concatenate([device, e_dev[keep]])
    primary = np.arange(len(person_v)) < m

    intent_ts = np.where(HIGH_INTENT[form_v], ts_v, np.iinfo(np.int64).max)
    first_intent = np.full(m, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_intent, person_v - lo, intent_ts)
    rows = FormRows(person_v, ts_v, form_v, src_v, dev_v, first_intent)

    # ---- dirt: extra rows copied from valid ones
    n_valid = len(person_v)
    copies, kinds = [], []
    for kind_name in (
        "double_submit",
        dirt.INVALID_EMAIL,
        dirt.BAD_TIMESTAMP,
        dirt.MISSING_REQUIRED,
    ):
        k = ledger.quota("forms", kind_name, n_valid)
        copies.append(dirt.pick(rng, n_valid, k))
        kinds.append(np.full(k, len(kinds), dtype=np.int8))
    cp = np.concatenate(copies)
    ck = np.concatenate(kinds)
    ledger.add("forms", dirt.DUPLICATE_PERSON, int((~primary).sum() + (ck == 0).sum()))
    ledger.add("forms", dirt.INVALID_EMAIL, int((ck == 1).sum()))
    ledger.add("forms", dirt.BAD_TIMESTAMP, int((ck == 2).sum()))
    ledger.add("forms", dirt.MISSING_REQUIRED, int((ck == 3).sum()))

    shift = np.select(
        [ck == 0, ck == 1],
        [rng.integers(2, 20, len(cp)) * SECOND, -rng.integers(30, 300, len(cp)) * SECOND],
        rng.integers(1, 3600, len(cp)) * SECOND,
    )
    all_idx = np.concatenate([np.arange(n_valid), cp])
    all_ts = np.concatenate([ts_v, ts_v[cp] + shift])
    dirt_kind = np.concatenate([np.full(n_valid, -1, np.int8), ck])
    all_ts = np.minimum(all_ts, pop.window.end_us - SECOND)  # shifted copies stay in the window
    order = np.argsort(all_ts, kind="stable")
    all_idx, all_ts, dirt_kind = all_idx[order], all_ts[order], dirt_kind[order]
    table = _table(pop, lo, hi, rng, ledger, rows, primary, all_idx, all_ts, dirt_kind)
    return rows, table


def _table(pop, lo, hi, rng, ledger, rows: FormRows, primary, idx, ts, dk) -> pa.Table:
    n = len(idx)
    p = rows.person[idx]
    camps = pop.campaigns
    src = rows.source[idx]
    valid = dk != 1
    variant = np.where(primary[idx], rng.random(n) < 0.05, rng.random(n) < 0.3) * rng.integers(
        1, 6, n
    )
    variant = np.where(valid, variant, 0)
    ledger.add("forms", dirt.EMAIL_VARIANT, int((variant > 0).sum()))
    override = [None] * n
    for i in np.flatnonzero(dk == 1):
        override[i] = dirt.invalid_email(pop.email[int(p[i])].as_py(), rng.random())

    fmt = choice(rng, n, [0.30, 0.55, 0.15])  # Z, naive, offset
    country = pop.country[p]
    cform = choice(rng, n, [0.80, 0.12, 0.03, 0.05])
    ccode = np.where(cform == 3, -1, country + len(business.COUNTRIES) * np.minimum(cform, 2))
    comp = pop.company[p]
    free_company = np.where(comp >= 0, -1, rng.integers(0, len(nm.FREEMAIL_COMPANY), n))
    utm = {}
    for field in ("sources", "mediums"):
        values, per = business.variant_table(camps, field)
        utm[field] = dict_array(business.draw_spelling(rng, per, src), values)
    cnames, _ = business.campaign_name_spellings(camps)
    camp_codes = business.draw_campaign_codes(rng, camps, src)
    path_codes = np.array([i if FORM_PATH[i] else -1 for i in range(len(FORMS))])[rows.form[idx]]
    cc = np.array(business.COUNTRY_CALLING)
    return pa.table(
        {
            "sid": uuid_array(random_uuid_bytes(rng, n)),
            "ts": ts_array(ts),
            "fmt": fmt.astype(np.int8),
            "off": pop.local_offset(p, ts),
            "bad": dict_array(
                np.where(dk == 2, rng.integers(0, len(dirt.BAD_TIMESTAMPS), n), -1),
                dirt.BAD_TIMESTAMPS,
            ),
            "email": dict_array(p - lo, pop.email.slice(lo, hi - lo)),
            "variant": variant.astype(np.int8),
            "override": pa.array(override, pa.string()),
            "form_id": dict_array(np.where(dk == 3, -1, rows.form[idx]), FORM_ID),
            "first": dict_array(pop.first[p], nm.FIRST_NAMES),
            "last": dict_array(pop.last[p], nm.LAST_NAMES),
            "name_case": choice(rng, n, [0.95, 0.03, 0.02]).astype(np.int8),
            "company": dict_array(comp, pop.companies.name),
            "free_company": dict_array(free_company, nm.FREEMAIL_COMPANY),
            "company_lower": rng.random(n) < 0.04,
            "title": dict_array(np.where(rng.random(n) < 0.06, -1, pop.title[p]), nm.TITLES),
            "cc": dict_array(np.where(rng.random(n) < 0.15, -1, pop.country[p]), cc),
            "phone_a": rng.integers(200, 999, n),
            "phone_b": rng.integers(0, 10_000_000, n),
            "phone_fmt": rng.integers(0, 3, n).astype(np.int8),
            "country": dict_array(
                ccode, business.COUNTRY_CODE + business.COUNTRY_NAME + business.COUNTRY_ALT
            ),
            "product": dict_array(
                np.where(rng.random(n) < 0.12, -1, pop.product[p]), business.PRODUCT_NAME
            ),
            "utm_source": utm["sources"],
            "utm_medium": utm["mediums"],
            "utm_campaign": dict_array(camp_codes, cnames),
            "path": dict_array(path_codes, [x or "" for x in FORM_PATH]),
            "consent": pop.consent[p],
            "anon": uuid_array(
                np.where((rows.device[idx] == 1)[:, None], pop.anon2[p], pop.anon[p]),
                valid=rows.device[idx] >= 0,
            ),
        }
    )


def select_sql(with_gclid: bool) -> str:
    email = """CASE variant WHEN 1 THEN upper(email[1]) || email[2:] WHEN 2 THEN upper(email)
        WHEN 3 THEN ' ' || email WHEN 4 THEN email || ' '
        WHEN 5 THEN upper(email[1]) || email[2:] || '  ' ELSE email END"""

    def name(col):
        return f"CASE name_case WHEN 1 THEN lower({col}) WHEN 2 THEN upper({col}) ELSE {col} END"

    utm_q = (
        "'?utm_source=' || utm_source || '&utm_medium=' || coalesce(utm_medium, '') "
        "|| '&utm_campaign=' || coalesce(utm_campaign, '')"
    )
    phone = """CASE WHEN cc IS NULL THEN NULL
        WHEN phone_fmt = 0 OR cc <> '1'
            THEN '+' || cc || ' ' || phone_a::VARCHAR || ' ' || lpad(phone_b::VARCHAR, 7, '0')
        WHEN phone_fmt = 1
            THEN printf('(%03d) %03d-%04d', phone_a, phone_b // 10000 % 1000, phone_b % 10000)
        ELSE printf('+1-%03d-%03d-%04d', phone_a, phone_b // 10000 % 1000, phone_b % 10000) END"""
    gclid = (
        (
            ", CASE WHEN lower(utm_source) = 'google' THEN 'Cj0KCQjw' || "
            "upper(substr(md5(sid::VARCHAR), 1, 24)) END AS gclid"
        )
        if with_gclid
        else ""
    )
    return f"""SELECT sid AS submission_id, {ts_sql()} AS submitted_at,
        coalesce(override, {email}) AS email, form_id,
        {name("first")} AS first_name, {name("last")} AS last_name,
        nullif(CASE WHEN company_lower THEN lower(coalesce(company, free_company))
               ELSE coalesce(company, free_company) END, '') AS company,
        title AS job_title, {phone} AS phone, country, product AS product_interest,
        utm_source, utm_medium, utm_campaign,
        CASE WHEN path IS NULL OR path = '' THEN NULL ELSE '{SITE}' || path
             || CASE WHEN utm_source IS NOT NULL THEN {utm_q} ELSE '' END END AS landing_page,
        CASE WHEN consent THEN 'true' ELSE 'false' END AS consent_marketing,
        anon AS anonymous_id{gclid}
        FROM {{src}}"""


def file_layout(k: int, n_chunks: int) -> tuple[str, bool, bool]:
    """(file extension, has gclid drift, gets the unclosed-quote line) of chunk ``k``."""
    ext = "csv.gz" if k % 3 == 2 else "csv"
    last_plain = max(i for i in range(n_chunks) if i % 3 != 2)
    return ext, k % 4 == 1, k == last_plain


def malform(path: Path, fractions: list[float], flips: list[float], unclosed: bool) -> int:
    """Insert broken copies of real rows into a plain CSV; returns lines added."""
    flip = iter(flips)

    def make(line: bytes) -> bytes:
        if next(flip) < 0.5:
            return dirt.csv_extra_field(line, COMPANY_COL)
        return dirt.csv_missing_fields(line)

    append = None
    if unclosed:
        with open(path, "rb") as f:
            f.readline()
            append = dirt.csv_unclosed_quote(f.readline(), TITLE_COL)
    return dirt.insert_lines(path, fractions, make, append)
