"""Word lists for people and companies: first and last names, company name parts and
legal suffixes, free-mail domains, and job titles with the seniority and department they
stand for (titles are varied real-world strings; the seniority/department behind each is
what a title normaliser should recover).
"""

from __future__ import annotations

import unicodedata

import numpy as np

FIRST_NAMES = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa "
    "Anthony Betty Mark Sandra Steven Ashley Paul Emily Andrew Michelle Joshua Amanda Kevin "
    "Melissa Brian Laura George Rebecca Timothy Emma Jason Olivia Ryan Sophia Jacob Chloe "
    "Lukas Hannah Jonas Lea Felix Anna Maximilian Marie Leon Mia Paul Sophie Lucas Camille "
    "Hugo Léa Louis Manon Jules Inès Sem Julia Daan Tess Mateo Lucía Pablo Martina Alejandro "
    "Sofía Giulia Lorenzo Francesca Marco Chiara Erik Astrid Oskar Elin Jakub Zofia Piotr "
    "Aleksandra Aarav Priya Rohan Ananya Vikram Kavya Arjun Diya Rahul Neha Gabriel Ana "
    "Miguel Beatriz João Mariana Rafael Camila Diego Valentina Hiroshi Yuki Kenji Sakura "
    "Wei Mei Jun Ling Oliver Amelia Noah Charlotte Liam Isla Ethan Grace Mohammed Fatima "
    "Omar Layla Ahmed Aisha Chen Nora Samuel Zoe Benjamin Ella Alexander Hanna"
).split()
LAST_NAMES = (
    (
        "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
        "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
        "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott "
        "Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter "
        "Roberts Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann "
        "Koch Richter Klein Wolf Schröder Neumann Braun Zimmermann Dubois Durand Lefebvre "
        "Moreau Laurent Simon Michel Leroy Roux Fournier de_Vries Jansen Bakker Visser Smit "
        "Meijer Mulder Bos Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino "
        "Greco Fernández González Rodríguez López Martínez Sánchez Pérez Gómez Ruiz Díaz "
        "Andersson Johansson Karlsson Nilsson Eriksson Nowak Kowalski Wiśniewski Wójcik "
        "Kowalczyk Sharma Patel Singh Kumar Gupta Reddy Iyer Nair Mehta Joshi Silva Santos "
        "Oliveira Souza Costa Pereira Almeida Ferreira Carvalho Sato Suzuki Takahashi Tanaka "
        "Watanabe Ito Yamamoto Wang Li Zhang Liu Chen Yang Huang Zhao Kim Park Choi O'Brien "
        "Murphy Kelly Walsh Byrne Ahmed Hassan Ali Khan Cohen Levi Novak Horvat"
    )
    .replace("_", " ")
    .split()
)


def ascii_slug(name: str) -> str:
    """Lower-case ASCII form used in e-mail local parts ("Müller" -> "muller")."""
    norm = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in norm if ch.isascii() and ch.isalpha()).lower()


FIRST_SLUGS = tuple(ascii_slug(n) for n in FIRST_NAMES)
LAST_SLUGS = tuple(ascii_slug(n) for n in LAST_NAMES)

