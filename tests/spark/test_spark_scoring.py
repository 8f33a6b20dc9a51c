"""Scoring on Spark (models_ml/spark_scoring.py) gives the DuckDB path's scores, row for row,
with the same model artifact; its writes replace a day's partition and keep the others."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from models_ml.features import LABEL, META_COLUMNS, detect_spec, load_features
from models_ml.score import SCORE_COLUMNS, score_leads
from models_ml.spark_scoring import SPARK_TYPES, score_open_leads, write_scores
from models_ml.train import TrainConfig, train
from tests.ml.conftest import lead_frame, phrases, score_tiers
from tests.ml.test_registry_gate import warehouse_with
from tests.spark.catalog import empty_catalog

pytestmark = pytest.mark.spark

SCORED_AT = dt.datetime(2026, 8, 1, 6, 30, tzinfo=dt.UTC)


def open_leads() -> pd.DataFrame:
    """Today's open leads, with missing values in a yes/no, a count and a text feature."""
    leads = lead_frame(400, seed=52, kind="scoring")
    leads["is_free_email"] = leads["is_free_email"].astype("boolean")
    leads.loc[:9, "is_free_email"] = pd.NA
    leads["pricing_page_views_7d"] = leads["pricing_page_views_7d"].astype("Int64")
    leads.loc[10:19, "pricing_page_views_7d"] = pd.NA
    leads.loc[20:29, "seniority"] = None
    return leads


def worded_phrases() -> pd.DataFrame:
    """The seed's phrases, with a yes/no value in the words: Spark's types must word it as
    DuckDB's do ("yes", not "True")."""
    seed = phrases()
    email = seed["reason_group"] == "email_type"
    seed.loc[email, ["positive_phrase", "negative_phrase"]] = "free-mail {is_free_email}"
    return seed


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, spark):
    """A DuckDB warehouse with labelled and open leads, and its feature table copied to the
    Spark warehouse's ``marts`` database."""
    path = tmp_path_factory.mktemp("duckdb") / "warehouse.duckdb"
    con = warehouse_with(path, lead_frame(2000, seed=51), open_leads())
    features = con.sql("SELECT * FROM marts.fct_lead_features").to_arrow_table()
    empty_catalog(spark)
    spark.sql("CREATE DATABASE marts")
    spark.createDataFrame(features).write.mode("overwrite").saveAsTable(
        "marts.fct_lead_features")
    yield con
    con.close()


def trained(con, kind: str):
    training = load_features(con, "training")
    y = training[LABEL].to_numpy(dtype=np.int8)
    config = TrainConfig(seed=7, max_iter=60, threads=1, kinds=(kind,))
    return train(training, y, detect_spec(training, META_COLUMNS), config).model


def comparable(scores: pd.DataFrame) -> pd.DataFrame:
    """Scores sorted by lead, in plain types: probability to 9 places, times in UTC."""
    out = scores[list(SCORE_COLUMNS)].sort_values("lead_id", ignore_index=True)
    out["probability"] = out["probability"].astype("float64").round(9)
    out["score"] = out["score"].astype("int64")
    out["priority_rank"] = out["priority_rank"].astype("int64")
    for name in ("as_of_at", "scored_at"):
        out[name] = pd.to_datetime(out[name], utc=True).dt.as_unit("us")
    out["score_date"] = pd.to_datetime(out["score_date"]).dt.date
    for name in ("lead_id", "model_version", "tier", "reason_1", "reason_2", "reason_3"):
        out[name] = out[name].astype(object).where(out[name].notna(), None)
    return out


@pytest.mark.parametrize("kind, has_scale", [
    ("logistic_regression", True), ("gradient_boosting", True),
    ("gradient_boosting", False),  # a model saved before the scale: the day's own scale
])
def test_spark_scores_equal_duckdb_scores(spark, warehouse, kind, has_scale):
    model = trained(warehouse, kind)
    if not has_scale:
        del model.score_breakpoints  # as unpickled from an older artifact
    words, tiers = worded_phrases(), score_tiers()
    duck = score_leads(model, load_features(warehouse, "scoring"), words, tiers, "v1",
                       SCORED_AT)

    frame = score_open_leads(spark, model, words, tiers, "v1", SCORED_AT)
    assert dict(frame.dtypes) == {c: SPARK_TYPES[c] for c in SCORE_COLUMNS}
    on_spark = frame.toPandas()

    assert len(duck) == len(on_spark) == 400
    assert duck["reason_1"].str.contains("free-mail yes", regex=False).any()
    pd.testing.assert_frame_equal(comparable(on_spark), comparable(duck), check_exact=True)


def test_write_scores_replaces_the_day_and_keeps_other_days(spark, warehouse):
    from pyspark.sql import functions as F

    model = trained(warehouse, "logistic_regression")
    today = score_open_leads(spark, model, phrases(), score_tiers(), "v1", SCORED_AT).cache()
    day = today.first()["score_date"]
    yesterday = today.limit(5).withColumn("score_date", F.date_sub("score_date", 1))
    mode = "spark.sql.sources.partitionOverwriteMode"
    spark.conf.set(mode, "static")  # write_scores must not depend on the session's mode
    try:
        write_scores(spark, yesterday)
        write_scores(spark, today)
        write_scores(spark, today.withColumn("model_version", F.lit("v2")))
        assert spark.conf.get(mode) == "static"
    finally:
        spark.conf.set(mode, "dynamic")
    table = spark.table("ml.lead_scores")
    assert {f.name: f.dataType.simpleString() for f in table.schema.fields} \
        == {c: SPARK_TYPES[c] for c in SCORE_COLUMNS}
    days = {(r["score_date"], r["model_version"]): r["rows"] for r in
            table.groupBy("score_date", "model_version").agg(F.count("*").alias("rows"))
            .collect()}
    assert days == {(day, "v2"): 400, (day - dt.timedelta(days=1), "v1"): 5}
    assert table.where(F.col("score_date") == day).select("lead_id").distinct().count() == 400
    today.unpersist()
