"""Daily scoring on Spark (issue 19, docs/scale-out.md): the open leads of the Spark
warehouse scored with the same model artifact and the same code as the DuckDB path, into a
Parquet ``ml.lead_scores`` partitioned by day.

The work splits where the DuckDB path (models_ml/score.py) splits it:

- per row, ``score_rows`` runs inside ``DataFrame.mapInPandas`` on each partition's Arrow
  batches: the model is broadcast once to every executor, each batch gets the pandas types
  DuckDB would have given it, so probability, score, tier and reasons come out the same;
- over the whole day, Spark computes what needs every lead at once: priority_rank (a
  window in the order of ``score.priority_ranks``), score_date (the date of the day's
  latest as-of moment) and, for a model saved before the 1-99 scale existed, the day's own
  scale (the margins are collected once and cut by ``score.model_scale``).

The feature rows are read by the same SQL as DuckDB's (``features.feature_rows_sql``): the
Spark databases carry the DuckDB schemas' names (``marts.fct_lead_features``). Only imported
where the ``spark`` dependency group is installed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pandas as pd

from models_ml.features import feature_rows_sql
from models_ml.model import LeadModel
from models_ml.score import (
    ROW_COLUMNS,
    SCORE_COLUMNS,
    model_scale,
    score_rows,
    stored_scale,
    tier_bands,
)

SCORE_TABLE = "ml.lead_scores"
# the Spark types of ml.lead_scores' columns (models_ml/runs.py: DDL); TIMESTAMP is
# Spark's instant type (TIMESTAMP_LTZ), DuckDB's TIMESTAMPTZ
SPARK_TYPES = {
    "score_date": "date", "lead_id": "string", "model_version": "string",
    "probability": "double", "margin": "double", "score": "smallint", "tier": "string",
    "priority_rank": "bigint",
    **{f"reason_{k}": "string" for k in (1, 2, 3)},
    **{f"reason_{k}_effect": "double" for k in (1, 2, 3)},
    "as_of_at": "timestamp", "scored_at": "timestamp",
}
# pandas types DuckDB's .df() gives the Spark types Arrow would give otherwise (object for
# booleans with nulls, float for integers with nulls, Decimal objects for decimals)
PANDAS_TYPES = {"boolean": "boolean", "tinyint": "Int8", "smallint": "Int16",
                "int": "Int32", "bigint": "Int64", "float": "float32", "double": "float64"}


def ddl(columns) -> str:
    """``name type, ...`` of ``columns``: a mapInPandas schema or a table's column list."""
    return ", ".join(f"{name} {SPARK_TYPES[name]}" for name in columns)


def as_duckdb_types(batch: pd.DataFrame, types: dict[str, str], zone: str) -> pd.DataFrame:
    """A feature batch from Spark in the pandas types DuckDB gives the same columns:
    nullable booleans and integers, floats for decimals, timestamps tz-aware in UTC (Spark
    hands them over naive, in the session time zone ``zone``), dates as datetimes. Reasons
    word a value by its type ("yes" for a boolean, "3" for a count), so the types matter."""
    out = batch.copy()
    for name, kind in types.items():
        if name not in out.columns:
            continue
        column = out[name]
        if kind in PANDAS_TYPES:
            out[name] = column.astype(PANDAS_TYPES[kind])
        elif kind.startswith("decimal"):
            out[name] = pd.to_numeric(column, errors="coerce").astype("float64")
        elif kind.startswith("timestamp"):
            stamps = pd.to_datetime(column)
            if stamps.dt.tz is None:
                stamps = stamps.dt.tz_localize(zone)
            out[name] = stamps.dt.tz_convert("UTC")
        elif kind == "date":
            out[name] = pd.to_datetime(column)
    return out


