# ruff: noqa: E501  (user-agent strings are data)
"""Lookup lists for web and e-mail events: site pages by type, form landing pages, browser
and e-mail client user agents (human, privacy proxies, link scanners) and IP ranges."""

from __future__ import annotations

import numpy as np

SITE = "https://www.example.com"

PAGES: dict[str, tuple[str, ...]] = {
    "home": ("/",),
    "pricing": ("/pricing", "/pricing/enterprise", "/pricing/compare"),
    "demo": ("/demo", "/book-a-demo"),
    "product": (
        "/product/analytics-cloud",
        "/product/marketing-automation",
        "/product/sales-hub",
        "/product/data-platform",
        "/product/integrations",
        "/product/security",
    ),
    "docs": (
        "/docs/getting-started",
        "/docs/api",
        "/docs/integrations/salesforce",
        "/docs/integrations/hubspot",
        "/docs/sdk/python",
        "/docs/data-model",
        "/docs/faq",
    ),
    "blog": tuple(
        "/blog/" + s
        for s in (
            "lead-scoring-101",
            "what-is-an-mql",
            "speed-to-lead",
            "attribution-models-explained",
            "b2b-funnel-benchmarks",
            "email-deliverability-2025",
            "apple-mpp-and-open-rates",
            "revops-playbook",
            "abm-for-startups",
            "data-warehouse-for-marketers",
            "hubspot-vs-salesforce",
            "cac-payback",
            "webinar-checklist",
            "gdpr-consent-basics",
            "predictive-lead-scoring",
            "sales-marketing-sla",
        )
    ),
    "case_studies": (
        "/case-studies",
        "/case-studies/northwind-retail",
        "/case-studies/globex",
        "/case-studies/initech",
        "/case-studies/umbrella-health",
    ),
    "careers": ("/careers", "/careers/open-positions", "/careers/internships"),
    "about": ("/about", "/contact", "/partners"),
    "forms": (
        "/resources/lead-scoring-ebook",
        "/resources/roi-whitepaper",
        "/newsletter",
        "/webinars/register",
        "/contact-sales",
        "/signup",
        "/pricing/quote",
    ),
}
PAGE_TYPES = tuple(PAGES)
PATHS: tuple[str, ...] = tuple(p for t in PAGE_TYPES for p in PAGES[t])
TYPE_START = np.array([PATHS.index(PAGES[t][0]) for t in PAGE_TYPES])
TYPE_COUNT = np.array([len(PAGES[t]) for t in PAGE_TYPES])
T = {t: i for i, t in enumerate(PAGE_TYPES)}
# browsing mix of page types other than pricing/demo (those depend on engagement)
BASE_MIX = {
    "home": 0.18,
    "product": 0.20,
    "blog": 0.27,
    "docs": 0.14,
    "case_studies": 0.08,
    "careers": 0.03,
    "about": 0.10,
}
QUERIES = ("?ref=nav", "?ref=footer", "?plan=team", "?plan=enterprise", "?lang=de", "?src=blog")

TRACK_EVENTS = ("Form Submitted", "CTA Clicked", "Video Played", "Pricing Calculator Used")

DESKTOP_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
)
MOBILE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.6312.99 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1",
)
WEB_UA = DESKTOP_UA + MOBILE_UA

# e-mail: opens by people (mail clients; Gmail always fetches through its image proxy)
HUMAN_OPEN_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)",
    "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
)
# opens by privacy proxies / security gateways within seconds of delivery
MACHINE_OPEN_UA = (
    "Mozilla/5.0",
    "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
    "YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html",
    "Mozilla/4.0 (compatible; ms-office; MSOffice 16)",
)
# link scanners (security gateways) clicking every link within a minute
SCANNER_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/91.0.4472.124 Safari/537.36",
    "Mozilla/5.0 (compatible; Barracuda Sentinel (EE))",
    "Mozilla/5.0 (compatible; ProofpointURLDefense/1.0)",
    "python-requests/2.31.0",
)
EMAIL_UA = HUMAN_OPEN_UA + MACHINE_OPEN_UA + SCANNER_UA + WEB_UA
HUMAN_OPEN_BASE = 0
MACHINE_OPEN_BASE = len(HUMAN_OPEN_UA)
SCANNER_BASE = MACHINE_OPEN_BASE + len(MACHINE_OPEN_UA)
WEB_BASE = SCANNER_BASE + len(SCANNER_UA)

# first octets: proxy and data-centre ranges (Apple, Google, Yahoo, Microsoft, AWS, GCP)
MACHINE_OCTETS = np.array([17, 66, 98, 40])
SCANNER_OCTETS = np.array([3, 34, 52, 104])
RESIDENTIAL_OCTETS = np.array([24, 73, 76, 81, 84, 86, 88, 92, 109, 176, 177, 187, 49, 110, 122])


def ipv4(rng: np.random.Generator, first_octets: np.ndarray, n: int) -> np.ndarray:
    """Random IPv4 addresses (as uint32) inside the given /8 ranges."""
    first = first_octets[rng.integers(0, len(first_octets), n)].astype(np.uint32)
    return (first << 24) | rng.integers(1, 2**24 - 1, n).astype(np.uint32)


# e-mail campaign links (paths on the site)
EMAIL_LINKS = (
    "/pricing",
    "/demo",
    "/blog/lead-scoring-101",
    "/case-studies/globex",
    "/product/analytics-cloud",
    "/webinars/register",
    "/docs/getting-started",
    "/blog/predictive-lead-scoring",
)
