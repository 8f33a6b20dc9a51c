"""`leadflow import` on small hand-made exports: values, mapping errors with file and row,
all-or-nothing writes, idempotent re-imports and spreadsheet-safe output."""

from __future__ import annotations

import csv
import textwrap
from pathlib import Path

import pytest

from pipelines.cli import main
from pipelines.importer import ImportFailed, MappingError, run_import
from pipelines.ingest import ingest_source
from pipelines.sources import SOURCES

FORMS_MAPPING = """
source: forms
name: hubspot_forms
lookups:
  owners:
    file: owners.csv
    key: Owner ID
    on: owner_id
    required: true
columns:
  submission_id: Submission ID
  submitted_at:
    from: Created
    date_format: ["%d/%m/%Y %H:%M", "%d/%m/%Y"]
    timezone: Europe/Berlin
  email:
    template: "{E-Mail|trim|lower}"
  form_id:
    value: contact-us
  company: Company
  utm_source:
    from: Source
    map:
      Google Ads: google
      LinkedIn: linkedin
      "": ~
  utm_medium:
    from: Source
    map:
      Google Ads: cpc
      LinkedIn: paid_social
    unmapped: empty
  owner_team:
    from: owners.team
  domain_slug:
    template: "{Company|slug}"
"""

EXPORT = """Submission ID,Created,E-Mail,Company,Source,owner_id
s1,31/01/2026 09:30,  Ana@Example.com ,Acme GmbH,Google Ads,o1
s2,01/02/2026,ben@example.org,"=HYPERLINK(""http://x"")",LinkedIn,o2
s3,15/07/2026 23:15,carl@example.net,Café Ü,,o1
"""

OWNERS = "Owner ID,team\no1,emea\no2,na\n"


@pytest.fixture
def export(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "owners.csv").write_text(OWNERS)
    data = folder / "forms.csv"
    data.write_text(EXPORT)
    mapping = tmp_path / "forms.yml"
    mapping.write_text(FORMS_MAPPING)
    return mapping, data


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def inbox_snapshot(inbox: Path) -> dict[str, bytes]:
    return {p.relative_to(inbox).as_posix(): p.read_bytes()
            for p in sorted(inbox.rglob("*")) if p.is_file()}


def test_import_maps_renames_constants_maps_dates_and_lookups(export, inbox, capsys):
    mapping, data = export
    assert main(["import", "--mapping", str(mapping), str(data)]) == 0
    assert "3 rows read, 3 written" in capsys.readouterr().out
    [out] = (inbox / "forms").iterdir()
    assert out.name.startswith("hubspot_forms-") and out.suffix == ".csv"
    rows = read_rows(out)
    assert list(rows[0]) == ["submission_id", "submitted_at", "email", "form_id", "company",
                             "utm_source", "utm_medium", "owner_team", "domain_slug"]
    # Berlin is UTC+1 in January and UTC+2 in July; a bare date is local midnight
    assert [r["submitted_at"] for r in rows] == [
        "2026-01-31T08:30:00Z", "2026-01-31T23:00:00Z", "2026-07-15T21:15:00Z"]
    assert [r["email"] for r in rows] == ["ana@example.com", "ben@example.org",
                                          "carl@example.net"]
    assert {r["form_id"] for r in rows} == {"contact-us"}
    assert [(r["utm_source"], r["utm_medium"]) for r in rows] == [
        ("google", "cpc"), ("linkedin", "paid_social"), ("", "")]
    assert [r["owner_team"] for r in rows] == ["emea", "na", "emea"]
    assert rows[2]["domain_slug"] == "cafe-u"


def test_output_is_safe_to_open_in_a_spreadsheet(export, inbox):
    mapping, data = export
    result = run_import(mapping, [str(data)], inbox)
    assert result.formula_cells == 1
    cells = [v for row in read_rows(result.output) for v in row.values()]
    assert "'=HYPERLINK(\"http://x\")" in cells
    assert not [v for v in cells if v[:1] in ("=", "+", "-", "@")]


