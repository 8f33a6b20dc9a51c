"""The simulated business: countries, products, sales reps, channels
and campaigns (with UTM spellings, cost per lead, cost per click and lead quality).

Campaigns that run for a limited time (monthly webinars, three trade shows) are derived
from the generated window, so the business depends only on (end_date, days).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .core import Window

# ---------------------------------------------------------------- countries
# code, English name, alternative spellings seen in forms, weight, fit effect,
# corporate TLD, calling code, UTC offset in minutes (standard time), has DST, currency, team
COUNTRIES: tuple[tuple, ...] = (
    ("US", "United States", "USA", 27, 0.25, "com", "1", -300, True, "USD", "na"),
    ("CA", "Canada", "Canada", 4, 0.15, "ca", "1", -300, True, "USD", "na"),
    ("GB", "United Kingdom", "UK", 9, 0.20, "co.uk", "44", 0, True, "GBP", "emea"),
    ("DE", "Germany", "Deutschland", 11, 0.20, "de", "49", 60, True, "EUR", "emea"),
    ("FR", "France", "France", 6, 0.00, "fr", "33", 60, True, "EUR", "emea"),
    ("NL", "Netherlands", "The Netherlands", 4, 0.20, "nl", "31", 60, True, "EUR", "emea"),
    ("ES", "Spain", "España", 4, -0.20, "es", "34", 60, True, "EUR", "emea"),
    ("IT", "Italy", "Italia", 3, -0.20, "it", "39", 60, True, "EUR", "emea"),
    ("SE", "Sweden", "Sverige", 2, 0.20, "se", "46", 60, True, "EUR", "emea"),
    ("CH", "Switzerland", "Schweiz", 2, 0.30, "ch", "41", 60, True, "EUR", "emea"),
    ("PL", "Poland", "Polska", 3, -0.30, "pl", "48", 60, True, "EUR", "emea"),
    ("IN", "India", "India", 9, -0.60, "in", "91", 330, False, "USD", "apac_latam"),
    ("BR", "Brazil", "Brasil", 5, -0.50, "com.br", "55", -180, False, "USD", "apac_latam"),
    ("MX", "Mexico", "México", 2, -0.40, "com.mx", "52", -360, False, "USD", "apac_latam"),
    ("AU", "Australia", "Australia", 4, 0.15, "com.au", "61", 600, False, "USD", "apac_latam"),
    ("SG", "Singapore", "Singapore", 2, 0.10, "sg", "65", 480, False, "USD", "apac_latam"),
    ("JP", "Japan", "Japan", 3, 0.00, "jp", "81", 540, False, "USD", "apac_latam"),
)
COUNTRY_CODE = tuple(c[0] for c in COUNTRIES)
COUNTRY_NAME = tuple(c[1] for c in COUNTRIES)
COUNTRY_ALT = tuple(c[2] for c in COUNTRIES)
COUNTRY_WEIGHT = np.array([c[3] for c in COUNTRIES], dtype=float)
COUNTRY_FIT = np.array([c[4] for c in COUNTRIES])
COUNTRY_TLD = tuple(c[5] for c in COUNTRIES)
COUNTRY_CALLING = tuple(c[6] for c in COUNTRIES)
COUNTRY_UTC_OFFSET = np.array([c[7] for c in COUNTRIES], dtype=np.int16)
COUNTRY_DST = np.array([c[8] for c in COUNTRIES])
COUNTRY_CURRENCY = tuple(c[9] for c in COUNTRIES)
COUNTRY_TEAM = tuple(c[10] for c in COUNTRIES)

# USD value of one unit of currency; deal amounts and spend were converted with these.
FX_TO_USD = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27}

# ---------------------------------------------------------------- products
# name, price factor, fit effect, affinity per department (see names.DEPARTMENTS)
PRODUCTS: tuple[tuple, ...] = (
    ("Analytics Cloud", 1.0, 0.0, (1.0, 0.6, 1.2, 0.6, 2.5, 1.2, 0.8, 0.4, 1.0)),
    ("Marketing Automation", 0.8, -0.1, (3.0, 0.8, 0.3, 0.3, 0.6, 0.4, 1.0, 0.6, 1.0)),
    ("Sales Hub", 0.9, 0.0, (0.6, 3.0, 0.2, 0.3, 0.4, 0.6, 1.4, 0.6, 1.0)),
    ("Data Platform", 1.5, 0.2, (0.3, 0.2, 2.5, 2.5, 1.8, 0.5, 0.5, 0.2, 0.6)),
)
PRODUCT_NAME = tuple(p[0] for p in PRODUCTS)
PRODUCT_PRICE = np.array([p[1] for p in PRODUCTS])
PRODUCT_FIT = np.array([p[2] for p in PRODUCTS])
PRODUCT_AFFINITY = np.array([p[3] for p in PRODUCTS]).T  # (departments, products)

# ---------------------------------------------------------------- sales reps
REPS = (
    "ana.silva",
    "ben.carter",
    "david.kim",
    "grace.obi",  # na
    "hannah.schmidt",
    "elena.rossi",
    "lucas.moreau",
    "farid.haddad",
    "ivan.petrov",  # emea
    "kenji.tanaka",
    "julia.santos",
    "chloe.martin",  # apac_latam
)
REP_TEAM = ("na",) * 4 + ("emea",) * 5 + ("apac_latam",) * 3
# median first-response delay multiplier per rep (some reps are fast, some slow)
REP_SPEED = np.array([0.5, 1.0, 2.0, 0.8, 0.6, 1.5, 1.0, 3.0, 1.2, 0.7, 1.8, 1.0])

# ---------------------------------------------------------------- channels & campaigns
CHANNELS = (
    "organic_search",
    "paid_search",
    "paid_social",
    "email",
    "referral",
    "partner",
    "events",
    "direct",
)
CHANNEL_SHARE = {
    "organic_search": 0.20,
    "paid_search": 0.20,
    "paid_social": 0.16,
    "email": 0.06,
    "referral": 0.10,
    "partner": 0.06,
    "events": 0.10,
    "direct": 0.12,
}

GOOGLE = (("google", 0.82), ("Google", 0.14), ("GOOGLE", 0.04))
BING = (("bing", 0.9), ("Bing", 0.1))
CPC = (("cpc", 0.85), ("CPC", 0.10), ("ppc", 0.05))
LINKEDIN = (("linkedin", 0.75), ("LinkedIn", 0.20), ("linkedin.com", 0.05))
FACEBOOK = (("facebook", 0.70), ("fb", 0.20), ("Facebook", 0.10))
PAID_SOCIAL = (("paid_social", 0.70), ("paidsocial", 0.15), ("Paid Social", 0.05), ("cpc", 0.10))
EMAIL_MEDIUM = (("email", 0.90), ("Email", 0.08), ("e-mail", 0.02))
REFERRAL = (("referral", 0.9), ("Referral", 0.1))
PARTNER = (("partner", 0.9), ("Partner", 0.1))
WEBINAR = (("webinar", 0.85), ("Webinar", 0.15))
EVENT = (("event", 0.8), ("Event", 0.1), ("tradeshow", 0.1))
NONE: tuple = ()

SEARCH_REFS = (
    ("https://www.google.com/", 0.80),
    ("https://www.bing.com/", 0.12),
    ("https://duckduckgo.com/", 0.05),
    ("https://www.ecosia.org/", 0.03),
)


@dataclass(frozen=True)
class Campaign:
    """One acquisition campaign. ``name`` is the canonical (lower-case) utm_campaign, empty
    for traffic without UTM parameters (organic, direct, plain referrals)."""

    name: str
    channel: str
    share: float  # share of all leads
    quality: float  # fit effect (logit) of leads from this campaign
    sources: tuple = NONE  # utm_source spellings with weights
    mediums: tuple = NONE  # utm_medium spellings with weights
    referrers: tuple = NONE  # external referrers of landing page views
    cpl: float = 0.0  # cost per lead in USD; 0 = no spend rows
    cpc: float = 0.0  # cost per click in USD; 0 = no clicks reported
    ctr: float = 0.0  # click-through rate (impressions = clicks / ctr)
    currency: str = "USD"
    kind: str = "always"  # always | webinar | tradeshow
    active: tuple[int, int] | None = None  # [first day, last day] window index, inclusive
    spend_channel: str = ""  # channel label in the spend export

    @property
    def has_spend(self) -> bool:
        return self.cpl > 0


G_REF = (("https://www.google.com/", 1.0),)
LI_REF = (("https://www.linkedin.com/", 0.7), ("https://lnkd.in/", 0.3))
FB_REF = (
    ("https://l.facebook.com/", 0.6),
    ("https://m.facebook.com/", 0.3),
    ("https://www.instagram.com/", 0.1),
)
BLOG_REF = (
    ("https://news.ycombinator.com/", 0.2),
    ("https://www.reddit.com/", 0.3),
    ("https://medium.com/", 0.3),
    ("https://martechweekly.io/", 0.2),
)
G2 = (("g2", 0.8), ("G2", 0.2))
CAPTERRA = (("capterra", 0.9), ("Capterra", 0.1))
NEWSLETTER = (("newsletter", 0.8), ("sendgrid", 0.2))
TECHWEEKLY = (("techweekly", 0.9), ("TechWeekly", 0.1))
NORTHSTAR = (("northstar", 0.9), ("Northstar", 0.1))
BLUEPEAK = (("bluepeak", 0.9), ("BluePeak", 0.1))

# fmt: off
# Always-on campaigns: name, channel, share of the channel's leads, quality (fit effect),
# utm_source and utm_medium spellings, referrers, cost per lead, cost per click, CTR.
ALWAYS_ON = (
    ("", "organic_search", 1.0, 0.20, NONE, NONE, SEARCH_REFS, 0, 0, 0),
    ("brand_search", "paid_search", 0.35, 0.35, GOOGLE, CPC, G_REF, 100, 3.2, 0.060),
    ("nonbrand_lead_scoring", "paid_search", 0.35, 0.0, GOOGLE, CPC, G_REF, 270, 4.1, 0.030),
    ("competitor_conquest", "paid_search", 0.15, -0.10, GOOGLE, CPC, G_REF, 340, 5.5, 0.025),
    ("bing_generic", "paid_search", 0.15, -0.15, BING, CPC,
     (("https://www.bing.com/", 1.0),), 200, 2.2, 0.030),
    ("li_abm_enterprise", "paid_social", 0.25, 0.45, LINKEDIN, PAID_SOCIAL, LI_REF,
     500, 9.0, 0.006),
    ("li_sponsored_content", "paid_social", 0.25, 0.10, LINKEDIN, PAID_SOCIAL, LI_REF,
     300, 7.5, 0.007),
    ("fb_lookalike", "paid_social", 0.30, -0.80, FACEBOOK, PAID_SOCIAL, FB_REF, 70, 1.1, 0.012),
    ("fb_retargeting", "paid_social", 0.20, -0.25, FACEBOOK, PAID_SOCIAL, FB_REF, 120, 1.4, 0.015),
    ("partner_newsletter_sponsorship", "email", 0.5, 0.0, TECHWEEKLY, EMAIL_MEDIUM, NONE,
     170, 2.5, 0.010),
    ("newsletter_forward", "email", 0.5, 0.10, NEWSLETTER, EMAIL_MEDIUM, NONE, 0, 0, 0),
    ("g2_profile", "referral", 0.4, 0.50, G2, REFERRAL, (("https://www.g2.com/", 1.0),),
     200, 6.0, 0.020),
    ("capterra_listing", "referral", 0.3, 0.15, CAPTERRA, REFERRAL,
     (("https://www.capterra.com/", 1.0),), 140, 4.0, 0.020),
    ("", "referral", 0.3, 0.30, NONE, NONE, BLOG_REF, 0, 0, 0),
    ("partner_northstar_consulting", "partner", 0.5, 0.60, NORTHSTAR, PARTNER,
     (("https://www.northstar-consulting.com/", 1.0),), 290, 0, 0),
    ("partner_bluepeak_agency", "partner", 0.5, 0.45, BLUEPEAK, PARTNER,
     (("https://bluepeak.agency/", 1.0),), 250, 0, 0),
    ("", "direct", 1.0, 0.15, NONE, NONE, NONE, 0, 0, 0),
)
# fmt: on


def _always() -> list[Campaign]:
    return [Campaign(r[0], r[1], CHANNEL_SHARE[r[1]] * r[2], *r[3:]) for r in ALWAYS_ON]


TRADESHOWS = (
    ("saas_connect_berlin", "EUR", 0.15),
    ("martech_summit_london", "GBP", 0.50),
    ("revops_world_austin", "USD", 0.82),
)


def _timed(window: Window) -> list[Campaign]:
    ev = CHANNEL_SHARE["events"]
    out: list[Campaign] = []
    n_web = max(1, window.days // 30)
    for i in range(n_web):
        live = min(window.days - 1, int((i + 1) * window.days / n_web) - 3)
        first = max(0, live - 21)
        d = window.day_date(live)
        out.append(Campaign(
            f"webinar_{d:%Y_%m_%d}", "events", share=ev * 0.55 / n_web, quality=0.05,
            sources=(("webinar", 0.7), ("zoom", 0.3)), mediums=WEBINAR, cpl=60, cpc=2.0,
            ctr=0.008, kind="webinar", active=(first, live)))  # fmt: skip
    for name, currency, pos in TRADESHOWS:
        first = min(window.days - 1, int(pos * window.days))
        last = min(window.days - 1, first + 4)  # 3 show days + 2 days of badge imports
        year = window.day_date(first).year
        out.append(Campaign(
            f"{name}_{year}", "events", share=ev * 0.45 / len(TRADESHOWS), quality=0.25,
            sources=(("event", 1.0),), mediums=EVENT, cpl=580, currency=currency,
            kind="tradeshow", active=(first, last)))  # fmt: skip
    return out


def campaigns_for(window: Window) -> list[Campaign]:
    """All campaigns of the window, always-on ones first."""
    labels = {
        "paid_search": "paid_search",
        "paid_social": "paid_social",
        "email": "email",
        "referral": "referral",
        "partner": "partner",
        "events": "events",
    }
    out = []
    for c in _always() + _timed(window):
        out.append(Campaign(**{**c.__dict__, "spend_channel": labels.get(c.channel, "")}))
    return out


def variant_table(campaigns: list[Campaign], field: str) -> tuple[list[str], list]:
    """All distinct spellings of ``field`` (sources/mediums/referrers) and, per campaign,
    (codes, weights) to draw from. Campaigns without spellings get code -1 (null)."""
    values: list[str] = []
    per: list = []
    for c in campaigns:
        spellings = getattr(c, field)
        if not spellings:
            per.append((np.array([-1]), np.array([1.0])))
            continue
        codes = []
        for s, _ in spellings:
            if s not in values:
                values.append(s)
            codes.append(values.index(s))
        w = np.array([w for _, w in spellings], dtype=float)
        per.append((np.array(codes), w / w.sum()))
    return values, per


def draw_spelling(rng: np.random.Generator, per: list, campaign: np.ndarray) -> np.ndarray:
    """For each row's campaign, a code drawn from that campaign's spellings (-1 = none)."""
    codes = np.full(len(campaign), -1, dtype=np.int32)
    for j, (cs, w) in enumerate(per):
        sel = np.flatnonzero(campaign == j)
        if len(sel):
            codes[sel] = cs[rng.choice(len(cs), size=len(sel), p=w)]
    return codes


def campaign_name_spellings(campaigns: list[Campaign]) -> tuple[list[str], np.ndarray]:
    """utm_campaign spellings: canonical, Capitalised and UPPER per campaign (code =
    campaign + n * case), and which campaigns have a name at all."""
    names = [c.name for c in campaigns]
    values = names + [x[:1].upper() + x[1:] for x in names] + [x.upper() for x in names]
    return values, np.array([bool(x) for x in names])


def draw_campaign_codes(
    rng: np.random.Generator, campaigns: list[Campaign], campaign: np.ndarray
) -> np.ndarray:
    _, has_name = campaign_name_spellings(campaigns)
    case = rng.choice(3, size=len(campaign), p=[0.92, 0.05, 0.03])
    return np.where(has_name[campaign], campaign + len(campaigns) * case, -1)
