"""Great Expectations suites on the raw tables, run as Dagster asset checks beside the
ingestion assets they guard (the marts' suites are in pipelines/assets/dbt_checks.py).

Each suite follows from the inbox contract (pipelines/sources.py): required columns are
never null, e-mails look like e-mails, timestamps sit in a sane window. They hold by
construction of the loader, so a failure means the contract broke (a loader bug or a
hand-edited table) and is blocking: dbt models downstream do not run on poisoned input.
A second, non-blocking check warns when a run quarantined an unusual share of rows.
"""

import logging
import os

import dagster as dg

from pipelines.assets.ingest import asset_key
from pipelines.ingest.validate import EMAIL_PATTERN
from pipelines.resources import WarehouseResource
from pipelines.sources import SOURCES, Source

SAMPLE_ROWS = 200_000  # a reservoir sample bounds the cost at any table size
QUARANTINE_WARN_SHARE = 0.05


def expectations(src: Source) -> list:
    """The GX expectations of one raw table, derived from its contract."""
    import great_expectations as gx

    out = []
    for column in src.columns:
        if column.required:
            out.append(gx.expectations.ExpectColumnValuesToNotBeNull(column=column.name))
        if column.kind == "email":
            out.append(gx.expectations.ExpectColumnValuesToMatchRegex(
                column=column.name, regex=EMAIL_PATTERN))
        if column.kind == "enum":
            out.append(gx.expectations.ExpectColumnValuesToBeInSet(
                column=column.name, value_set=list(column.values)))
        if column.kind == "money":
            out.append(gx.expectations.ExpectColumnValuesToBeBetween(
                column=column.name, min_value=0))
    return out


def validate_frame(name: str, frame, suite_expectations: list, suite_name: str | None = None):
    """Run a suite over a pandas frame in an ephemeral GX context (no files, no network)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx

    # GX sets this logger to INFO at import and announces a temp docs folder per context
    logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.WARNING)
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch = (
        context.data_sources.add_pandas("leadflow")
        .add_dataframe_asset(name=name)
        .add_batch_definition_whole_dataframe("sample")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    suite = gx.ExpectationSuite(name=suite_name or f"raw_{name}")
    for expectation in suite_expectations:
        suite.add_expectation(expectation)
    return batch.validate(suite)


def build_contract_check(src: Source) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=asset_key(src),
        name="gx_contract",
        blocking=True,
        description=f"Great Expectations: raw.{src.table} keeps the inbox contract "
        "(required values present, e-mails valid, enums in their domain).",
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        columns = ", ".join(f'"{c.name}"' for c in src.columns)
        with warehouse.connect(read_only=True) as con:
            frame = con.execute(
                f"SELECT {columns} FROM raw.{src.table} "
                f"USING SAMPLE {SAMPLE_ROWS} ROWS (reservoir, 42)"
            ).df()
        result = validate_frame(src.table, frame, expectations(src))
        failed = {
            f"{r.expectation_config.type}({r.expectation_config.kwargs.get('column')})":
                r.result.get("unexpected_count", 0)
            for r in result.results if not r.success
        }
        return dg.AssetCheckResult(
            passed=bool(result.success),
            metadata={"rows_checked": len(frame), "expectations": len(result.results),
                      "failed": dg.MetadataValue.json(failed)},
        )

    return _check


def build_quarantine_check(src: Source) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=asset_key(src),
        name="quarantine_share",
        description=f"Warns when more than {QUARANTINE_WARN_SHARE:.0%} of the rows read "
        f"from the {src.name} files of the latest load went to quarantine.",
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect(read_only=True) as con:
            read, quarantined = con.execute(
                "SELECT coalesce(sum(rows_read), 0), coalesce(sum(rows_quarantined), 0) "
                "FROM raw._files WHERE source = ? AND loaded_at >= "
                "(SELECT max(loaded_at) - INTERVAL 1 HOUR FROM raw._files WHERE source = ?)",
                [src.name, src.name],
            ).fetchone()
        share = quarantined / read if read else 0.0
        return dg.AssetCheckResult(
            passed=share <= QUARANTINE_WARN_SHARE,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"rows_read": int(read), "rows_quarantined": int(quarantined),
                      "share": float(round(share, 4))},
        )

    return _check


RAW_CHECKS = [
    check for src in SOURCES.values()
    for check in (build_contract_check(src), build_quarantine_check(src))
]
