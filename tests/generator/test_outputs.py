"""Files, formats, columns and the hidden truth."""

from __future__ import annotations

import gzip
import json

import duckdb
import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from .conftest import END, csv_header

REQUIRED = {
    "forms": {"submission_id", "submitted_at", "email", "form_id"},
    "web": {"event_id", "occurred_at", "anonymous_id", "event_type"},
    "email": {"event_id", "occurred_at", "email", "event"},
    "crm_deals": {"deal_id", "email", "created_at", "stage", "amount"},
    "crm_activities": {"activity_id", "email", "occurred_at", "activity_type"},
    "spend": {"spend_date", "channel", "cost"},
}


@pytest.fixture(scope="module")
def truth(generated):
    _, root, _ = generated
    return duckdb.sql(f"SELECT * FROM '{root / 'generated' / 'truth.parquet'}'").df()


def columns_of(path) -> list[str]:
    name = path.name
    if name.endswith(".parquet"):
        return [r[0] for r in duckdb.sql(f"DESCRIBE SELECT * FROM '{path}'").fetchall()]
    if name.endswith((".csv", ".csv.gz")):
        return csv_header(path)
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt") as f:
        return list(json.loads(f.readline()))


def test_all_sources_and_truth_written_with_expected_formats(generated, gen_inbox):
    summary, root, _ = generated
    assert (root / "generated" / "truth.parquet").stat().st_size > 0
    suffixes = {s: {p.name.split(".", 1)[1] for p in gen_inbox.files(s)} for s in REQUIRED}
    assert suffixes == {
        "forms": {"csv", "csv.gz"},
        "web": {"jsonl.gz"},
        "email": {"jsonl"},
        "crm_deals": {"csv"},
        "crm_activities": {"parquet"},
        "spend": {"csv"},
    }
    for source in REQUIRED:
        assert summary.files[source] == len(gen_inbox.files(source))
        assert summary.rows[source] > 0


def test_files_carry_the_canonical_required_columns(gen_inbox):
    checked = 0
    for source, required in REQUIRED.items():
        for path in gen_inbox.files(source):
            if path.stat().st_size == 0 or "resend" in path.name or "legacy" in path.name:
                continue
            assert required <= set(columns_of(path)), path
            checked += 1
    assert checked >= 6 * 8


def test_row_counts_match_the_files(generated, gen_inbox):
    summary, _, _ = generated
    for source, pattern in (
        ("email", "*.jsonl"),
        ("crm_deals", "*.csv"),
        ("spend", "spend_2*.csv"),
    ):
        lines = sum(
            sum(1 for _ in open(p, "rb")) - (1 if p.suffix == ".csv" else 0)
            for p in gen_inbox.files(source, pattern)
        )
        assert lines == summary.rows[source], source
    web = sum(sum(1 for _ in gzip.open(p)) for p in gen_inbox.files("web", "events_0*.jsonl.gz"))
    assert web == summary.rows["web"]
    acts = duckdb.sql(
        f"SELECT count(*) FROM '{gen_inbox.inbox}/crm_activities/*.parquet'"
    ).fetchall()[0][0]
    assert acts == summary.rows["crm_activities"]


def test_volumes_per_lead_are_in_the_benchmark_range(generated):
    summary, _, _ = generated
    assert 15 <= summary.rows["web"] / summary.leads <= 25
    assert 7 <= summary.rows["email"] / summary.leads <= 13
    assert 1.0 < summary.rows["forms"] / summary.leads < 1.4


def test_truth_has_one_row_per_person_with_sane_probabilities(generated, truth):
    summary, _, _ = generated
    assert len(truth) == summary.leads
    assert truth.email.is_unique
    assert (truth.email == truth.email.str.strip().str.lower()).all()
    assert ((truth.true_probability > 0) & (truth.true_probability < 1)).all()
    assert 0.03 <= truth.converted.mean() <= 0.08
    assert 0.03 <= truth.true_probability.mean() <= 0.08
    assert {"fit", "engagement", "created_at", "won_at", "is_outcome_mature"} <= set(truth.columns)


def test_true_probability_ranks_outcomes(truth):
    assert roc_auc_score(truth.converted, truth.true_probability) > 0.75
    assert roc_auc_score(truth.converted, truth.engagement) > 0.6
    assert roc_auc_score(truth.converted, truth.fit) > 0.6


def test_converted_people_have_a_won_deal_within_90_days(gen_inbox, truth):
    won = duckdb.sql(f"""SELECT lower(email) AS email,
            min(try_cast(closed_at AS TIMESTAMPTZ)) AS won
        FROM read_csv('{gen_inbox.inbox}/crm_deals/*.csv', all_varchar = true, header = true,
                      ignore_errors = true, union_by_name = true)
        WHERE status = 'won' GROUP BY 1""").df()
    merged = truth.merge(won, on="email", how="left")
    end = np.datetime64(str(END)) + np.timedelta64(1, "D")
    visible = merged.converted & (merged.won_at.dt.tz_localize(None) < end)
    assert visible.sum() > 20
    assert merged.loc[visible, "won"].notna().all()
    assert merged.loc[~merged.converted, "won"].isna().all()
    days = (merged.won - merged.created_at).dt.total_seconds() / 86400
    assert (days[visible] <= 90).all() and (days[visible] > 0).all()


def test_progress_reports_every_stage_to_completion(generated):
    _, _, calls = generated
    stages = {s for s, _, _ in calls}
    assert {"population", "forms", "web", "email", "crm", "spend", "truth"} <= stages
    for stage in stages:
        last = [c for c in calls if c[0] == stage][-1]
        assert last[1] == last[2]
