"""models_ml.leakage on small synthetic columns: what counts as an identifier and as a
suspected leak, and what does not."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models_ml.leakage import find_identifiers, find_leaks


def test_identifiers_are_keys_and_sequences_not_measurements():
    rng = np.random.default_rng(0)
    n = 500
    table = pd.DataFrame({
        "customer_number": rng.permutation(n) + 10_000,  # unique whole numbers
        "amount": rng.gamma(2.0, 100.0, n),  # unique floats: a measurement
        "sequence": np.sort(rng.uniform(0, 1e6, n)),  # monotonic through the file
        "country": rng.choice(["DE", "FR", "US"], n),
        "email": [f"lead{i}@example.com" for i in range(n)],
        "visits": np.arange(n) % 7,  # whole numbers, repeated
    })
    found = {f.column: f.reason for f in find_identifiers(table, exclude=["email"])}
    assert found == {"customer_number": "unique per row",
                     "sequence": "monotonic through the file, a value per row"}


def test_a_strong_honest_column_is_not_a_leak():
    rng = np.random.default_rng(1)
    n = 3000
    signal = rng.normal(size=n)
    y = (signal + rng.normal(scale=0.8, size=n) > 1.0).astype(np.int8)
    # an honest, fully known column (AUC about 0.85) and one missing at random
    sparse = np.where(rng.random(n) < 0.5, signal, np.nan)
    table = pd.DataFrame({"engagement": signal, "sparse_engagement": sparse})
    assert find_leaks(table, y, ["engagement", "sparse_engagement"]) == []
    # the same column filled mostly once the lead converted is one
    after = np.where(rng.random(n) < np.where(y == 1, 0.9, 0.2),
                     np.where(y == 1, "won", signal.round(1).astype(str)), None)
    table["after"] = after
    assert [f.column for f in find_leaks(table, y, ["engagement", "after"])] == ["after"]
