"""Every kind of dirt is present in the files, at the counts the summary reports, and the
clean rows pass the ingestion rules. Counts are measured independently with DuckDB."""

from __future__ import annotations

from collections import Counter, defaultdict

import duckdb
import pytest

from .conftest import ACTIVITY_TYPES, SENDGRID, Inbox, csv_header, ok_ts, valid_email

WEB_COLS = [
    "event_id",
    "occurred_at",
    "anonymous_id",
    "event_type",
    "event_name",
    "email",
    "url",
    "referrer",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "user_agent",
]
EMAIL_COLS = [
    "event_id",
    "occurred_at",
    "email",
    "event",
    "campaign_id",
    "sg_message_id",
    "url",
    "user_agent",
    "ip",
    "reason",
]
NOT_NUMBER = "try_cast({0} AS DOUBLE) IS NULL"
NOT_INTEGER = "({0} IS NOT NULL AND try_cast({0} AS BIGINT) IS NULL)"


def late_rows(ib: Inbox, t: str) -> int:
    """Rows more than a day older than the first parseable row of their file."""
    return ib.one(f"""WITH p AS (SELECT rn, try_cast(occurred_at AS TIMESTAMPTZ) AS ts FROM {t}),
        f AS (SELECT ts FROM p WHERE ts IS NOT NULL ORDER BY rn LIMIT 1)
        SELECT count(*) FROM p, f WHERE p.ts < f.ts - INTERVAL 1 DAY""")


def measure(ib: Inbox) -> dict[str, dict[str, int]]:
    m: defaultdict[str, Counter] = defaultdict(Counter)

    def count(t: str, where: str) -> int:
        return ib.one(f"SELECT count(*) FROM {t} WHERE {where}")

    # ---------------------------------------------------------------- forms
    valid_parts = []
    for path in ib.files("forms"):
        header = csv_header(path)
        if "email" not in header:
            m["forms"]["missing_column_file"] += 1
            continue
        m["forms"]["schema_drift_file"] += "gclid" in header
        t, m_rejected = ib.csv_rows(path)
        f = m["forms"]
        f["malformed_line"] += m_rejected
        f["invalid_email"] += count(t, f"NOT {valid_email('email')}")
        f["bad_timestamp"] += count(t, f"NOT {ok_ts('submitted_at')}")
        f["missing_required"] += count(t, "coalesce(form_id, '') = ''")
        f["email_variant"] += count(t, f"{valid_email('email')} AND email <> lower(trim(email))")
        valid_parts.append(f"""SELECT lower(trim(email)) AS e FROM {t} WHERE {valid_email("email")}
            AND {ok_ts("submitted_at")} AND coalesce(form_id, '') <> ''""")
    m["forms"]["duplicate_person"] += ib.one(
        f"SELECT count(*) - count(DISTINCT e) FROM ({' UNION ALL '.join(valid_parts)})"
    )

    # ---------------------------------------------------------------- web / email
    for source, cols, missing, pattern in (
        ("web", WEB_COLS, "anonymous_id", "*.jsonl.gz"),
        ("email", EMAIL_COLS, "email", "*.jsonl"),
    ):
        tables, s = [], m[source]
        for path in ib.files(source, pattern):
            try:
                t = ib.json_rows(path, cols)
            except duckdb.Error:
                s["corrupt_gzip_file"] += 1
                continue
            tables.append(t)
            s["malformed_line"] += count(t, "event_id IS NULL")
            s["bad_timestamp"] += count(t, f"event_id IS NOT NULL AND NOT {ok_ts('occurred_at')}")
            empty = f"coalesce({missing}, '') = ''"
            s["missing_required"] += count(t, f"event_id IS NOT NULL AND {empty}")
            s["late_arriving"] += late_rows(ib, t)
            if source == "email":
                s["unknown_value"] += count(t, f"event_id IS NOT NULL AND event NOT IN {SENDGRID}")
        union = " UNION ALL ".join(
            f"SELECT event_id FROM {t} WHERE event_id IS NOT NULL" for t in tables
        )
        s["duplicate_event"] += ib.one(f"SELECT count(*) - count(DISTINCT event_id) FROM ({union})")

    # ---------------------------------------------------------------- deals
    d = m["crm_deals"]
    for path in ib.files("crm_deals"):
        d["schema_drift_file"] += "hs_object_source" in csv_header(path)
        t, rejected = ib.csv_rows(path)
        d["malformed_line"] += rejected
        d["bad_timestamp"] += count(t, f"NOT {ok_ts('created_at')}")
        d["wrong_type"] += count(t, f"amount IS NOT NULL AND {NOT_NUMBER.format('amount')}")
        d["missing_required"] += count(t, "amount IS NULL OR stage IS NULL")
        assert count(t, "status NOT IN ('open', 'won', 'lost')") == 0

    # ---------------------------------------------------------------- activities
    a = m["crm_activities"]
    for path in ib.files("crm_activities"):
        a["unknown_value"] += count(f"'{path}'", f"activity_type NOT IN {ACTIVITY_TYPES}")
        a["missing_required"] += count(f"'{path}'", "email IS NULL OR occurred_at IS NULL")

    # ---------------------------------------------------------------- spend
    s = m["spend"]
    for path in ib.files("spend"):
        if path.stat().st_size == 0:
            s["empty_file"] += 1
            continue
        t, rejected = ib.csv_rows(path)
        s["malformed_line"] += rejected
        s["bad_timestamp"] += count(t, "try_cast(spend_date AS DATE) IS NULL")
        s["wrong_type"] += count(
            t,
            " OR ".join(
                [
                    NOT_NUMBER.format("cost"),
                    NOT_INTEGER.format("clicks"),
                    NOT_INTEGER.format("impressions"),
                ]
            ),
        )
        s["missing_required"] += count(t, "channel IS NULL")
    return {src: {k: int(v) for k, v in kinds.items() if v} for src, kinds in m.items()}


