"""Shared building blocks of the generator.

Seeded random streams (one independent stream per purpose and chunk, so that the output
depends only on the inputs), the time window, vectorised group helpers and small Arrow
constructors (dictionary-encoded strings, UUID arrays, timestamps).

Times are int64 microseconds since the Unix epoch, UTC, everywhere inside the generator.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pyarrow as pa

SECOND = 1_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR


@dataclass(frozen=True)
class Window:
    """The generated period: ``days`` whole UTC days ending with ``end_date``."""

    end_date: date
    days: int

    @property
    def start_us(self) -> int:
        return self.end_us - self.days * DAY

    @property
    def end_us(self) -> int:
        """Exclusive end: midnight UTC after ``end_date``."""
        end = datetime.combine(self.end_date + timedelta(days=1), datetime.min.time())
        return int(end.replace(tzinfo=UTC).timestamp()) * SECOND

    def day_start_us(self, day_index: np.ndarray) -> np.ndarray:
        return self.start_us + day_index.astype(np.int64) * DAY

    def day_date(self, day_index: int) -> date:
        return self.end_date - timedelta(days=self.days - 1 - day_index)


def rng_for(seed: int, stream: str, *keys: int) -> np.random.Generator:
    """An independent random stream for ``stream`` (and e.g. a chunk number)."""
    return np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(stream.encode()), *keys]))


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def offsets_of(counts: np.ndarray) -> np.ndarray:
    """Start offset of each group in the flattened (repeated) array."""
    out = np.zeros(len(counts), dtype=np.int64)
    if len(counts) > 1:
        np.cumsum(counts[:-1], out=out[1:])
    return out


def index_within(counts: np.ndarray) -> np.ndarray:
    """0..count-1 for each group, flattened in group order."""
    total = int(counts.sum())
    return np.arange(total, dtype=np.int64) - np.repeat(offsets_of(counts), counts)


def group_cumsum(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Cumulative sum restarting at every group (groups are contiguous)."""
    cs = np.cumsum(values)
    starts = offsets_of(counts)
    before = np.where(starts > 0, cs[np.maximum(starts - 1, 0)], 0)
    return cs - np.repeat(before, counts)


def choice_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of a (n, k) probability matrix."""
    cum = np.cumsum(probs, axis=1)
    cum /= cum[:, -1:]
    u = rng.random(len(probs))[:, None]
    return np.minimum((u > cum).sum(axis=1), probs.shape[1] - 1)


def choice(rng: np.random.Generator, n: int, weights) -> np.ndarray:
    w = np.asarray(weights, dtype=np.float64)
    return rng.choice(len(w), size=n, p=w / w.sum())


def dict_array(codes: np.ndarray, values, null_below_zero: bool = True) -> pa.DictionaryArray:
    """Dictionary-encoded strings: ``values[codes]``, null where ``codes < 0``."""
    dictionary = values if isinstance(values, pa.Array) else pa.array(list(values), pa.string())
    codes = np.asarray(codes)
    itype = np.int16 if len(dictionary) < 32_000 else np.int32
    c = codes.astype(itype, copy=False)
    indices = pa.array(c, mask=(c < 0)) if null_below_zero and (c < 0).any() else pa.array(c)
    return pa.DictionaryArray.from_arrays(indices, dictionary)


def random_uuid_bytes(rng: np.random.Generator, n: int) -> np.ndarray:
    """(n, 16) uint8 random version-4 UUIDs."""
    b = rng.integers(0, 2**63, size=(n, 2), dtype=np.int64).view(np.uint8).reshape(n, 16).copy()
    b[:, 6] = (b[:, 6] & 0x0F) | 0x40
    b[:, 8] = (b[:, 8] & 0x3F) | 0x80
    return b


def uuid_array(raw: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Arrow UUID array from (n, 16) bytes; DuckDB reads it as UUID (8-4-4-4-12 text)."""
    n = len(raw)
    data = pa.py_buffer(np.ascontiguousarray(raw, dtype=np.uint8).tobytes())
    validity = None
    if valid is not None and not valid.all():
        validity = pa.array(valid, pa.bool_()).buffers()[1]
        if pa.array(valid, pa.bool_()).offset:
            raise ValueError("unexpected offset")
    storage = pa.FixedSizeBinaryArray.from_buffers(pa.binary(16), n, [validity, data])
    return pa.ExtensionArray.from_storage(pa.uuid(), storage)


def ts_array(us: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(us, dtype=np.int64), pa.timestamp("us"))


def month_of(us: np.ndarray) -> np.ndarray:
    """Calendar month (1..12) of UTC microsecond timestamps."""
    months = np.asarray(us, dtype="datetime64[us]").astype("datetime64[M]").astype(np.int64)
    return (months % 12) + 1


def sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
