"""Segment export: consent, hashed e-mails, formula cells, path names, formats, and the
`leadflow segments` commands."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil

import duckdb
import pytest

from pipelines.activation import segments
from pipelines.cli import main
from pipelines.resources import open_duckdb
from tests.activation import fixtures as fx

RUN = dt.datetime(2026, 3, 3, 6, 0, tzinfo=dt.UTC)
DAY = RUN.date()


@pytest.fixture(scope="module")
def built(tmp_path_factory, dbt_work):
    """Five open tier-A leads: one without consent, one unsubscribed, one whose reasons and
    e-mail start like formulas; routed, built and materialised, as after a daily run."""
    wh = fx.Warehouse(tmp_path_factory.mktemp("segments") / "warehouse.duckdb", dbt_work)
    fx.create(wh.con)
    fx.add_lead(wh, "ok", email="  Ann.Lee@Acme.example ")
    fx.add_lead(wh, "noconsent", consent=False, minutes=1)
    fx.add_lead(wh, "unsub", unsubscribed=True, minutes=2)
    fx.add_lead(wh, "evil", email="=HYPERLINK(\"http://x\")@acme.example", minutes=3)
    fx.add_lead(wh, "cold", minutes=4)
    for lead in ("ok", "noconsent", "unsub", "evil"):
        fx.score(wh, lead, "A", 90)
    fx.score(wh, "evil", "A", 95, reasons=("+ pricing page visits: 3", "-2+3", "@SUM(A1)"))
    fx.score(wh, "cold", "D", 5)
    fx.rule_score(wh, "ok", "A1")
    fx.rule_score(wh, "cold", "A3")
    fx.route(wh, RUN)
    wh.build()
    segments.materialise(wh.con, segments.load_definitions(), DAY)
    wh.close()
    return wh.path


@pytest.fixture
def warehouse(lf_paths, built):
    """A copy of the built warehouse as the configured one."""
    shutil.copy(built, lf_paths.warehouse)
    return lf_paths


def read(path) -> list[dict]:
    con = duckdb.connect()
    reader = "read_parquet" if path.suffix == ".parquet" else "read_csv"
    options = "" if reader == "read_parquet" else ", all_varchar = true"
    frame = con.execute(f"SELECT * FROM {reader}('{path}'{options})").fetchdf()
    return frame.to_dict("records")


def export(capsys, *args) -> tuple[int, str, str]:
    code = main(["segments", "export", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_export_writes_consented_members_with_the_documented_columns(warehouse, capsys):
    code, out, _ = export(capsys, "hot_leads")
    assert code == 0
    path = warehouse.exports / "segments" / "hot_leads" / f"{DAY}.csv"
    assert str(path) in out
    rows = read(path)
    assert [r["lead_id"] for r in rows] == ["evil", "ok"]  # by score, consented only
    assert list(rows[0]) == [c for c, _ in segments.EXPORT_COLUMNS]
    assert {r["has_marketing_consent"] for r in rows} == {"true"}
    assert rows[1]["email"] == "  Ann.Lee@Acme.example "
    assert rows[1]["owner"] and rows[1]["tier"] == "A" and rows[1]["stage"] == "lead"


def test_unconsented_leads_never_leave_even_if_the_table_holds_them(warehouse, capsys):
    con = open_duckdb(warehouse.warehouse)
    con.execute("UPDATE activation.segment_members SET has_marketing_consent = false "
                "WHERE lead_id = 'ok'")
    con.close()
    code, out, _ = export(capsys, "hot_leads", "--format", "parquet")
    assert code == 0 and "wrote 1 leads" in out
    rows = read(warehouse.exports / "segments" / "hot_leads" / f"{DAY}.parquet")
    assert [r["lead_id"] for r in rows] == ["evil"]


def test_hash_emails_is_sha256_of_the_trimmed_lower_cased_address(warehouse, capsys, tmp_path):
    out_file = tmp_path / "hashed.csv"
    assert export(capsys, "hot_leads", "--hash-emails", "--out", str(out_file))[0] == 0
    rows = {r["lead_id"]: r for r in read(out_file)}
    assert rows["ok"]["email"] == hashlib.sha256(b"ann.lee@acme.example").hexdigest()
    assert "@" not in rows["evil"]["email"]


def test_formula_cells_are_neutralised(warehouse, capsys):
    assert export(capsys, "hot_leads")[0] == 0
    text = (warehouse.exports / "segments" / "hot_leads" / f"{DAY}.csv").read_text()
    rows = {r["lead_id"]: r for r in read(warehouse.exports / "segments" / "hot_leads" /
                                          f"{DAY}.csv")}
    evil = rows["evil"]
    assert evil["email"] == "'=HYPERLINK(\"http://x\")@acme.example"
    assert (evil["reason_1"], evil["reason_2"], evil["reason_3"]) == (
        "'+ pricing page visits: 3", "'-2+3", "'@SUM(A1)")
    # the model's reasons are plain words: they go out as written, without the guard's '
    assert (rows["ok"]["reason_1"], rows["ok"]["reason_2"]) == (
        "Raises the score: a", "Lowers the score: b")
    # no cell of the file starts with a formula character
    for line in text.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.strip('"').startswith(("=", "+", "-", "@", "\t", "\r"))


def test_a_tab_or_carriage_return_at_the_start_is_neutralised_too():
    con = duckdb.connect()
    got = con.execute(f"SELECT {segments.neutralised('x')} FROM (VALUES ('\tcmd'), "
                      "('\rcmd'), ('plain'), ('a=b'), (NULL)) AS t(x)").fetchall()
    assert [g[0] for g in got] == ["'\tcmd", "'\rcmd", "plain", "a=b", None]


@pytest.mark.parametrize("cell", [" =1+1", "\u00a0@SUM(A1)", "\uff1d1+1", "\u3000\uff0bcmd",
                                  "  -2+3", "\uff20x"])
def test_a_formula_behind_spaces_or_in_fullwidth_signs_is_neutralised(cell):
    got = duckdb.connect().execute(f"SELECT {segments.neutralised('$cell')}",
                                   {"cell": cell}).fetchone()[0]
    assert got == "'" + cell


@pytest.mark.parametrize("name", ["../hot_leads", "hot_leads/../../x", "/etc/passwd",
                                  "..", "Hot_Leads", "hot leads", ""])
def test_bad_segment_names_exit_2_and_write_nothing(warehouse, capsys, name):
    code, out, err = export(capsys, name)
    assert code == 2 and err.startswith("leadflow: error:") and len(err.splitlines()) == 1
    assert not (warehouse.exports).exists() or not any(warehouse.exports.rglob("*.csv"))


def test_unknown_segment_exits_2_naming_the_known_ones(warehouse, capsys):
    code, _, err = export(capsys, "vip")
    assert code == 2 and "unknown segment 'vip'" in err and "hot_leads" in err


def test_a_symlink_in_the_export_folder_cannot_lead_outside(warehouse, capsys, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (warehouse.exports / "segments").mkdir(parents=True)
    os.symlink(outside, warehouse.exports / "segments" / "hot_leads")
    code, _, err = export(capsys, "hot_leads")
    assert code == 2 and "outside" in err
    assert not any(outside.iterdir())


def test_default_path_stays_inside_the_folder(tmp_path):
    path = segments.default_path(tmp_path, "hot_leads", DAY, "csv")
    assert path == (tmp_path / "segments" / "hot_leads" / f"{DAY}.csv").resolve()
    with pytest.raises(segments.SegmentError):
        segments.default_path(tmp_path, "../x", DAY, "csv")


def test_segments_list_shows_members_and_descriptions(warehouse, capsys):
    assert main(["segments", "list"]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("hot_leads"))
    assert " 2 " in line and str(DAY) in line and "Hot leads" in line
    assert "mofu_nurture" in out and "recycled_reengage" in out


def test_an_empty_segment_exports_its_header(warehouse, capsys):
    # the fixture's leads are all new and unrecycled: nobody to re-engage
    code, out, _ = export(capsys, "recycled_reengage")
    assert code == 0 and "wrote 0 leads" in out
    text = (warehouse.exports / "segments" / "recycled_reengage" / f"{DAY}.csv").read_text()
    assert text.strip() == ",".join(c for c, _ in segments.EXPORT_COLUMNS)
    main(["segments", "list"])
    line = next(x for x in capsys.readouterr().out.splitlines()
                if x.startswith("recycled_reengage"))
    assert " 0 " in line and str(DAY) in line


def test_export_before_any_run_is_a_one_line_error(lf_paths, capsys):
    code, _, err = export(capsys, "hot_leads")
    assert code == 2 and "leadflow run" in err


def test_export_help_documents_the_columns(capsys):
    with pytest.raises(SystemExit):
        main(["segments", "export", "--help"])
    out = capsys.readouterr().out
    for column, _ in segments.EXPORT_COLUMNS:
        assert f"\n  {column} " in out
    assert "consent" in out


def test_definitions_are_checked(tmp_path):
    (tmp_path / "ok.yml").write_text("description: d\nwhere: tier = 'A'\n")
    assert list(segments.load_definitions(tmp_path)) == ["ok"]
    (tmp_path / "bad.yml").write_text("description: d\n")
    with pytest.raises(segments.SegmentError, match="bad.yml"):
        segments.load_definitions(tmp_path)
    (tmp_path / "bad.yml").write_text("description: d\nwhere: x\nsql: y\n")
    with pytest.raises(segments.SegmentError, match="unknown keys"):
        segments.load_definitions(tmp_path)
    (tmp_path / "bad.yml").unlink()
    (tmp_path / "Bad Name.yml").write_text("description: d\nwhere: tier = 'A'\n")
    with pytest.raises(segments.SegmentError, match="bad segment name"):
        segments.load_definitions(tmp_path)


def test_a_segment_can_filter_on_the_rule_score(warehouse):
    con = open_duckdb(warehouse.warehouse)
    try:
        best = segments.Segment("best_fit", "d", "fit_grade = 'A' and engagement_band <= 2")
        label = segments.Segment("a3", "d", "rule_score_label = 'A3'")
        assert segments.materialise(con, {"best_fit": best, "a3": label}, DAY) == {
            "best_fit": 1, "a3": 1}
        members = dict(con.execute("SELECT segment, lead_id FROM activation.segment_members"
                                   ).fetchall())
    finally:
        con.close()
    assert members == {"best_fit": "ok", "a3": "cold"}