def test_unknown_column_is_one_line_naming_file_and_column(export, inbox, capsys):
    mapping, data = export
    mapping.write_text(FORMS_MAPPING.replace("company: Company", "company: Firm"))
    assert main(["import", "--mapping", str(mapping), str(data)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert str(data) in err and "'Firm'" in err and "Submission ID" in err
    assert inbox_snapshot(inbox) == {}


@pytest.mark.parametrize("bad_row, expected", [
    ("s4,31/02/2026,dan@example.com,Dan Ltd,LinkedIn,o1",
     ":4: submitted_at: cannot parse 31/02/2026 with date_format %d/%m/%Y %H:%M or %d/%m/%Y"),
    ("s4,01/03/2026,dan@example.com,Dan Ltd,TikTok,o1",
     ":4: utm_source: value TikTok is not in the map"),
    ("s4,01/03/2026,dan@example.com,Dan Ltd,LinkedIn,o9",
     ":4: owner_id: no row of lookup owners has Owner ID = o9"),
    ("s4,01/03/2026,not-an-address,Dan Ltd,LinkedIn,o1",
     ":4: email: invalid email in email: not-an-address"),
    (",01/03/2026,dan@example.com,Dan Ltd,LinkedIn,o1",
     ":4: submission_id: missing required value: submission_id"),
])
def test_a_bad_row_fails_the_whole_import_with_its_row_number(
        export, inbox, capsys, bad_row, expected):
    mapping, data = export
    data.write_text(EXPORT + bad_row + "\n")
    # a file already in the inbox stays as it was; nothing half-written appears beside it
    (inbox / "forms").mkdir()
    (inbox / "forms" / "earlier.csv").write_text("submission_id\nx\n")
    before = inbox_snapshot(inbox)
    assert main(["import", "--mapping", str(mapping), str(data)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0] == f"{data}{expected}" or err[0].startswith(f"{data}{expected}")
    assert err[-1].startswith("leadflow: error: 1 problem(s) in the input; nothing was written")
    assert inbox_snapshot(inbox) == before


def test_errors_are_listed_in_row_order_and_counted(export, inbox):
    mapping, data = export
    data.write_text(EXPORT + "".join(f"s{i},99/99/2026,x{i}@example.com,X,LinkedIn,o1\n"
                                     for i in range(4, 40)))
    with pytest.raises(ImportFailed) as failed:
        run_import(mapping, [str(data)], inbox)
    assert failed.value.total == 36
    assert [e.row for e in failed.value.errors] == list(range(4, 24))
    assert inbox_snapshot(inbox) == {}


def test_reimporting_the_same_files_loads_nothing_new(export, inbox, con, capsys):
    mapping, data = export
    first = run_import(mapping, [str(data)], inbox)
    assert not first.unchanged
    assert ingest_source(con, SOURCES["forms"], inbox).rows_loaded == 3

    again = run_import(mapping, [str(data)], inbox)
    assert again.unchanged and again.output == first.output
    assert ingest_source(con, SOURCES["forms"], inbox).files == []

    # the same import written anew (say, into a cleaned-up inbox) is a duplicate by sha256
    first.output.unlink()
    anew = run_import(mapping, [str(data)], inbox)
    assert anew.output == first.output and not anew.unchanged
    [res] = ingest_source(con, SOURCES["forms"], inbox).files
    assert res.status == "duplicate" and res.rows_loaded == 0
    assert con.execute("SELECT count(*) FROM raw.forms").fetchone()[0] == 3


def test_several_input_files_and_skip_if_empty(tmp_path, inbox):
    mapping = tmp_path / "deals.yml"
    mapping.write_text(textwrap.dedent("""
        source: crm_deals
        skip_if_empty: [opened]
        columns:
          deal_id: id
          email: {template: "{id|lower}@deals.example"}
          created_at: {from: opened, date_format: "%Y-%m-%d"}
          closed_at: {from: [won, lost], pick: latest, date_format: "%Y-%m-%d"}
          stage: {from: stage}
          status: {from: stage, map: {Won: won, Lost: lost}, default: open}
          amount: {from: value, if_empty: "0"}
    """))
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("id,opened,won,lost,stage,value\nD1,2026-01-02,2026-02-01,,Won,5\n"
                 "D2,,,,New,\n")
    b.write_text("id,opened,won,lost,stage,value\nD3,2026-01-05,,2026-01-20,Lost,\n"
                 "D4,2026-01-06,2026-01-09,2026-01-30,Qualified,\n")
    result = run_import(mapping, [str(a), str(b)], inbox)
    assert (result.rows_read, result.rows_written, result.rows_skipped) == (4, 3, 1)
    rows = read_rows(result.output)
    assert [(r["deal_id"], r["status"], r["amount"], r["closed_at"]) for r in rows] == [
        ("D1", "won", "5", "2026-02-01T00:00:00Z"),
        ("D3", "lost", "0", "2026-01-20T00:00:00Z"),
        ("D4", "open", "0", "2026-01-30T00:00:00Z"),
    ]


@pytest.mark.parametrize("change, message", [
    (("source: forms", "source: leads"), "source: expected one of forms, web"),
    (("  form_id:\n    value: contact-us\n", ""), "source forms requires form_id"),
    (("timezone: Europe/Berlin", "timezone: Mars/Olympus"), "unknown time zone 'Mars/Olympus'"),
    (("{Company|slug}", "{Company|shout}"), "columns.domain_slug.template: unknown filter"),
    (("    from: owners.team", "    from: managers.team"), "names lookup 'managers'"),
    (("  company: Company", "  company: {from: Company, value: x}"), "exactly one of from"),
    (("  company: Company", "  Company Name: Company"), "lower-case snake_case"),
    (("    unmapped: empty", "    unmapped: ignore"), "unmapped: expected one of"),
    (("columns:", "columns: ["), "not valid YAML"),
])
def test_mapping_problems_are_one_line_naming_the_key(export, inbox, change, message):
    mapping, data = export
    mapping.write_text(FORMS_MAPPING.replace(*change))
    with pytest.raises(MappingError) as err:
        run_import(mapping, [str(data)], inbox)
    assert message in str(err.value) and "\n" not in str(err.value)
    assert str(err.value).startswith(str(mapping)) or "time zone" in str(err.value)
    assert inbox_snapshot(inbox) == {}


def test_duplicate_lookup_keys_are_refused(export, inbox):
    mapping, data = export
    (data.parent / "owners.csv").write_text(OWNERS + "o1,apac\n")
    with pytest.raises(MappingError, match="key Owner ID = 'o1' appears 2 times"):
        run_import(mapping, [str(data)], inbox)


def test_lookup_path_can_be_given_on_the_command_line(export, inbox, tmp_path, capsys):
    mapping, data = export
    other = tmp_path / "other_owners.csv"
    other.write_text("Owner ID,team\no1,latam\no2,latam\n")
    args = ["import", "--mapping", str(mapping), str(data), "--lookup", f"owners={other}"]
    assert main(args) == 0
    [out] = (inbox / "forms").iterdir()
    assert {r["owner_team"] for r in read_rows(out)} == {"latam"}
    assert main([*args[:-1], f"sellers={other}"]) == 2
    assert "has no lookup of that name" in capsys.readouterr().err


def test_a_malformed_csv_is_one_line_naming_the_file(export, inbox, capsys):
    mapping, data = export
    data.write_text(EXPORT + "s4,01/03/2026,dan@example.com,Dan Ltd,LinkedIn,o1,surplus\n")
    assert main(["import", "--mapping", str(mapping), str(data)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"leadflow: error: {data}: not a well-formed CSV file")
    assert "\n" not in err
    assert "Expected Number of Columns: 6 Found: 7" in err
    assert inbox_snapshot(inbox) == {}


def test_a_negative_amount_is_a_problem_of_the_input(tmp_path, inbox):
    # money is never negative in the inbox contract (docs/contracts.md, "Money")
    mapping = tmp_path / "deals.yml"
    mapping.write_text(textwrap.dedent("""
        source: crm_deals
        columns:
          deal_id: id
          email: {template: "{id|lower}@deals.example"}
          created_at: {from: opened, date_format: "%Y-%m-%d"}
          stage: {from: stage}
          amount: {from: value}
    """))
    data = tmp_path / "a.csv"
    data.write_text("id,opened,stage,value\nD1,2026-01-02,won,-5\nD2,2026-01-03,won,7\n")
    with pytest.raises(ImportFailed) as failed:
        run_import(mapping, [str(data)], inbox)
    assert failed.value.total == 1
    assert "negative amount in amount: -5" in str(failed.value.errors[0])
