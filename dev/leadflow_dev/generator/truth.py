"""The hidden truth (``truth.parquet``, outside the inbox): one row per person with the
canonical e-mail, the true probability of becoming a customer within 90 days of lead
creation (the propensity, as sales answers on average), the drawn outcome (after the
sales response: the one-hour effect), what the response did to the propensity
(``response_factor``, NULL for a lead never handed to sales), and the latents behind it.
The pipeline never reads it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from .core import DAY, ts_array
from .crm import NEVER
from .people import Population
from .writer import Writer

SELECT_SQL = """SELECT email, prob AS true_probability, converted, response_factor, fit, engagement,
    timezone('UTC', created) AS created_at, timezone('UTC', won) AS won_at,
    channel, nullif(campaign, '') AS campaign, is_outcome_mature
    FROM {src}"""


def write_truth(pop: Population, won_us: np.ndarray, converted: np.ndarray,
                response_factor: np.ndarray, path: Path, writer: Writer) -> None:
    channels = np.array([c.channel for c in pop.campaigns])
    names = np.array([c.name for c in pop.campaigns])
    table = pa.table(
        {
            "email": pop.email,
            "prob": pop.prob.astype(np.float64),
            "converted": converted,
            "response_factor": pa.array(response_factor, mask=np.isnan(response_factor)),
            "fit": pop.fit.astype(np.float64),
            "engagement": pop.engagement.astype(np.float64),
            "created": ts_array(pop.created_us),
            "won": pa.array(won_us, pa.int64(), mask=won_us == NEVER).cast(pa.timestamp("us")),
            "channel": pa.array(channels[pop.campaign]),
            "campaign": pa.array(names[pop.campaign]),
            "is_outcome_mature": pop.created_us + 90 * DAY <= pop.window.end_us,
        }
    )
    writer.submit(path, table, SELECT_SQL, "parquet")
