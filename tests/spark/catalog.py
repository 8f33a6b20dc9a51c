"""The suite's Spark catalog between modules."""


def empty_catalog(spark) -> None:
    """Drop every database but ``default``: a module starts from an empty warehouse, whatever
    the worker's earlier modules built in its session."""
    for (database,) in spark.sql("show databases").collect():
        if database != "default":
            spark.sql(f"drop database `{database}` cascade")
