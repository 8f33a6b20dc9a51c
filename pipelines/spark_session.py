"""The local Spark session of the `spark` engine (docs/scale-out.md), configured as the dbt
`spark` target in dbt_project/profiles.yml configures it: dbt-spark's `session` method then
finds this session already running in the process (SparkSession.builder.getOrCreate) and
builds in it, so the Python steps (raw tables, scoring) and dbt share one Spark.

Only imported where the `spark` dependency group is installed."""

from __future__ import annotations

import os
from pathlib import Path


def spark_dir() -> Path:
    """Where the Spark engine keeps its warehouse, raw Parquet and catalog."""
    from pipelines.project import LeadflowPaths

    default = LeadflowPaths.from_env().data / "spark"
    return Path(os.environ.get("LEADFLOW_SPARK_DIR", default)).resolve()


def spark_conf(where: Path) -> dict[str, str]:
    """The session's settings: profiles.yml's `server_side_parameters` of the spark target
    (and dbt-spark's own ANSI setting), with the same environment variables."""
    return {
        "spark.master": os.environ.get("LEADFLOW_SPARK_MASTER", "local[2]"),
        "spark.sql.warehouse.dir": f"{where}/warehouse",
        "spark.hadoop.javax.jdo.option.ConnectionURL":
            f"jdbc:derby:;databaseName={where}/metastore_db;create=true",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": os.environ.get("LEADFLOW_SPARK_SHUFFLE_PARTITIONS", "4"),
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.memory": os.environ.get("LEADFLOW_SPARK_DRIVER_MEMORY", "2g"),
        "spark.sql.ansi.enabled": "false",
    }


def spark_session(where: Path | None = None):
    """The process's Spark session with Hive catalog support, started if none runs."""
    from pyspark.sql import SparkSession

    where = where or spark_dir()
    os.environ["LEADFLOW_SPARK_DIR"] = str(where)
    # derby.log lands in the working directory unless told otherwise
    os.environ.setdefault("SPARK_SUBMIT_OPTS", f"-Dderby.stream.error.file={where}/derby.log")
    builder = SparkSession.builder.appName("leadflow").enableHiveSupport()
    for key, value in spark_conf(where).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
