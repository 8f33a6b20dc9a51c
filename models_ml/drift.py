"""Drift: the population stability index (PSI) of today's scored leads against the data the
model was validated on, for the probability and for every feature.

    PSI = sum over bins of (actual - expected) * ln(actual / expected)

Numbers are binned at the deciles of the reference data, categories by value (the 20 most
common, the rest together). Rule of thumb: below 0.1 stable, 0.1-0.25 moderate, above 0.25
a shift worth a look; ``THRESHOLD`` flags the latter.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

THRESHOLD = 0.25
EPSILON = 1e-4
OTHER = "(other)"
MISSING = "(missing)"


def profile(values: pd.Series, bins: int = 10) -> dict:
    """The reference distribution of one column, to store with the model."""
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        numbers = pd.to_numeric(values, errors="coerce").astype("float64")
        present = numbers.dropna().to_numpy()
        edges = np.unique(np.quantile(present, np.linspace(0, 1, bins + 1)[1:-1])) \
            if len(present) else np.array([])
        return {"kind": "numeric", "edges": edges.tolist(),
                "expected": _numeric_shares(numbers, edges).tolist()}
    text = values.astype("string").fillna(MISSING)
    top = text.value_counts().index[:20].tolist()
    shares = text.where(text.isin(top), OTHER).value_counts(normalize=True)
    return {"kind": "categorical", "categories": list(shares.index),
            "expected": shares.to_numpy().tolist()}


def _numeric_shares(numbers: pd.Series, edges: np.ndarray) -> np.ndarray:
    """Shares per bin (values <= each edge, then above the last), missing values last."""
    values = numbers.to_numpy(dtype=np.float64)
    missing = np.isnan(values)
    counts = np.bincount(np.searchsorted(edges, values[~missing], side="left"),
                         minlength=len(edges) + 1).astype(np.float64)
    counts = np.append(counts, missing.sum())
    return counts / max(len(values), 1)


def psi(reference: dict, values: pd.Series) -> float:
    """PSI of ``values`` against a stored ``profile``."""
    expected = np.asarray(reference["expected"], dtype=np.float64)
    if reference["kind"] == "numeric":
        numbers = pd.to_numeric(values, errors="coerce").astype("float64")
        actual = _numeric_shares(numbers, np.asarray(reference["edges"], dtype=np.float64))
    else:
        known = reference["categories"]
        text = values.astype("string").fillna(MISSING)
        text = text.where(text.isin(known), OTHER)
        shares = text.value_counts(normalize=True)
        actual = np.array([shares.get(c, 0.0) for c in known])
        if OTHER not in known and shares.get(OTHER, 0.0) > 0:  # unseen values
            expected, actual = np.append(expected, 0.0), np.append(actual, shares[OTHER])
    expected, actual = np.maximum(expected, EPSILON), np.maximum(actual, EPSILON)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def profiles(frame: pd.DataFrame, columns: list[str], probability: np.ndarray) -> dict:
    """Reference profiles of the probability (key ``probability``) and of ``columns``."""
    out = {"probability": profile(pd.Series(probability))}
    out.update({name: profile(frame[name]) for name in columns})
    return out


def drift_table(reference: dict, frame: pd.DataFrame, probability: np.ndarray,
                threshold: float = THRESHOLD) -> pd.DataFrame:
    """One row per profiled column present today: PSI and whether it passes ``threshold``;
    the probability first, then the largest shifts."""
    rows = [("probability", psi(reference["probability"], pd.Series(probability)))]
    rows += [(name, psi(ref, frame[name])) for name, ref in reference.items()
             if name != "probability" and name in frame.columns]
    table = pd.DataFrame(rows, columns=["column", "psi"])
    table["is_drifted"] = table["psi"] > threshold
    head, rest = table.iloc[:1], table.iloc[1:].sort_values("psi", ascending=False)
    return pd.concat([head, rest], ignore_index=True)
