"""The project's own generic data tests (dbt_project/tests/generic) fail on a poisoned copy of
the fixture warehouse and say what is wrong: not_null_columns names the column that lost
values, primary_key the key value that is missing or repeated, accepted_values_columns and
relationships_columns the column and the value out of its list or missing from its parent
(the other columns of the same test still pass). And the rows a daily build's
tests read (dbt_project/macros/test_scope.sql): those of the leads it refreshed, also
through a view over a lead-refresh model; every row on the Sunday run."""

from __future__ import annotations

import shutil

import duckdb

from tests.dbt.workspace import invoke


def failures_of(warehouse, tmp_path, select: str,
                all_rows: bool = True) -> tuple[str, int, list]:
    """Run the selected test, keeping its failing rows: status, count, rows. On every row,
    or with all_rows=False on the rows a daily build's tests read."""
    scope = ["--vars", "{test_all_rows: true}"] if all_rows else []
    result = invoke(tmp_path, warehouse, "test", "--select", select, *scope,
                    "--store-failures", "--quiet")
    [test] = [r for r in result.result if r.node.resource_type == "test"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(f"SELECT * FROM {test.node.relation_name}").fetchall()
    return str(test.status), test.failures, rows


def poisoned(warehouses, tmp_path, sql: str):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouses["incremental"], warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(sql)
    return warehouse


def test_not_null_columns_names_the_column_that_lost_values(warehouses, tmp_path):
    warehouse = poisoned(warehouses, tmp_path, "UPDATE marts.dim_leads SET is_free_email = NULL "
                                               "WHERE email = 'ann.lee@acme.com'")
    assert failures_of(warehouse, tmp_path,
                       "dim_leads,test_name:not_null_columns") == (
        "fail", 1, [("is_free_email", 1)])


def test_primary_key_reports_a_repeated_and_a_missing_key(warehouses, tmp_path):
    warehouse = poisoned(warehouses, tmp_path,
                         "INSERT INTO marts.fct_deals SELECT * FROM marts.fct_deals "
                         "WHERE deal_id = 'd1'; "
                         "INSERT INTO marts.fct_deals SELECT * REPLACE (NULL AS deal_id) "
                         "FROM marts.fct_deals LIMIT 1")
    status, count, rows = failures_of(warehouse, tmp_path,
                                      "fct_deals,test_name:primary_key")
    assert (status, count) == ("fail", 2)
    assert sorted(rows, key=str) == sorted([("d1", 2), (None, 1)], key=str)


def test_accepted_values_columns_names_the_column_and_the_value(warehouses, tmp_path):
    warehouse = poisoned(warehouses, tmp_path, "UPDATE marts.dim_leads SET region = 'mars' "
                                               "WHERE email = 'ann.lee@acme.com'")
    assert failures_of(warehouse, tmp_path, "dim_leads_accepted_values") == (
        "fail", 1, [("region", "mars", 1)])


def test_relationships_columns_names_the_column_and_the_missing_parent(warehouses, tmp_path):
    # two leads on a channel the seed does not have; the other channel column still passes
    warehouse = poisoned(warehouses, tmp_path,
                         "UPDATE marts.dim_leads SET latest_channel = 'carrier_pigeon' "
                         "WHERE lead_id IN (SELECT lead_id FROM marts.dim_leads "
                         "ORDER BY lead_id LIMIT 2)")
    assert failures_of(warehouse, tmp_path, "dim_leads_relationships") == (
        "fail", 1, [("latest_channel", "carrier_pigeon", 2)])


def caps_broken_for(warehouses, tmp_path, which: str):
    """A copy as if its last build had refreshed one lead (the first id of the fixture's
    four), where the score groups of the first or the last lead have a cap no contribution
    can respect (read through the view fct_lead_rule_score_contributions, meta
    test_refreshed_leads): the copy and how many groups were broken."""
    ids = "SELECT {}(lead_id) FROM intermediate.int_lead_score_groups"
    first = ids.format("min")
    warehouse = poisoned(warehouses, tmp_path,
                         f"DELETE FROM state.state_lead_changes WHERE lead_id <> ({first}); "
                         "UPDATE intermediate.int_lead_score_groups SET min_points = 1000, "
                         f"max_points = 999 WHERE lead_id = ({ids.format(which)})")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM state.state_lead_changes").fetchone() == (1,)
        groups = con.execute("SELECT count(*) FROM intermediate.int_lead_score_groups "
                             "WHERE min_points = 1000").fetchone()[0]
    assert groups > 0
    return warehouse, groups


def test_a_daily_build_tests_a_view_on_the_leads_it_refreshed(warehouses, tmp_path):
    # a lead the build did not refresh: the daily scope leaves it out, Sunday's does not
    warehouse, groups = caps_broken_for(warehouses, tmp_path, "max")
    select = "fct_lead_rule_score_contributions_row_rules"
    assert failures_of(warehouse, tmp_path, select, all_rows=False) == (
        "pass", 0, [])
    status, count, broken = failures_of(warehouse, tmp_path, select)
    assert (status, count) == ("fail", 2)
    assert sorted(broken) == [("decay_never_increases_a_contribution", groups),
                              ("respect_caps", groups)]


def test_a_daily_build_tests_a_refreshed_lead_through_the_view(warehouses, tmp_path):
    warehouse, groups = caps_broken_for(warehouses, tmp_path, "min")
    status, _, broken = failures_of(warehouse, tmp_path,
                                    "fct_lead_rule_score_contributions_row_rules", all_rows=False)
    assert status == "fail" and ("respect_caps", groups) in broken
