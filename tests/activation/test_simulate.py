"""`leadflow routing simulate`: load per rep and expected speed-to-lead of a rule set
replayed over past leads, without touching the warehouse."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil

import pytest

from pipelines.activation import replay
from pipelines.cli import main
from pipelines.project import DBT_PROJECT_DIR
from pipelines.resources import open_duckdb
from tests.activation import fixtures as fx

RULES_HEADER = ("rule_order,rule_id,country_code,region,product_interest,tier,assign_team,"
                "assign_owner,queue,overrides_existing,description\n")


@pytest.fixture(scope="module")
def built(tmp_path_factory, dbt_work):
    """30 US leads on 2026-03-02 and 10 German ones on 2026-03-03; ana.silva answered in
    30 minutes, ben.carter in 5 hours (history in fct_speed_to_lead); the dbt models built
    (rep_response_history, routing_matches), nothing routed."""
    wh = fx.Warehouse(tmp_path_factory.mktemp("simulate") / "warehouse.duckdb", dbt_work)
    fx.create(wh.con)
    for i in range(30):
        fx.add_lead(wh, f"us{i:02}", minutes=i)
    for i in range(10):
        fx.add_lead(wh, f"de{i}", country="DE", region="emea", minutes=24 * 60 + i)
    for owner, team, minutes in (("ana.silva", "na", 30), ("ben.carter", "na", 300),
                                 ("hannah.schmidt", "emea", 60)):
        wh.execute("INSERT INTO marts.fct_speed_to_lead VALUES ('h', ?, ?, ?, ?, ?, true, 4, ?, "
                   "?)", [fx.T0, fx.T0, owner, team, minutes, fx.T0, minutes > 240])
    wh.build()
    wh.close()
    return wh.path


@pytest.fixture
def warehouse(lf_paths, built):
    shutil.copy(built, lf_paths.warehouse)
    return lf_paths


def simulate(capsys, *args) -> tuple[int, str, str]:
    code = main(["routing", "simulate", *args])
    out, err = capsys.readouterr()
    return code, out, err


def rep_lines(out: str) -> dict[str, list[str]]:
    return {line.split()[1]: line.split() for line in out.splitlines()
            if line.split() and line.split()[0] in ("na", "emea", "apac_latam")}


def test_load_per_rep_follows_the_rules_and_weights_and_changes_nothing(warehouse, capsys):
    before = hashlib.sha256(warehouse.warehouse.read_bytes()).hexdigest()
    code, out, _ = simulate(capsys, "--from", "2026-03-01", "--to", "2026-03-03")
    assert code == 0, out
    assert "40 leads" in out
    reps = rep_lines(out)
    # seed sales_reps: na weights ana 3, ben 2, david 2, grace 1 -> 8 slots (ana ben david
    # grace | ana ben david | ana); 30 leads = 3 rounds + ana ben david grace ana ben
    assert [reps[r][4] for r in ("ana.silva", "ben.carter", "david.kim", "grace.obi")] == [
        "11", "8", "7", "4"]
    assert reps["hannah.schmidt"][4] == "10"  # rule germany: the named rep
    assert reps["ivan.petrov"][3:5] == ["no", "0"]  # unavailable: skipped
    assert reps["ana.silva"][-3:-1] == ["30", "min"] and reps["ben.carter"][-3] == "5.0"
    assert "rules fired: north_america 30, germany 10" in out
    assert hashlib.sha256(warehouse.warehouse.read_bytes()).hexdigest() == before
    con = open_duckdb(warehouse.warehouse, read_only=True)
    assert con.execute("SELECT count(*) FROM ops.lead_assignments").fetchone()[0] == 0
    con.close()


def test_the_replay_matches_rules_as_the_routing_model_does(warehouse):
    """The replay's first-matching-rule step (the analysis routing_replay) and dbt's
    routing_matches agree on the seed rules: one macro, over other relations."""
    queries = replay.replay_queries(warehouse.warehouse)
    con = open_duckdb(warehouse.warehouse, read_only=True)
    replay.bind_seed_files(con, DBT_PROJECT_DIR / "seeds")
    replay.simulate(con, queries, dt.date(2026, 3, 1), dt.date(2026, 3, 3))
    columns = "lead_id, tier, rule_id, overrides_existing, target_team, named_owner, target_queue"
    replayed = con.execute(f"SELECT {columns} FROM replay_matches ORDER BY 1").fetchall()
    modelled = con.execute(f"SELECT {columns} FROM activation.routing_matches ORDER BY 1"
                           ).fetchall()
    con.close()
    assert len(replayed) == 40 and replayed == modelled


def test_window_selects_leads_by_creation_day(warehouse, capsys):
    code, out, _ = simulate(capsys, "--from", "2026-03-03", "--to", "2026-03-03")
    assert code == 0 and "10 leads" in out and "rules fired: germany 10" in out


def test_a_candidate_rules_file_is_replayed_instead_of_the_seed(warehouse, capsys, tmp_path):
    rules = tmp_path / "rules.csv"
    rules.write_text(RULES_HEADER + "1,all_to_emea,,,,,emea,,,false,x\n")
    code, out, _ = simulate(capsys, "--from", "2026-03-01", "--to", "2026-03-03",
                            "--rules", str(rules))
    assert code == 0
    reps = rep_lines(out)
    # emea slots: elena farid hannah lucas | elena hannah (ivan unavailable); 40 leads =
    # 6 rounds + elena farid hannah lucas: hannah 6 * 2 + 1
    assert reps["ana.silva"][4] == "0" and reps["hannah.schmidt"][4] == "13"
    # beside it, the leads under the seed files as they stand (11 and 10 above)
    assert reps["ana.silva"][5] == "11" and reps["hannah.schmidt"][5] == "10"
    assert "expected speed-to-lead under the seed rules:" in out
    assert "rules fired: all_to_emea 40" in out


@pytest.mark.parametrize("body, reason", [
    ("1,us,US,,,,na,,,false,x\n", "default"),
    ("1,x,,,,,nowhere,,,false,x\n", "no rep"),
    ("1,x,,,,,,nobody,,false,x\n", "not in sales_reps"),
    ("1,x,,,,,na,ana.silva,,false,x\n", "exactly one"),
    ("1,x,,,,,na,,,maybe,x\n", "cannot read"),
])
def test_a_bad_rules_file_is_refused_in_one_line(warehouse, capsys, tmp_path, body, reason):
    rules = tmp_path / "rules.csv"
    rules.write_text(RULES_HEADER + body)
    code, _, err = simulate(capsys, "--from", "2026-03-01", "--to", "2026-03-03",
                            "--rules", str(rules))
    assert code == 2 and reason in err and len(err.strip().splitlines()) == 1


def test_bad_arguments_exit_2(warehouse, capsys, tmp_path):
    assert simulate(capsys, "--from", "2026-03-03", "--to", "2026-03-01")[0] == 2
    assert simulate(capsys, "--from", "2026-03-01", "--to", "2026-03-03",
                    "--reps", str(tmp_path / "missing.csv"))[0] == 2
    with pytest.raises(SystemExit) as exc:
        main(["routing", "simulate", "--from", "March", "--to", "2026-03-03"])
    assert exc.value.code == 2


def test_no_warehouse_yet_is_a_one_line_error(lf_paths, capsys):
    code, _, err = simulate(capsys, "--from", "2026-03-01", "--to", "2026-03-03")
    assert code == 2 and "leadflow run" in err


def test_caps_and_absences_shift_the_load_and_are_counted(warehouse, capsys, tmp_path):
    reps = tmp_path / "reps.csv"
    reps.write_text((DBT_PROJECT_DIR / "seeds" / "sales_reps.csv").read_text()
                    .replace("ben.carter,na,2,true,", "ben.carter,na,2,true,3"))
    away = tmp_path / "away.csv"
    away.write_text("owner,away_from,away_to,reason\nana.silva,2026-03-02,2026-03-02,leave\n")
    code, out, _ = simulate(capsys, "--from", "2026-03-01", "--to", "2026-03-03",
                            "--reps", str(reps), "--availability", str(away))
    assert code == 0, out
    reps_out = rep_lines(out)
    # columns: team owner weight avail leads seed share per-day tierA cap peak away passed took
    ana, ben = reps_out["ana.silva"], reps_out["ben.carter"]
    # ana is away: none of the 11 leads the seeds give her; every lead reaching one of her
    # turns is passed on (more than 11: the rotation goes on after the rep who took it)
    assert ana[4] == "0" and ana[5] == "11" and ana[11] == "1" and int(ana[12]) >= 11
    # ben takes 3 leads, then is at his cap; the 30 US leads spread over david and grace
    assert ben[4] == "3" and ben[9:11] == ["3", "3"]
    assert sum(int(reps_out[r][4]) for r in ("ben.carter", "david.kim", "grace.obi")) == 30
    na = ("ana.silva", "ben.carter", "david.kim", "grace.obi")
    assert sum(int(reps_out[r][13]) for r in na) == sum(int(reps_out[r][12]) for r in na) > 11
    capacity = [line for line in out.splitlines() if line.startswith("capacity:")][0]
    # ben's slots come right after ana's: the leads that reached him at his cap came from
    # her turns and carry the reason of the rep whose turn it was
    assert capacity == f"capacity: owner_away {ana[12]}"
    assert "capacity under the seed files: every lead went" in out
