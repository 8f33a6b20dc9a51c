"""How good a score is: ranking, calibration, top-decile precision and lift, a calibration
table by score band and conversion by tier. The same figures serve the model, the
rule-based baseline and, on generated data, the hidden truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

HEADLINE = ("rows", "positives", "base_rate", "roc_auc", "pr_auc", "brier",
            "top_decile_precision", "top_decile_lift")


def metrics(y: np.ndarray, probability: np.ndarray, score: np.ndarray | None = None) -> dict:
    """Headline figures of a probability. ``score`` ranks (defaults to the probability;
    pass the raw margin to break the ties of a step-wise calibration)."""
    y = np.asarray(y, dtype=np.int8)
    probability = np.asarray(probability, dtype=np.float64)
    rank_by = probability if score is None else np.asarray(score, dtype=np.float64)
    base = float(y.mean()) if len(y) else float("nan")
    top = top_decile(rank_by, len(y))
    precision = float(y[top].mean()) if top.any() else float("nan")
    two_classes = len(np.unique(y)) == 2
    return {
        "rows": int(len(y)),
        "positives": int(y.sum()),
        "base_rate": base,
        "roc_auc": float(roc_auc_score(y, rank_by)) if two_classes else float("nan"),
        "pr_auc": float(average_precision_score(y, rank_by)) if two_classes else float("nan"),
        "brier": float(brier_score_loss(y, probability)) if len(y) else float("nan"),
        "top_decile_precision": precision,
        "top_decile_lift": precision / base if base else float("nan"),
    }


def top_decile(score: np.ndarray, n: int) -> np.ndarray:
    """Mask of the tenth of rows with the highest score (stable order on ties)."""
    mask = np.zeros(n, dtype=bool)
    k = max(1, int(round(n / 10))) if n else 0
    mask[np.argsort(-score, kind="stable")[:k]] = True
    return mask


def calibration_table(y: np.ndarray, probability: np.ndarray, bands: int = 10) -> pd.DataFrame:
    """Per band of predicted probability (equal-count bands, lowest first): rows, mean
    predicted probability and observed conversion rate."""
    frame = pd.DataFrame({"y": np.asarray(y, dtype=float), "p": probability})
    ranks = frame["p"].rank(method="first")
    frame["band"] = pd.qcut(ranks, q=min(bands, len(frame)), labels=False) + 1
    table = frame.groupby("band").agg(rows=("y", "size"), predicted=("p", "mean"),
                                      observed=("y", "mean"))
    return table.reset_index()


def by_tier(y: np.ndarray, tiers: np.ndarray) -> pd.DataFrame:
    """Rows, conversions and conversion rate per tier, A first."""
    frame = pd.DataFrame({"tier": tiers, "y": np.asarray(y, dtype=float)})
    table = frame.groupby("tier").agg(rows=("y", "size"), conversions=("y", "sum"),
                                      conversion_rate=("y", "mean"))
    table["conversions"] = table["conversions"].astype(np.int64)
    return table.reset_index().sort_values("tier").reset_index(drop=True)


def quartile_tiers(score: np.ndarray) -> np.ndarray:
    """Four equal tiers A (top quarter) to D of any score."""
    order = pd.Series(score).rank(method="first", ascending=False).to_numpy()
    quarter = np.ceil(4 * order / max(len(order), 1)).astype(int).clip(1, 4)
    return np.array(["A", "B", "C", "D"])[quarter - 1]


def baseline_probability(score_cal: np.ndarray, y_cal: np.ndarray, score: np.ndarray) -> np.ndarray:
    """The rule score turned into a probability the fair way: an isotonic map fitted on the
    calibration rows, the same rows that calibrate the model."""
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
    return iso.fit(score_cal, y_cal).predict(score)


def truth_share(model_auc: float, truth_auc: float) -> float:
    """The model's ROC AUC as a share of the hidden truth's (both above chance: 0.5)."""
    return model_auc / truth_auc if truth_auc else float("nan")
