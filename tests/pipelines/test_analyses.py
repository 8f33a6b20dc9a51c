"""The runner of the dbt analyses that docs/real-data.md uses to print the figures."""

from __future__ import annotations

import duckdb

from pipelines.analyses import compile_analysis, main, print_queries, split


def test_split_keeps_titles_and_semicolons_inside_comments():
    text = "-- Wins; by agent\nSELECT 1 AS a;\n\n-- Second\nSELECT 2 AS b\n"
    assert split(text) == [("Wins; by agent", "SELECT 1 AS a"), ("Second", "SELECT 2 AS b")]


def test_prints_each_answer_as_a_table(capsys):
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT * FROM (VALUES ('x', 1234, 0.6311)) v(k, n, r)")
    print_queries(con, "-- Rates\nSELECT * FROM t;\n")
    assert capsys.readouterr().out.splitlines() == [
        "## Rates", "k  n      r", "-  -----  ------", "x  1,234  0.6311", ""]


def test_an_analysis_compiles_to_the_warehouse_tables(tmp_path):
    sql = compile_analysis("crm_pipeline_report", tmp_path / "w.duckdb")
    titles = [title for title, _ in split(sql)]
    assert titles[0].startswith("Overall: deals by status") and len(titles) == 6
    assert '"w"."marts"."fct_deals"' in sql and "{{" not in sql and "{#" not in sql


def test_bad_input_is_a_one_line_error(tmp_path, capsys):
    warehouse = tmp_path / "w.duckdb"
    duckdb.connect(str(warehouse)).close()
    assert main(["no_such_analysis", "--warehouse", str(warehouse)]) == 2
    err = capsys.readouterr().err.strip()
    assert "olist_report" in err and len(err.splitlines()) == 1
    assert main(["olist_report", "--warehouse", str(tmp_path / "missing.duckdb")]) == 2
    assert "no warehouse at" in capsys.readouterr().err