COMPANY_PREFIX = (
    "North South East West Blue Bright Silver Red Green Iron Clear Quantum Peak Swift "
    "Summit Cedar Harbor Nova Apex Vertex Atlas Orbit Pioneer Lumen Terra Stellar Crest "
    "Granite Maple Oak River Stone Sky Sun Moon Star Cloud Rapid Alpine Polar Coral Falcon "
    "Eagle Fox Wolf Lion Tiger Bear Hawk Urban Metro Prime True Bold Smart Deep High Wide "
    "Open Next First Global Vivid Solid Pure Zen Echo Pixel Delta Sigma Omega Vector Fusion "
    "Arc Ember Frost Gold Jade Onyx Ruby"
).split()
COMPANY_CORE = (
    "wind point bridge field works labs soft data logic scale stack grid path wave forge "
    "line craft sync flow mark base core gate hive leaf ridge view yard dale port shift "
    "beam spark loop byte cast mind tech nest light stream"
).split()
COMPANY_SECTOR = (
    "Analytics Systems Logistics Health Capital Media Software Consulting Manufacturing "
    "Retail Energy Foods Robotics Insurance Education Security Telecom Biotech Partners "
    "Group Solutions Networks Labs Industries Digital Ventures Pharma Mobility Finance Travel"
).split()
LEGAL_SUFFIX = {
    "US": ("Inc.", "LLC", "", "Corp."),
    "CA": ("Inc.", "Ltd.", ""),
    "GB": ("Ltd", "plc", ""),
    "DE": ("GmbH", "AG", "GmbH & Co. KG"),
    "FR": ("SAS", "SA", ""),
    "NL": ("B.V.", "N.V.", ""),
    "ES": ("S.L.", "S.A.", ""),
    "IT": ("S.r.l.", "S.p.A.", ""),
    "SE": ("AB",),
    "CH": ("AG", "GmbH", "SA"),
    "PL": ("Sp. z o.o.", "S.A."),
    "IN": ("Pvt Ltd", "Ltd", ""),
    "BR": ("Ltda", "S.A."),
    "MX": ("S.A. de C.V.", ""),
    "AU": ("Pty Ltd", ""),
    "SG": ("Pte Ltd",),
    "JP": ("K.K.", "Inc."),
}
# company size tiers (employees), weight among companies, contacts weight, amount in USD
SIZE_TIERS = ("1-10", "11-50", "51-200", "201-1000", "1001-5000", "5000+")
SIZE_WEIGHT = np.array([0.30, 0.28, 0.20, 0.13, 0.06, 0.03])
SIZE_CONTACTS = np.array([1.0, 1.3, 1.8, 2.6, 4.0, 6.0])
SIZE_AMOUNT_USD = np.array([1_500, 4_000, 9_000, 20_000, 40_000, 80_000])

FREEMAIL = (
    ("gmail.com", 52),
    ("outlook.com", 11),
    ("hotmail.com", 8),
    ("yahoo.com", 10),
    ("icloud.com", 6),
    ("gmx.de", 4),
    ("web.de", 2),
    ("proton.me", 2),
    ("aol.com", 2),
    ("yahoo.co.uk", 2),
    ("live.com", 1),
)
FREEMAIL_DOMAINS = tuple(d for d, _ in FREEMAIL)
FREEMAIL_WEIGHT = np.array([w for _, w in FREEMAIL], dtype=float)
FREEMAIL_COMPANY = ("", "", "", "", "Freelance", "Self-employed", "Student", "N/A", "-", "none")

