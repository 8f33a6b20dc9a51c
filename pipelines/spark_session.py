"""The local Spark session of the `spark` engine (docs/scale-out.md), configured as the dbt
`spark` target in dbt_project/profiles.yml configures it: dbt-spark's `session` method then
finds this session already running in the process (SparkSession.builder.getOrCreate) and
builds in it, so the Python steps (raw tables, scoring) and dbt share one Spark.

Only imported where the `spark` dependency group is installed."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def spark_dir() -> Path:
    """Where the Spark engine keeps its warehouse, raw Parquet and catalog."""
    from pipelines.project import LeadflowPaths

    default = LeadflowPaths.from_env().data / "spark"
    return Path(os.environ.get("LEADFLOW_SPARK_DIR", default)).resolve()


def spark_conf(where: Path) -> dict[str, str]:
    """The session's settings: the `server_side_parameters` of profiles.yml's spark output,
    rendered with this environment (``env_var`` as dbt renders it, LEADFLOW_SPARK_DIR set
    to ``where``), and the ANSI setting dbt-spark adds to them. One definition for both."""
    import jinja2
    import yaml

    from pipelines.project import DBT_PROJECT_DIR

    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text())
    parameters = profile["leadflow"]["outputs"]["spark"]["server_side_parameters"]
    env = {**os.environ, "LEADFLOW_SPARK_DIR": str(where)}

    def env_var(name: str, default: str | None = None) -> str:
        if name not in env and default is None:
            raise KeyError(f"profiles.yml reads {name}, which is not set")
        return env.get(name, default)

    conf = {key: jinja2.Template(str(value)).render(env_var=env_var)
            for key, value in parameters.items()}
    conf["spark.sql.ansi.enabled"] = "false"  # dbt-spark sets it on every session it opens
    return conf


def spark_session(where: Path | None = None):
    """The process's Spark session with Hive catalog support, started if none runs."""
    from pyspark.sql import SparkSession

    where = where or spark_dir()
    os.environ["LEADFLOW_SPARK_DIR"] = str(where)
    # Spark's Python workers (mapInPandas) run this interpreter, not the first python3
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    # derby.log lands in the working directory unless told otherwise
    os.environ.setdefault("SPARK_SUBMIT_OPTS", f"-Dderby.stream.error.file={where}/derby.log")
    builder = SparkSession.builder.appName("leadflow").enableHiveSupport()
    for key, value in spark_conf(where).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