@pytest.fixture(scope="module")
def measured(gen_inbox):
    return measure(gen_inbox)


def test_measured_dirt_equals_summary(generated, measured):
    summary, _, _ = generated
    expected = {
        s: {k: v for k, v in kinds.items() if v} for s, kinds in summary.dirt_by_source.items()
    }
    assert measured == expected


def test_every_kind_of_dirt_is_present(generated):
    summary, _, _ = generated
    assert all(n > 0 for n in summary.dirt.values()), summary.dirt
    by_source = summary.dirt_by_source
    assert by_source["forms"]["missing_column_file"] == 1
    assert sum(s.get("empty_file", 0) for s in by_source.values()) == 1
    assert sum(s.get("corrupt_gzip_file", 0) for s in by_source.values()) == 1
    assert by_source["forms"]["schema_drift_file"] >= 1
    assert by_source["crm_deals"]["schema_drift_file"] >= 1
    for source in ("forms", "web", "email", "crm_deals", "spend"):
        assert by_source[source].get("bad_timestamp", 0) >= 1, source


def test_dirt_rates_are_realistic(generated):
    summary, _, _ = generated
    rows = summary.rows
    invalid = summary.dirt_by_source["forms"]["invalid_email"] / rows["forms"]
    assert 0.001 <= invalid <= 0.01
    for source in ("web", "email"):
        assert summary.dirt_by_source[source]["bad_timestamp"] / rows[source] <= 0.003
    assert summary.dirt_by_source["forms"]["duplicate_person"] / rows["forms"] < 0.3


def test_malformed_lines_are_rejected_where_intended(gen_inbox):
    """Malformed CSV lines are rejected one by one; the unclosed quote is the last line."""
    rejected_last = 0
    for path in gen_inbox.files("forms", "*.csv"):
        if "email" not in csv_header(path):
            continue
        _, _ = gen_inbox.csv_rows(path)
        n_lines = sum(1 for _ in open(path, "rb"))
        lines = [r[0] for r in gen_inbox.q("SELECT DISTINCT line FROM reject_errors")]
        assert all(1 < x <= n_lines for x in lines)
        rejected_last += n_lines in lines
    assert rejected_last == 1


def test_clean_event_rows_pass_validation(gen_inbox):
    for path in gen_inbox.files("email", "*.jsonl"):
        t = gen_inbox.json_rows(path, EMAIL_COLS)
        bad = gen_inbox.one(f"""SELECT count(*) FROM {t} WHERE event_id IS NOT NULL
            AND event IN {SENDGRID} AND {ok_ts("occurred_at")} AND email IS NOT NULL
            AND NOT {valid_email("email")}""")
        assert bad == 0


def test_truncated_gzip_fails_and_empty_file_is_empty(gen_inbox):
    corrupt = [p for p in gen_inbox.files("web") if "resend" in p.name]
    assert len(corrupt) == 1
    with pytest.raises(duckdb.Error):
        gen_inbox.q(f"SELECT count(*) FROM read_json('{corrupt[0]}', format = 'newline_delimited')")
    empty = [p.name for p in gen_inbox.files("spend") if p.stat().st_size == 0]
    assert empty == ["spend_adjustments.csv"]