# ---------------------------------------------------------------- titles
SENIORITY = ("student", "individual_contributor", "manager", "director", "vp", "c_level")
SENIORITY_WEIGHT = np.array([0.08, 0.38, 0.25, 0.15, 0.07, 0.07])
SENIORITY_FIT = np.array([-1.8, -0.3, 0.3, 0.7, 0.8, 0.5])
DEPARTMENTS = (
    "marketing",
    "sales",
    "engineering",
    "it",
    "data",
    "finance",
    "operations",
    "hr",
    "general_management",
)
DEPARTMENT_WEIGHT = np.array([0.26, 0.16, 0.14, 0.08, 0.10, 0.06, 0.12, 0.05, 0.03])
DEPARTMENT_FIT = np.array([0.35, 0.20, 0.10, 0.10, 0.30, -0.30, 0.10, -0.70, 0.20])
_DEPT_LABEL = {
    "marketing": "Marketing",
    "sales": "Sales",
    "engineering": "Engineering",
    "it": "IT",
    "data": "Data",
    "finance": "Finance",
    "operations": "Operations",
    "hr": "HR",
    "general_management": "Operations",
}
_IC = {
    "marketing": [
        "Marketing Specialist",
        "Content Marketer",
        "Digital Marketing Specialist",
        "Marketing Coordinator",
        "SEO Specialist",
        "Growth Marketer",
        "marketing specialist",
        "Mktg Specialist",
    ],
    "sales": [
        "Account Executive",
        "Sales Representative",
        "SDR",
        "Business Development Rep",
        "Inside Sales Representative",
        "AE",
        "account executive",
    ],
    "engineering": [
        "Software Engineer",
        "Senior Software Engineer",
        "Backend Developer",
        "Full Stack Developer",
        "DevOps Engineer",
        "Sr. Software Engineer",
    ],
    "it": ["IT Specialist", "System Administrator", "IT Support Analyst", "Network Engineer"],
    "data": ["Data Analyst", "Data Scientist", "BI Analyst", "Analytics Engineer", "Data Engineer"],
    "finance": ["Accountant", "Financial Analyst", "Bookkeeper", "FP&A Analyst"],
    "operations": [
        "Operations Analyst",
        "Operations Specialist",
        "RevOps Analyst",
        "Sales Operations Analyst",
        "Marketing Operations Specialist",
    ],
    "hr": ["HR Generalist", "Recruiter", "Talent Acquisition Specialist", "HR Assistant"],
    "general_management": ["Consultant", "Business Analyst", "Project Coordinator"],
}
_MANAGER = {
    "marketing": [
        "Marketing Manager",
        "Senior Marketing Manager",
        "Demand Generation Manager",
        "Product Marketing Manager",
        "marketing manager",
        "Mktg Mgr",
    ],
    "sales": ["Sales Manager", "Account Manager", "Regional Sales Manager", "Sales Team Lead"],
    "engineering": ["Engineering Manager", "Tech Lead", "Development Team Lead"],
    "it": ["IT Manager", "Infrastructure Manager"],
    "data": ["Analytics Manager", "Data Science Manager", "BI Manager"],
    "finance": ["Finance Manager", "Accounting Manager", "Controller"],
    "operations": [
        "Operations Manager",
        "Revenue Operations Manager",
        "Project Manager",
        "Marketing Operations Manager",
    ],
    "hr": ["HR Manager", "Recruiting Manager"],
    "general_management": ["Office Manager", "General Manager"],
}
_C_LEVEL = {
    "marketing": ["CMO", "Chief Marketing Officer"],
    "sales": ["CRO", "Chief Revenue Officer", "Chief Sales Officer"],
    "engineering": ["CTO", "Chief Technology Officer"],
    "it": ["CIO", "Chief Information Officer"],
    "data": ["Chief Data Officer", "CDO"],
    "finance": ["CFO", "Chief Financial Officer"],
    "operations": ["COO", "Chief Operating Officer"],
    "hr": ["CHRO", "Chief People Officer"],
    "general_management": [
        "CEO",
        "Founder",
        "Co-Founder & CEO",
        "Owner",
        "Managing Director",
        "President",
        "Geschäftsführer",
        "founder",
    ],
}
_STUDENT = ["Student", "MBA Student", "Working Student", "PhD Candidate", "student", "Trainee"]


def _titles_for(s: int, dept: str) -> list[str]:
    x = _DEPT_LABEL[dept]
    if s == 0:
        return _STUDENT + [f"{x} Intern", f"{x} Intern"]
    if s == 1:
        return _IC[dept]
    if s == 2:
        return _MANAGER[dept]
    if s == 3:
        return [
            f"Director of {x}",
            f"Head of {x}",
            f"{x} Director",
            f"Sr. Director, {x}",
            f"head of {x.lower()}",
        ]
    if s == 4:
        return [f"VP {x}", f"VP of {x}", f"Vice President, {x}", f"SVP {x}"]
    return _C_LEVEL[dept]


def build_titles() -> tuple[list[str], np.ndarray, np.ndarray]:
    """All title strings, and for each (seniority, department) the start and count of its
    titles in that list."""
    titles: list[str] = []
    start = np.zeros((len(SENIORITY), len(DEPARTMENTS)), dtype=np.int32)
    count = np.zeros_like(start)
    for s in range(len(SENIORITY)):
        for d, dept in enumerate(DEPARTMENTS):
            ts = _titles_for(s, dept)
            start[s, d], count[s, d] = len(titles), len(ts)
            titles.extend(ts)
    return titles, start, count


TITLES, TITLE_START, TITLE_COUNT = build_titles()
