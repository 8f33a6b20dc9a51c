"""`leadflow export-person`: everything stored about a person, found by any spelling."""

from __future__ import annotations

import json
import stat

from pipelines.cli import main
from tests.privacy.person import ADDRESS, LEAD_ID, VISITOR


def test_export_person_holds_everything_about_them(with_person, tmp_path, capsys):
    where = with_person
    seg = where.exports / "segments" / "demo"
    seg.mkdir(parents=True)
    (seg / "2026-03-10.csv").write_text(f"segment,lead_id,email\ndemo,{LEAD_ID},{ADDRESS}\n")
    out = tmp_path / "zed.json"
    assert main(["export-person", " ZED.Quixote+x@erasable.io ", "--out", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    doc = json.loads(out.read_text())
    summary, tables = doc["summary"], doc["tables"]
    assert doc["lead_id"] == LEAD_ID
    assert [r["lead_id"] for r in summary["golden_record"]] == [LEAD_ID]
    assert summary["golden_record"][0]["first_name"] == "Zed"
    assert summary["stages"] and summary["touches"] and summary["deals"]
    assert summary["scores"][0]["reason_1"] == "+ visited pricing"
    assert summary["assignments"] and summary["assignment_history"]
    assert summary["exports"] == ["exports/segments/demo/2026-03-10.csv"]
    assert summary["visitors"] == [VISITOR]
    assert len(tables["raw.web_events"]) == 3  # the anonymous history included
    assert {r["submission_id"] for r in tables["raw.forms"]} == {"zq-f1"}
    assert len(tables["raw._quarantine"]) == 2  # the bad row and the malformed line
    assert all(r["email"] is None or "quixote" in r["email"].lower()
               for rows in tables.values() for r in rows if "email" in r)


def test_nobody_stored_and_bad_address(with_person, tmp_path, capsys):
    out = tmp_path / "nobody.json"
    assert main(["export-person", "nobody@nowhere.org", "--out", str(out)]) == 0
    assert "nothing stored" in capsys.readouterr().out
    assert json.loads(out.read_text())["tables"] == {}
    assert main(["export-person", "nobody-at-nowhere", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "not an e-mail address" in err
