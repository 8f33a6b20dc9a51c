"""A file's content fingerprint: what its rows say, whatever its bytes.

The same rows written again with CRLF line ends, gzip-compressed, or with the columns in
another order give another sha256 but the same fingerprint, so the loader takes them for
what they are, a copy of a file already loaded (``raw._files.content_fingerprint``). The
fingerprint covers the column names, every parsed row with its position in the file, and
the number of rows the parser rejected. It uses DuckDB's 64-bit ``hash``, whose values
may change with DuckDB's version: after an upgrade, a copy is then caught by its sha256
only (as before fingerprints existed).
"""

from __future__ import annotations

import hashlib
import json

import duckdb

from pipelines.ingest.catalog import quote_ident
from pipelines.ingest.readers import Staged


def content_fingerprint(con: duckdb.DuckDBPyConnection, staged: Staged) -> str:
    names = sorted(c.name for c in staged.columns)
    values = ", ".join(quote_ident(n) for n in names)
    rows, total = con.execute(
        f"SELECT count(*), sum(hash(_row, {values})::HUGEINT) FROM {staged.rows}"
    ).fetchone()
    rejected = con.execute(f"SELECT count(*) FROM {staged.malformed}").fetchone()[0]
    text = json.dumps([names, rows, str(total), rejected])
    return hashlib.sha256(text.encode()).hexdigest()
