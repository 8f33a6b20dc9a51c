"""File ingestion: inbox files of every supported format into ``raw.<source>``."""

from pipelines.ingest.catalog import ensure_raw_schema
from pipelines.ingest.loader import FileResult, SourceResult, ingest_file, ingest_source

__all__ = ["FileResult", "SourceResult", "ensure_raw_schema", "ingest_file", "ingest_source"]
