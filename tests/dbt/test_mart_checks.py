"""The Great Expectations suites on the marts (pipelines/assets/dbt_checks.py): green on the
hand-made fixture, red on the exact poison each one is there to catch."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from pipelines.assets.dbt_checks import MART_CHECKS, SUITES, failed_expectations, run_suite

BY_MODEL = {suite.model: suite for suite in SUITES}


@pytest.fixture
def poisoned(warehouses, tmp_path):
    """A writable copy of the built fixture warehouse."""
    path = tmp_path / "poisoned.duckdb"
    shutil.copy(warehouses["incremental"], path)
    connection = duckdb.connect(str(path))
    yield connection
    connection.close()


def test_every_suite_passes_on_the_fixture(warehouses):
    with duckdb.connect(str(warehouses["incremental"]), read_only=True) as con:
        for suite in SUITES:
            result, checked = run_suite(con, suite)
            assert checked > 0, suite.model
            assert result.success, (suite.model, failed_expectations(result))


@pytest.mark.parametrize(("model", "poison", "expectation"), [
    ("fct_lead_stages", "UPDATE marts.fct_lead_stages SET stage = 'won' "
     "WHERE stage = 'customer'", "expect_column_values_to_be_in_set(stage)"),
    ("fct_lead_stages", "UPDATE marts.fct_lead_stages SET entered_at = previous_entered_at "
     "- INTERVAL 1 DAY WHERE stage = 'sql'",
     "expect_column_pair_values_a_to_be_greater_than_b(entered_at>previous_entered_at)"),
    ("dim_leads", "INSERT INTO marts.dim_leads SELECT * REPLACE ('x' || lead_id AS lead_id) "
     "FROM marts.dim_leads LIMIT 1", "expect_column_values_to_be_unique(email)"),
    ("dim_leads", "UPDATE marts.dim_leads SET email_opens_human = email_opens_raw + 1",
     "expect_column_pair_values_a_to_be_greater_than_b(email_opens_raw>email_opens_human)"),
    ("fct_deals", "UPDATE marts.fct_deals SET amount = -amount",
     "expect_column_values_to_be_between(amount)"),
    ("fct_lead_rule_scores", "UPDATE marts.fct_lead_rule_scores SET fit_grade = 'E'",
     "expect_column_values_to_be_in_set(fit_grade)"),
    ("fct_attribution", "UPDATE marts.fct_attribution SET conversion_credit_total = 1.5 "
     "WHERE model = 'linear'", "expect_column_values_to_be_between(conversion_credit_total)"),
    ("rpt_channel_roi", "UPDATE marts.rpt_channel_roi SET channel = 'carrier_pigeon'",
     "expect_column_values_to_be_in_set(channel)"),
])
def test_suite_catches_its_poison(poisoned, model, poison, expectation):
    poisoned.execute(poison)
    result, _ = run_suite(poisoned, BY_MODEL[model])
    assert not result.success
    assert expectation in failed_expectations(result)


def test_marts_that_feed_scoring_and_exports_are_guarded_by_blocking_checks():
    blocking = {spec.asset_key.path[-1] for check in MART_CHECKS
                for spec in check.check_specs if spec.blocking}
    assert {"dim_leads", "fct_lead_stages", "fct_lead_funnel", "fct_deals",
            "fct_lead_rule_scores", "fct_attribution"} <= blocking
    assert not any(name.startswith("rpt_") for name in blocking)
