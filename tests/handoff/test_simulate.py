"""`leadflow handoff simulate`: candidate MQL rules, routing rules and rep availability
replayed over a past window of a generated warehouse beside the current seeds."""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import pytest

from pipelines.cli import main
from pipelines.project import DBT_PROJECT_DIR

SEEDS = DBT_PROJECT_DIR / "seeds"
WINDOW = ("--from", "2026-04-01", "--to", "2026-05-31")


@pytest.fixture
def warehouse(lf_paths, generated_warehouse):
    lf_paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(generated_warehouse, lf_paths.warehouse)
    return lf_paths


def simulate(capsys, rules: Path, out: Path, *extra: str):
    code = main(["handoff", "simulate", "--rules", str(rules), *WINDOW, "--out", str(out),
                 *extra])
    printed, err = capsys.readouterr()
    if code:
        return code, printed, err, [], {}
    weeks = list(csv.DictReader(out.open()))
    reps = {r["owner"]: r for r in csv.DictReader(out.with_name(out.stem + "_reps.csv").open())}
    return code, printed, err, weeks, reps


def test_a_rep_out_of_office_shifts_load_and_breaches(warehouse, capsys, tmp_path):
    before = hashlib.sha256(warehouse.warehouse.read_bytes()).hexdigest()
    rules = tmp_path / "ooo"
    rules.mkdir()
    (rules / "rep_availability.csv").write_text(
        "owner,away_from,away_to,reason\nana.silva,2026-03-25,2026-06-05,parental leave\n")
    code, printed, err, weeks, reps = simulate(capsys, rules, tmp_path / "handoff.csv")
    assert code == 0, err
    window = weeks[-1]
    assert window["week"] == "window"
    # the same MQL rules: the same leads handed
    assert window["handed_current"] == window["handed_candidate"] != "0"
    ana = reps["ana.silva"]
    assert int(ana["leads_current"]) > 0 and ana["leads_candidate"] == "0"
    assert ana["away_days_candidate"] == "61"
    # every lead that reached her turn was passed on (how many reached it depends on the
    # rotation, which goes on after the rep who took each)
    assert int(ana["passed_on_candidate"]) > 0 and ana["passed_on_current"] == "0"
    # her leads go to the other reps of her team, nowhere else
    team = [r for r in reps.values() if r["team"] == ana["team"] and r["owner"] != "ana.silva"]
    assert all(int(r["leads_candidate"]) >= int(r["leads_current"]) for r in team)
    assert (sum(int(r["leads_candidate"]) for r in team)
            == sum(int(r["leads_current"]) for r in team) + int(ana["leads_current"]))
    # spread over the team by weight (regression: all of them went to ben.carter, the rep
    # behind her in the round-robin)
    gained = {r["owner"]: int(r["leads_candidate"]) - int(r["leads_current"]) for r in team
              if r["leads_current"] != "0" or r["leads_candidate"] != "0"}
    assert len(gained) == 3 and all(g > 0 for g in gained.values())
    assert max(gained.values()) < 0.6 * int(ana["leads_current"])
    others = [r for r in reps.values() if r["team"] != ana["team"]]
    assert all(r["leads_candidate"] == r["leads_current"] for r in others)
    # the breaches follow the reps' measured response
    assert float(ana["expected_sla_breaches_candidate"]) == 0
    assert (window["expected_sla_breaches_current"]
            != window["expected_sla_breaches_candidate"])
    assert "away 61d" in printed and "by response band" in printed
    assert hashlib.sha256(warehouse.warehouse.read_bytes()).hexdigest() == before


def test_a_stricter_mql_rule_hands_fewer_leads(warehouse, capsys, tmp_path):
    rules = tmp_path / "strict"
    rules.mkdir()
    (rules / "lifecycle_rules.csv").write_text(
        (SEEDS / "lifecycle_rules.csv").read_text().replace(",20,30,", ",60,30,"))
    code, _, err, weeks, reps = simulate(capsys, rules, tmp_path / "handoff.csv")
    assert code == 0, err
    window = weeks[-1]
    assert 0 < int(window["handed_candidate"]) < int(window["handed_current"])
    assert (sum(int(r["leads_candidate"]) for r in reps.values())
            == int(window["handed_candidate"]))


@pytest.mark.parametrize("name, text, reason", [
    ("rep_availability.csv", "owner,away_from,away_to,reason\nnobody,2026-04-01,2026-04-02,x\n",
     "rep_availability names rep 'nobody', who is not in sales_reps"),
    ("rep_availability.csv", "owner,away_from,away_to,reason\nana.silva,2026-04-09,2026-04-02,x\n",
     "needs away_from on or before away_to"),
    ("routing_rules.csv", "rule_order,rule_id,country_code,region,product_interest,tier,"
     "assign_team,assign_owner,queue,overrides_existing,description\n"
     "1,x,,,,,nowhere,,,false,x\n", "no rep"),
])
def test_bad_candidate_routing_files_are_refused(warehouse, capsys, tmp_path, name, text,
                                                 reason):
    rules = tmp_path / "bad"
    rules.mkdir()
    (rules / name).write_text(text)
    code, _, err, _, _ = simulate(capsys, rules, tmp_path / "handoff.csv")
    assert code == 2 and reason in err and len(err.strip().splitlines()[-1]) < 400, err


def test_a_window_without_hand_offs_is_one_line(warehouse, capsys, tmp_path):
    rules = tmp_path / "ooo"
    rules.mkdir()
    (rules / "rep_availability.csv").write_text("owner,away_from,away_to,reason\n")
    code = main(["handoff", "simulate", "--rules", str(rules), "--from", "2020-01-01",
                 "--to", "2020-01-31"])
    err = capsys.readouterr().err
    assert code == 2 and "no lead was handed to sales" in err, err


def test_from_after_to_is_one_line(warehouse, capsys, tmp_path):
    code = main(["handoff", "simulate", "--rules", str(tmp_path), "--from", "2026-05-01",
                 "--to", "2026-04-01"])
    assert code == 2 and "is after" in capsys.readouterr().err


def test_a_cap_of_open_leads_passes_leads_on(warehouse, capsys, tmp_path):
    rules = tmp_path / "cap"
    rules.mkdir()
    lines = (SEEDS / "sales_reps.csv").read_text().splitlines()
    header = lines[0].split(",")
    cap = header.index("max_open_leads")
    capped = []
    for line in lines[1:]:
        cells = line.split(",")
        if cells[0] == "ana.silva":
            cells[cap] = "2"
        capped.append(",".join(cells))
    (rules / "sales_reps.csv").write_text("\n".join([lines[0], *capped]) + "\n")
    code, printed, err, weeks, reps = simulate(capsys, rules, tmp_path / "handoff.csv")
    assert code == 0, err
    ana = reps["ana.silva"]
    assert ana["max_open_leads_candidate"] == "2"
    assert int(ana["leads_candidate"]) < int(ana["leads_current"])
    assert int(ana["passed_on_candidate"]) > 0 and ana["passed_on_current"] == "0"
    assert weeks[-1]["handed_current"] == weeks[-1]["handed_candidate"]
