"""Rule-based lead scores on the hand-made two-day drop (data/sample/dbt, story in its
README.md), with the shipped seeds scoring_rules, scoring_groups, scoring_parameters and
scoring_grades (half-life 14 days; fit A >= 50, B >= 35, C >= 20, else D; engagement
1 >= 40, 2 >= 20, 3 >= 5, else 4).

Worked out by hand from the fixture files. The as-of moment is the newest engagement
event: Ann's phone session, Mar 12 08:00 UTC. An engagement event n days older counts
0.5 ** (n / 14) of its points.

- Ann: CMO (c_level 25), marketing 15, corporate e-mail 10, US (na) 10, named Analytics
  Cloud 10: fit 70, A. Engagement: desktop session Feb 20 10:00 (19 d 22 h old: one
  pricing view 5, one demo view 8, the session 1), desktop session Mar 2 10:00 (9 d 22 h:
  demo view 8, session 1), phone session Mar 12 08:00 (0 d: two pricing views 10, session
  1), demo request f1 Mar 2 10:05 (high-intent form 15), ebook f2 Mar 10 09:00 (form 5; f3
  is a double submit), human click Mar 10 16:01 (3): about 38.2, band 2: A2.
- Bob: student -25, free-mail -10, Germany (emea) 10: fit -25, D. His decayed engagement
  (two sessions, a pricing view, two forms, a click) stays under the -20 of his
  unsubscribe, which does not fade: band 4, D4.
- Dora: Head of Data (director 20, data 8), corporate 10, Germany by TLD (emea) 10, named
  Data Platform 10: fit 58, A. Her session of Mar 8 13:50 (1) and contact-sales form of
  Mar 8 14:00 UTC (15), 3 d 18 h old; her click was a link scanner: about 13.3, band 3: A3.
- Erin (outlook.com, no title or country): free-mail -10, no engagement: D4.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.dbt.workspace import rows

HALF_LIFE_DAYS = 14


def decay(days: float) -> float:
    return 0.5 ** (days / HALF_LIFE_DAYS)


def hours(h: float) -> float:
    return h / 24


@pytest.fixture(scope="module")
def scored(warehouses) -> Path:
    return warehouses["incremental"]


@pytest.fixture(scope="module")
def con(scored):
    connection = duckdb.connect(str(scored), read_only=True)
    yield connection
    connection.close()


def scores(con, email: str) -> tuple:
    return con.execute("""
        SELECT fit_score, fit_grade, engagement_score, engagement_band, score_label
        FROM marts.fct_lead_rule_scores JOIN marts.dim_leads USING (lead_id)
        WHERE email = ?""", [email]).fetchone()


def test_as_of_is_the_newest_engagement_event(con):
    as_of = rows(con, "SELECT DISTINCT strftime(scored_as_of_at AT TIME ZONE 'UTC', "
                      "'%Y-%m-%d %H:%M') FROM marts.fct_lead_rule_scores")
    assert as_of == [("2026-03-12 08:00",)]


def test_matrix_labels(con):
    labels = rows(con, """
        SELECT email, fit_score, fit_grade, engagement_band, score_label
        FROM marts.fct_lead_rule_scores JOIN marts.dim_leads USING (lead_id) ORDER BY email""")
    assert labels == [
        ("ann.lee@acme.com", 70, "A", 2, "A2"),
        ("bob@gmail.com", -25, "D", 4, "D4"),
        ("dora@northwind.de", 58, "A", 3, "A3"),
        ("erin@outlook.com", -10, "D", 4, "D4"),
    ]


def test_ann_engagement_decays_by_half_life(con):
    feb20 = decay(19 + hours(22))          # desktop session Feb 20 10:00
    mar02 = decay(9 + hours(22))           # desktop session Mar 2 10:00
    expected = {
        "pricing_views": 5 * feb20 + 10,    # + two pricing views on the phone, today
        "demo_views": 8 * feb20 + 8 * mar02,
        "forms": 15 * decay(9 + hours(21 + 55 / 60)) + 5 * decay(1 + hours(23)),
        "human_clicks": 3 * decay(1 + hours(15 + 59 / 60)),
        "sessions": feb20 + mar02 + 1,
        "unsubscribe": 0,
        "bounce": 0,
    }
    got = dict(rows(con, """
        SELECT rule_group, contribution_points
        FROM marts.fct_lead_rule_score_contributions JOIN marts.dim_leads USING (lead_id)
        WHERE email = 'ann.lee@acme.com' AND score_type = 'engagement'"""))
    assert set(got) == set(expected)
    for group, points in expected.items():
        assert float(got[group]) == pytest.approx(points, abs=1e-3), group
    engagement = float(scores(con, "ann.lee@acme.com")[2])
    assert engagement == pytest.approx(sum(expected.values()), abs=0.01)
    assert 38 < engagement < 38.5


def test_negative_points_and_caps(con):
    bob = rows(con, """
        SELECT rule_group, matched_rule_ids, raw_points, contribution_points
        FROM marts.fct_lead_rule_score_contributions JOIN marts.dim_leads USING (lead_id)
        WHERE email = 'bob@gmail.com' AND (score_type = 'fit' OR rule_group = 'unsubscribe')
        ORDER BY rule_group""")
    assert bob == [
        ("department", None, 0, 0),
        ("email_type", "fit_email_free", -10, -10),
        ("product_interest", None, 0, 0),
        ("region", "fit_region_emea", 10, 10),
        ("seniority", "fit_seniority_student", -25, -25),
        ("unsubscribe", "eng_unsubscribe", -20, -20),
    ]
    positive = (decay(6 + hours(20 + 1 / 60))          # laptop session Mar 5 11:59
                + 5 * decay(6 + hours(20))              # webinar form Mar 5 12:00
                + 5 * decay(5 + hours(22.5))            # newsletter form Mar 6 09:30
                + 6 * decay(1 + hours(17 + 54 / 60 + 40 / 3600))  # phone session, pricing
                + 3 * decay(1 + hours(17 + 55 / 60)))   # click Mar 10 14:05
    assert float(scores(con, "bob@gmail.com")[2]) == pytest.approx(positive - 20, abs=0.01)

    dora = float(scores(con, "dora@northwind.de")[2])
    assert dora == pytest.approx(decay(3 + hours(18 + 10 / 60)) + 15 * decay(3 + hours(18)),
                                 abs=0.01)
