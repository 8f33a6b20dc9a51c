"""Judge the approach on any labelled lead table (``leadflow model evaluate --csv``): the
same preprocessing, model families, winner choice and calibration as the warehouse model,
under stratified k-fold cross-validation, scored on the out-of-fold predictions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.preprocessing import OrdinalEncoder
from threadpoolctl import threadpool_limits

from models_ml.evaluate import (
    baseline_probability,
    by_tier,
    calibration_table,
    metrics,
    quartile_tiers,
)
from models_ml.features import FeatureError, FeatureSpec, binary_target, detect_spec, prepare
from models_ml.model import fit_calibrator
from models_ml.train import TrainConfig, fit_candidate

MIN_PER_CLASS = 10


@dataclass
class CrossValidation:
    spec: FeatureSpec
    folds: int
    fold_auc: list[float]
    winners: list[str]
    evaluation: dict
    # ROC AUC per fold of a default HistGradientBoostingClassifier on the same folds (empty
    # unless asked for: cross_validate(..., plain_baseline=True))
    plain_fold_auc: list[float] = field(default_factory=list)


def prepare_table(table: pd.DataFrame, target: str, drop: list[str], baseline: str | None,
                  positive: str | None = None) -> tuple[pd.DataFrame, np.ndarray, FeatureSpec]:
    """Rows with a target value, their 0/1 label and the detected feature columns."""
    for name in [target, *drop, *([baseline] if baseline else [])]:
        if name not in table.columns:
            raise FeatureError(f"no column {name!r} (columns: {', '.join(table.columns[:30])})")
    table = table[table[target].notna()].reset_index(drop=True)
    y = binary_target(table[target], positive)
    counts = np.bincount(y, minlength=2)
    if counts.min() < MIN_PER_CLASS:
        raise FeatureError(f"need at least {MIN_PER_CLASS} rows of each class, found "
                           f"{counts[0]} negative and {counts[1]} positive")
    spec = detect_spec(table, [target, *drop, *([baseline] if baseline else [])])
    return table, y, spec


def plain_baseline_margin(train: pd.DataFrame, y: np.ndarray, test: pd.DataFrame,
                          spec: FeatureSpec, seed: int) -> np.ndarray:
    """The yardstick of docs/model.md: scikit-learn's HistGradientBoostingClassifier with its
    default settings (random_state fixed) fitted on ``train``, its log-odds on ``test``.
    Categories are coded as integers and declared categorical, as the default
    ``categorical_features="from_dtype"`` does for a pandas category column (at most 255
    values each, the rarer ones pooled)."""
    fit, score = prepare(train, spec), prepare(test, spec)
    numeric = list(spec.numeric)
    matrix, test_matrix = fit[numeric].to_numpy(np.float64), score[numeric].to_numpy(np.float64)
    if spec.categorical:
        names = list(spec.categorical)
        encoder = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan,
                                 encoded_missing_value=np.nan, max_categories=255)
        matrix = np.hstack([matrix, encoder.fit_transform(fit[names])])
        test_matrix = np.hstack([test_matrix, encoder.transform(score[names])])
    flags = [False] * len(spec.numeric) + [True] * len(spec.categorical)
    plain = HistGradientBoostingClassifier(categorical_features=flags, random_state=seed)
    return plain.fit(matrix, y).decision_function(test_matrix)


def cross_validate(table: pd.DataFrame, y: np.ndarray, spec: FeatureSpec, cfg: TrainConfig,
                   folds: int = 5, baseline: str | None = None,
                   plain_baseline: bool = False,
                   progress: Callable[[int, int, float | None], None] | None = None
                   ) -> CrossValidation:
    """Out-of-fold calibrated probabilities: in each fold the training part is split again
    (stratified, 80/20) to pick the winning family and fit its calibrator on the 20%, then
    the winner is refitted on the whole training part and keeps that calibrator (as
    scikit-learn's ``CalibratedClassifierCV(ensemble=False)`` does), so it learns from as
    many rows as the plain baseline. With ``plain_baseline`` a default
    HistGradientBoostingClassifier is fitted on each fold's whole training part too and
    scored on the same held-out rows. ``progress(done, folds, last fold's ROC AUC)`` is
    called before the first fold and after each."""
    folds = min(folds, int(np.bincount(y).min()))
    if folds < 2:
        raise FeatureError("too few rows of the rarer class for cross-validation")
    probability = np.zeros(len(y))
    margin = np.zeros(len(y))
    rule_probability = np.zeros(len(y))
    fold_auc, winners, plain_auc = [], [], []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=cfg.seed)
    if progress:
        progress(0, folds, None)
    with threadpool_limits(limits=cfg.threads):
        for fit_idx, test_idx in splitter.split(np.zeros(len(y)), y):
            learn, hold = train_test_split(fit_idx, test_size=0.2, stratify=y[fit_idx],
                                           random_state=cfg.seed)
            candidates = {kind: fit_candidate(kind, table.iloc[learn], y[learn], spec, cfg)
                          for kind in cfg.kinds}
            hold_margin = {kind: m.margin(m.transform(table.iloc[hold]))
                           for kind, m in candidates.items()}
            kind = max(hold_margin, key=lambda k: roc_auc_score(y[hold], hold_margin[k]))
            model = candidates[kind]
            calibrator = fit_calibrator(hold_margin[kind], y[hold], cfg.calibration)
            model = fit_candidate(kind, table.iloc[fit_idx], y[fit_idx], spec, cfg)
            model.calibrator = calibrator
            test_margin = model.margin(model.transform(table.iloc[test_idx]))
            margin[test_idx] = test_margin
            probability[test_idx] = model.calibrate(test_margin)
            fold_auc.append(float(roc_auc_score(y[test_idx], test_margin)))
            winners.append(kind)
            if plain_baseline:
                plain = plain_baseline_margin(table.iloc[fit_idx], y[fit_idx],
                                              table.iloc[test_idx], spec, cfg.seed)
                plain_auc.append(float(roc_auc_score(y[test_idx], plain)))
            if progress:
                progress(len(fold_auc), folds, fold_auc[-1])
            if baseline:
                score = pd.to_numeric(table[baseline], errors="coerce").fillna(0).to_numpy()
                rule_probability[test_idx] = baseline_probability(score[fit_idx], y[fit_idx],
                                                                  score[test_idx])
    evaluation = {
        "model": metrics(y, probability, margin),
        "calibration": calibration_table(y, probability).to_dict("records"),
        "tiers": by_tier(y, quartile_tiers(margin)).to_dict("records"),
    }
    if baseline:
        score = pd.to_numeric(table[baseline], errors="coerce").fillna(0).to_numpy()
        evaluation["rule"] = metrics(y, rule_probability, score)
        evaluation["rule_calibration"] = calibration_table(y, rule_probability).to_dict("records")
        evaluation["rule_tiers"] = by_tier(y, quartile_tiers(score)).to_dict("records")
    return CrossValidation(spec, folds, fold_auc, winners, evaluation, plain_auc)
