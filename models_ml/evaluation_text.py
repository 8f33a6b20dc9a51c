"""Evaluations and score drift as plain text: the command line prints them, and
``evaluation.md`` beside each registered model keeps the evaluation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

ROWS = (
    ("roc_auc", "ROC AUC"), ("pr_auc", "PR AUC"), ("brier", "Brier score (lower is better)"),
    ("top_decile_precision", "precision in the top decile"),
    ("top_decile_lift", "lift in the top decile"), ("base_rate", "base rate"),
    ("rows", "rows"), ("positives", "conversions"),
)


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, (int, np.integer)) or float(value).is_integer() and abs(value) > 1:
        return f"{int(value):,}"
    return f"{value:.4f}"


def evaluation_lines(evaluation: dict, title: str) -> list[str]:
    """Headline figures (model beside the rule-score baseline when present), then the
    calibration table by score band and conversion by tier."""
    model, rule = evaluation["model"], evaluation.get("rule")
    lines = [title, ""]
    header = f"{'':<32}{'model':>12}" + (f"{'rule score':>12}" if rule else "")
    lines.append(header)
    for key, label in ROWS:
        line = f"{label:<32}{_fmt(model.get(key)):>12}"
        if rule:
            line += f"{_fmt(rule.get(key)):>12}"
        lines.append(line)
    if "at_creation" in evaluation:
        section = evaluation["at_creation"]
        lines += ["", f"at creation only (each lead as of the moment it was created: "
                      f"{_fmt(section['model']['rows'])} rows, "
                      f"{_fmt(section['model']['positives'])} conversions)"]
        for key, label in ROWS[:5]:
            line = f"{label:<32}{_fmt(section['model'].get(key)):>12}"
            if "rule" in section:
                line += f"{_fmt(section['rule'].get(key)):>12}"
            lines.append(line)
        if section.get("tiers"):
            lines += ["", "conversion by tier, at creation only"]
            lines += _table(section["tiers"], ["tier", "rows", "conversions", "conversion_rate"])
    for key, extra in (("truth", "hidden truth (generated data)"),):
        if key in evaluation:
            truth = evaluation[key]
            lines.append(f"{extra}: ROC AUC {truth['roc_auc']:.4f}; the model reaches "
                         f"{truth['share']:.1%} of it")
    lines += ["", "calibration by score band (equal-count bands, lowest first)"]
    lines += _table(evaluation["calibration"], ["band", "rows", "predicted", "observed"])
    lines += ["", "conversion by tier"]
    lines += _table(evaluation["tiers"], ["tier", "rows", "conversions", "conversion_rate"])
    if rule and "rule_tiers" in evaluation:
        lines += ["", "conversion by rule-score quartile (the baseline)"]
        lines += _table(evaluation["rule_tiers"], ["tier", "rows", "conversions",
                                                   "conversion_rate"])
    return lines


def _table(records: list[dict], columns: list[str]) -> list[str]:
    frame = pd.DataFrame(records, columns=columns)
    out = ["  " + "".join(f"{c:>16}" for c in columns)]
    for row in frame.itertuples(index=False):
        out.append("  " + "".join(f"{_fmt(v) if not isinstance(v, str) else v:>16}"
                                  for v in row))
    return out


def drift_lines(drift: pd.DataFrame, top: int = 8) -> list[str]:
    """The probability's PSI and the largest feature shifts, drifted ones marked."""
    lines = ["population stability (PSI) against the validation data"]
    for row in drift.head(top).itertuples(index=False):
        flag = "  DRIFT" if row.is_drifted else ""
        lines.append(f"  {row.column:<34}{row.psi:>8.3f}{flag}")
    return lines
