"""The fitted lead model: preprocessing, a classifier and its probability calibration.

``LeadModel`` keeps the three apart so that scoring transforms the features once and both
the probability and the explanation (explain.py) work on the same transformed matrix:

    features --preprocessor--> matrix --classifier--> margin (log-odds) --calibrator--> probability
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

from models_ml.features import FeatureSpec, prepare

TIERS = ("A", "B", "C", "D")


@dataclass
class LeadModel:
    """A calibrated binary classifier over the columns of ``spec``."""

    kind: str  # logistic_regression | gradient_boosting
    spec: FeatureSpec
    preprocessor: ColumnTransformer
    classifier: object
    calibrator: IsotonicRegression | LogisticRegression | None = None
    # margin cut-offs of tiers A, B, C: quartiles of the validation rows' margins. Tiers
    # follow the margin, not the calibrated probability: isotonic calibration maps whole
    # ranges of margins to one step, and quartiles of a stepped, mostly-zero probability
    # collapse (every lead in one tier); the margin orders leads the same way, without ties
    tier_cutoffs: tuple[float, float, float] = (np.inf, np.inf, np.inf)
    # the 98 margins that cut the validation rows into 99 equal shares: the 1-99 score's
    # fixed scale (models_ml/score.py); None in models saved before it existed
    score_breakpoints: tuple[float, ...] | None = None
    # per transformed column: the original feature it comes from
    column_features: list[str] = field(default_factory=list)
    # the transformed reference row (a typical lead) explanations compare against
    reference: np.ndarray | None = None

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        matrix = self.preprocessor.transform(prepare(frame, self.spec))
        return np.asarray(matrix, dtype=np.float64)

    def margin(self, matrix: np.ndarray) -> np.ndarray:
        """The classifier's log-odds (before calibration)."""
        return np.asarray(self.classifier.decision_function(matrix), dtype=np.float64)

    def calibrate(self, margin: np.ndarray) -> np.ndarray:
        if self.calibrator is None:
            return 1.0 / (1.0 + np.exp(-margin))
        if isinstance(self.calibrator, IsotonicRegression):
            return np.clip(self.calibrator.predict(margin), 0.0, 1.0)
        return self.calibrator.predict_proba(margin.reshape(-1, 1))[:, 1]

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        """P(positive) for every row of ``frame``."""
        return self.calibrate(self.margin(self.transform(frame)))

    def tiers(self, margin: np.ndarray) -> np.ndarray:
        """Tier A (best quarter of the validation leads) to D, by the margin cut-offs fixed
        at training."""
        a, b, c = self.tier_cutoffs
        return np.select([margin >= a, margin >= b, margin >= c], ["A", "B", "C"],
                         default="D")


def fit_calibrator(margin: np.ndarray, y: np.ndarray, method: str):
    """Map margins to probabilities: isotonic (monotone steps) or sigmoid (Platt)."""
    if method == "isotonic":
        return IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(margin, y)
    if method == "sigmoid":
        return LogisticRegression(C=1e6).fit(margin.reshape(-1, 1), y)
    raise ValueError(f"unknown calibration method {method!r} (isotonic or sigmoid)")


def column_features(preprocessor: ColumnTransformer, spec: FeatureSpec) -> list[str]:
    """The original feature of each transformed column (one-hot columns and missing-value
    indicators included), from the transformer's output names."""
    names = preprocessor.get_feature_names_out()
    by_length = sorted(spec.columns, key=len, reverse=True)
    out = []
    for name in names:
        bare = name.split("__", 1)[-1].removeprefix("missingindicator_")
        match = next((f for f in by_length if bare == f or bare.startswith(f + "_")), None)
        if match is None:
            raise ValueError(f"cannot tell which feature column {name!r} comes from")
        out.append(match)
    return out