def score_open_leads(spark, model: LeadModel, phrases: pd.DataFrame, tiers: pd.DataFrame,
                     version: str, scored_at: dt.datetime | None = None):
    """Every open lead of ``marts.fct_lead_features`` (its scoring snapshot) scored with
    ``model``: a lazy Spark DataFrame in ``SCORE_COLUMNS`` with ml.lead_scores' types,
    equal row for row to ``score.score_leads`` on the same rows.

    ``phrases`` and ``tiers`` are seeds ml_reason_phrases and score_tiers as pandas frames
    (small, shipped with each task); ``scored_at`` is fixed here, once for every partition."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    tier_bands(tiers)  # bad bands fail here, not in a task on an executor
    scored_at = scored_at or dt.datetime.now(dt.UTC)
    features = spark.sql(feature_rows_sql("scoring", ordered=False))
    types = {field.name: field.dataType.simpleString() for field in features.schema.fields}
    zone = spark.conf.get("spark.sql.session.timeZone")
    shared = spark.sparkContext.broadcast(model)

    breakpoints = stored_scale(model)
    if breakpoints is None:
        def margins(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
            for batch in batches:
                frame = as_duckdb_types(batch, types, zone)
                yield pd.DataFrame({"margin": shared.value.margin(
                    shared.value.transform(frame))})

        day = features.mapInPandas(margins, "margin double").toPandas()["margin"].to_numpy()
        breakpoints = model_scale(model, day, version) if len(day) else None

    def score(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            if len(batch):
                yield score_rows(shared.value, as_duckdb_types(batch, types, zone), phrases,
                                 tiers, version, scored_at, breakpoints)

    rows = features.mapInPandas(score, ddl(ROW_COLUMNS))
    # the order of score.priority_ranks; both windows span the whole day (one partition:
    # a rank over every lead needs them all in one place)
    best_first = Window.orderBy(F.desc("probability"), F.desc("margin"), F.asc("lead_id"))
    whole_day = Window.partitionBy()
    return rows.select(
        F.to_date(F.max("as_of_at").over(whole_day)).alias("score_date"),
        *[c for c in ROW_COLUMNS if c != "margin"],
        F.row_number().over(best_first).cast("bigint").alias("priority_rank"),
    ).select(*SCORE_COLUMNS)


PARTITIONED_LAST = [c for c in SCORE_COLUMNS if c != "score_date"] + ["score_date"]


def ensure_table(spark) -> None:
    """The Parquet table ml.lead_scores, partitioned by score_date, created when missing
    (empty: the dbt models that read the ``ml`` source find it before the first score)."""
    spark.sql("CREATE DATABASE IF NOT EXISTS ml")
    spark.sql(f"CREATE TABLE IF NOT EXISTS {SCORE_TABLE} ({ddl(PARTITIONED_LAST)}) "
              "USING parquet PARTITIONED BY (score_date)")


def write_scores(spark, frame) -> None:
    """Write a day's scores (``score_open_leads``) to the Parquet table ml.lead_scores,
    partitioned by score_date: INSERT OVERWRITE with dynamic partitions replaces the days
    ``frame`` holds and keeps every other day, as the DuckDB path's delete-then-insert of
    the day does. Creates the database and table when missing."""
    ensure_table(spark)
    view = "leadflow_new_lead_scores"
    frame.createOrReplaceTempView(view)
    mode = "spark.sql.sources.partitionOverwriteMode"
    before = spark.conf.get(mode)
    spark.conf.set(mode, "dynamic")  # static would empty every other day
    try:
        spark.sql(f"INSERT OVERWRITE TABLE {SCORE_TABLE} PARTITION (score_date) "
                  f"SELECT {', '.join(PARTITIONED_LAST)} FROM {view}")
    finally:
        spark.conf.set(mode, before)
        spark.catalog.dropTempView(view)


def score_day(spark, con, registry, version: str, scored_at: dt.datetime | None = None):
    """The daily scoring of the Spark engine: the open leads scored on Spark and written to
    ml.lead_scores, then the day's scores read back for the drift table, which is computed
    on this machine from the scoring snapshot as the DuckDB path computes it. ``con`` is
    the step's copy of the Spark warehouse (pipelines/spark_warehouse.py), for the seeds
    and the snapshot. A ``runs.ScoreOutcome``; score_date None when no lead is open."""
    from pyspark.sql import functions as F

    from models_ml import runs

    model, metadata = registry.load(version)
    phrases = con.execute(f"SELECT * FROM {runs.REASON_PHRASES}").df()
    tiers = con.execute(f"SELECT * FROM {runs.SCORE_TIERS}").df()
    day = spark.sql(feature_rows_sql("scoring", ordered=False)).select(
        F.to_date(F.max("as_of_at"))).first()[0]
    if day is None:
        ensure_table(spark)
        return runs.ScoreOutcome(version, None, pd.DataFrame(columns=SCORE_COLUMNS),
                                 runs.drift_of(metadata, pd.DataFrame(), []))
    write_scores(spark, score_open_leads(spark, model, phrases, tiers, version, scored_at))
    scores = spark.table(SCORE_TABLE).where(F.col("score_date") == F.lit(day)) \
        .select(*SCORE_COLUMNS).toPandas()
    frame = runs.load_features(con, "scoring")
    return runs.ScoreOutcome(version, day, scores,
                             runs.drift_of(metadata, frame, scores["probability"].to_numpy()))
