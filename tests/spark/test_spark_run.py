"""`leadflow run --engine spark` (issue 19): the whole daily job on the Spark engine, from
the same generated inbox as a DuckDB run, gives the same results a user sees.

One small generated inbox is loaded twice: by the daily job on DuckDB, and by the daily
job on Spark (ingestion into DuckDB's raw tables as always, then the raw tables handed to
Spark, dbt built on Spark in the suite's session, the model trained from Spark's feature
table, the open leads scored on Spark, routing, segments and the report reading Spark's
warehouse). Then the two runs' outputs are compared: the model's figures, every score,
every assignment, every exported segment file and every table of the report."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipelines.cli import main
from pipelines.project import LeadflowPaths
from pipelines.resources import open_duckdb
from tests.data_dir import point_at
from tests.spark.catalog import empty_catalog
from tests.spark.timings import TIMINGS

pytestmark = pytest.mark.spark

# identify a run rather than its data: left out of the comparisons
RUN_COLUMNS = {"scored_at", "trained_at", "updated_at", "status_changed_at", "generated_at",
               "model_version", "replaced_version", "run_id", "evaluation", "materialised_at"}


GENERATE = ["generate", "--leads", "800", "--days", "150", "--seed", "7",
            "--end-date", "2026-06-30"]


def _served_model(where: LeadflowPaths) -> None:
    """The model this inbox trains, in service: a first run trains it, and on a small inbox
    the quality gate may refuse it; promoted by hand so that both runs score."""
    from models_ml.registry import Registry

    registry = Registry(where.models)
    if registry.current() is None:
        [version] = [p.name for p in where.models.iterdir() if p.is_dir()]
        assert main(["model", "promote", "--force", version]) == 0


@pytest.fixture(scope="module")
def runs(tmp_path_factory, spark) -> dict[str, LeadflowPaths]:
    """{engine: paths} of one daily run per engine over the same generated inbox, each
    with the same model in service (trained by a first DuckDB run over that inbox)."""
    import time

    root = tmp_path_factory.mktemp("daily")
    with pytest.MonkeyPatch.context() as mp:
        first = point_at(mp, root / "first" / "data")
        assert main(GENERATE) == 0
        assert main(["run", "--log-level", "ERROR"]) == 0
        _served_model(first)
    empty_catalog(spark)  # the Spark run starts from an empty warehouse, as a first run does
    out: dict[str, LeadflowPaths] = {}
    for engine in ("duckdb", "spark"):
        with pytest.MonkeyPatch.context() as mp:
            where = point_at(mp, root / engine / "data")
            shutil.copytree(first.inbox, where.inbox)
            shutil.copytree(first.models, where.models)
            mp.setenv("LEADFLOW_ENGINE", "duckdb")  # --engine wins; restored after
            started = time.perf_counter()
            assert main(["run", "--engine", engine, "--log-level", "ERROR"]) == 0
            TIMINGS[f"daily run, generated 800 leads: {engine}"] = time.perf_counter() - started
            out[engine] = where
    return out


def duckdb_table(where: LeadflowPaths, name: str) -> pd.DataFrame:
    with open_duckdb(where.warehouse, read_only=True) as con:
        return con.execute(f"select * from {name}").df()


def spark_table(spark, name: str) -> pd.DataFrame:
    return spark.table(name).toPandas()


def comparable(frame: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """Run identifiers dropped, floats rounded, dates and timestamps as UTC instants, text
    as objects with None for missing (Spark's toPandas and DuckDB's df differ in these
    types, not in values), rows sorted by ``key``."""
    frame = frame.drop(columns=[c for c in frame.columns if c in RUN_COLUMNS])
    for column in frame.columns:
        values = frame[column]
        present = values.dropna()
        if len(present) and isinstance(present.iloc[0], dt.date):
            values = pd.to_datetime(values)
        if pd.api.types.is_datetime64_any_dtype(values):
            stamps = pd.to_datetime(values)
            frame[column] = (stamps.dt.tz_localize("UTC") if stamps.dt.tz is None
                             else stamps.dt.tz_convert("UTC"))
        elif pd.api.types.is_float_dtype(values):
            frame[column] = values.round(6)
        elif not pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            frame[column] = values.astype(object).where(values.notna(), None)
    return frame.sort_values(key).reset_index(drop=True)


def test_the_spark_run_wrote_to_spark(runs, spark):
    """What the Python steps own went to Spark's catalog, not to DuckDB's file."""
    with open_duckdb(runs["spark"].warehouse, read_only=True) as con:
        schemas = {s for (s,) in con.execute(
            "select distinct table_schema from information_schema.tables").fetchall()}
    assert "raw" in schemas
    assert not schemas & {"marts", "ml", "ops", "activation"}, schemas
    for table in ("ml.lead_scores", "ml.model_runs", "ops.lead_assignments",
                  "activation.segment_members", "marts.rpt_headline_kpis"):
        assert spark.catalog.tableExists(table), table


def test_the_model_is_trained_on_the_same_features(runs, spark):
    duck = comparable(duckdb_table(runs["duckdb"], "ml.model_runs"), ["training_rows"])
    sprk = comparable(spark_table(spark, "ml.model_runs"), ["training_rows"])
    assert len(duck) == 1
    columns = ["model_kind", "training_rows", "validation_rows", "roc_auc", "brier",
               "rule_roc_auc", "is_accepted", "status"]
    pd.testing.assert_frame_equal(sprk[columns], duck[columns], check_dtype=False)


def test_every_open_lead_gets_the_same_score(runs, spark):
    columns = ["score_date", "lead_id", "probability", "score", "tier", "priority_rank",
               "reason_1", "reason_2", "reason_3"]
    duck = comparable(duckdb_table(runs["duckdb"], "ml.lead_scores")[columns], ["lead_id"])
    sprk = comparable(spark_table(spark, "ml.lead_scores")[columns], ["lead_id"])
    assert len(duck) > 100
    pd.testing.assert_frame_equal(sprk, duck, check_dtype=False)


def test_routing_assigns_every_lead_alike(runs, spark):
    for table, key in (("ops.lead_assignments", ["lead_id"]),
                       ("ops.lead_assignment_events", ["lead_id", "action", "assigned_at"])):
        duck = comparable(duckdb_table(runs["duckdb"], table), key)
        sprk = comparable(spark_table(spark, table), key)
        assert len(duck) > 100, table
        pd.testing.assert_frame_equal(sprk[duck.columns], duck, check_dtype=False)


def _files(folder: Path) -> dict[str, Path]:
    return {str(p.relative_to(folder)): p for p in sorted(folder.rglob("*.csv"))}


def test_the_segment_exports_are_the_same_files(runs):
    duck = _files(runs["duckdb"].exports / "segments")
    sprk = _files(runs["spark"].exports / "segments")
    assert duck and sorted(sprk) == sorted(duck)
    for name, path in duck.items():
        assert sprk[name].read_text() == path.read_text(), name


def test_the_report_shows_the_same_tables(runs):
    [duck_day] = [p for p in runs["duckdb"].reports.iterdir() if p.is_dir()]
    [spark_day] = [p for p in runs["spark"].reports.iterdir() if p.is_dir()]
    assert (spark_day / "index.html").exists()
    duck, sprk = _files(duck_day), _files(spark_day)
    assert len(duck) > 10 and sorted(sprk) == sorted(duck)
    for name, path in duck.items():
        left, right = pd.read_csv(path), pd.read_csv(sprk[name])
        assert list(right.columns) == list(left.columns), name
        key = list(left.columns)
        pd.testing.assert_frame_equal(comparable(right, key), comparable(left, key),
                                      check_dtype=False, obj=name)
