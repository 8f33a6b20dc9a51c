"""The SQL-file runner that docs/real-data.md uses to print the figures."""

from __future__ import annotations

import duckdb

from pipelines.importer.queries import main, split


def test_split_keeps_titles_and_semicolons_inside_comments():
    text = "-- Wins; by agent\nSELECT 1 AS a;\n\n-- Second\nSELECT 2 AS b\n"
    assert split(text) == [("Wins; by agent", "SELECT 1 AS a"), ("Second", "SELECT 2 AS b")]


def test_prints_each_answer_as_a_table(tmp_path, capsys):
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE TABLE t AS SELECT * FROM (VALUES ('x', 1234, 0.6311)) v(k, n, r)")
    sql = tmp_path / "q.sql"
    sql.write_text("-- Rates\nSELECT * FROM t;\n")
    assert main([str(sql), "--warehouse", str(warehouse)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "## Rates", "k  n      r", "-  -----  ------", "x  1,234  0.6311", ""]
    assert main([str(tmp_path / "missing.sql"), "--warehouse", str(warehouse)]) == 2
