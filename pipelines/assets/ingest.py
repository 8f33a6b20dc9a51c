"""One ingestion asset per inbox source, keyed like the dbt source table it feeds
(``raw/<table>``), so dbt models join the lineage by themselves."""


import dagster as dg

from pipelines.ingest import ingest_source
from pipelines.resources import InboxResource, WarehouseResource
from pipelines.sources import SOURCES, Source

GROUP = "ingest"
# runs that write the warehouse carry this tag; dagster.yaml lets one of them run at a time
WRITER_TAG = {"leadflow/warehouse": "write"}


def asset_key(src: Source) -> dg.AssetKey:
    return dg.AssetKey(["raw", src.table])


def build_ingest_asset(src: Source) -> dg.AssetsDefinition:
    @dg.asset(
        key=asset_key(src),
        group_name=GROUP,
        kinds={"duckdb"},
        description=f"raw.{src.table}: {src.description}, loaded from inbox/{src.name}/ "
        "(CSV, JSON Lines or Parquet, gzip or not); rejected rows go to raw._quarantine.",
        metadata={"inbox_folder": src.name, "required_columns": list(src.required)},
    )
    def _ingest(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, inbox: InboxResource
    ) -> dg.MaterializeResult:
        with warehouse.connect() as con:
            result = ingest_source(
                con, src, inbox.folder,
                on_file=lambda f: context.log.info(
                    f"{f.path}: {f.status}, {f.rows_loaded} loaded, "
                    f"{f.rows_quarantined} quarantined" + (f" ({f.reason})" if f.reason else "")
                ),
            )
            total, quarantined = con.execute(
                f"SELECT (SELECT count(*) FROM raw.{src.table}), "
                "(SELECT count(*) FROM raw._quarantine WHERE source = ?)",
                [src.name],
            ).fetchone()
        return dg.MaterializeResult(
            metadata={
                "new_files": len(result.files),
                "files_quarantined": result.files_quarantined,
                "rows_loaded": result.rows_loaded,
                "rows_quarantined": result.rows_quarantined,
                "table_rows": dg.MetadataValue.int(total),
                "quarantine_rows_total": dg.MetadataValue.int(quarantined),
            }
        )

    return _ingest


INGEST_ASSETS = [build_ingest_asset(s) for s in SOURCES.values()]
