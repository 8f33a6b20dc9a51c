"""The shipped CRM pipeline mapping on the public-domain slice in data/sample/crm_pipeline
(every 100th opportunity: 88 rows), so that it is tested where the full dataset is absent.

Hand figures (DuckDB over the slice, all columns as text, p = sales_pipeline.csv,
a = accounts.csv):
- stages: Won 41, Lost 30, Engaging 12, Prospecting 5 (the 5 have no engage_date)
- of the 83 rows with an engage_date: 12 use product GTXPro, 12 belong to an account of
  sector technolgy, 10 have no account
- Anna Snelling: SELECT count(*) FILTER (WHERE deal_stage = 'Won'), count(*) FILTER
  (WHERE deal_stage = 'Lost') FROM p WHERE sales_agent = 'Anna Snelling'    -> 4, 1
- won close_value: SELECT sum(close_value::int) FROM p WHERE deal_stage = 'Won' -> 73897
"""

from __future__ import annotations

import csv
from collections import Counter

from pipelines.importer import run_import
from pipelines.ingest import ingest_source
from pipelines.project import PROJECT_ROOT
from pipelines.sources import SOURCES

SAMPLE = PROJECT_ROOT / "data" / "sample" / "crm_pipeline"
MAPPING = PROJECT_ROOT / "mappings" / "crm_pipeline" / "sales_pipeline.yml"


def test_sample_slice_imports_with_every_join_trap_handled(inbox, con):
    result = run_import(MAPPING, [str(SAMPLE / "sales_pipeline.csv")], inbox)
    assert (result.rows_read, result.rows_written, result.rows_skipped) == (88, 83, 5)
    with open(result.output, newline="") as f:
        rows = list(csv.DictReader(f))
    assert Counter(r["status"] for r in rows) == {"won": 41, "lost": 30, "open": 12}
    products = Counter(r["product"] for r in rows)
    assert products["GTX Pro"] == 12 and "GTXPro" not in products
    sectors = Counter(r["sector"] for r in rows)
    assert sectors["technology"] == 12 and "technolgy" not in sectors
    no_account = [r for r in rows if not r["account"]]
    assert len(no_account) == 10
    assert all(r["email"] == f"{r['deal_id'].lower()}@no-account.invalid" for r in no_account)
    assert all(r["manager"] and r["regional_office"] for r in rows)
    assert all(r["amount"] == "0" for r in rows if r["status"] == "open")
    anna = Counter(r["status"] for r in rows if r["owner"] == "Anna Snelling")
    assert (anna["won"], anna["lost"]) == (4, 1)
    assert sum(int(r["amount"]) for r in rows if r["status"] == "won") == 73897

    loaded = ingest_source(con, SOURCES["crm_deals"], inbox)
    assert (loaded.rows_loaded, loaded.rows_quarantined) == (83, 0)
    assert {r[0] for r in con.execute("SELECT column_name FROM raw._schema_drift").fetchall()} \
        == {"account", "manager", "regional_office", "sector", "employees",
            "annual_revenue_musd"}
