"""The model registry: one folder per trained model under ``data/models/<version>/``.

Each folder holds ``model.joblib`` (the fitted LeadModel) and ``metadata.json`` (version,
kind, training window, feature list, metrics, library versions). ``current`` is a one-line
text file naming the version in service; models are loaded by explicit version only.
``serving.jsonl`` logs every change of the served model (promoted by the gate or by hand,
rolled back), so ``rollback`` knows which model served before, and each version has a
status: served, retired (served once), refused (by the gate) or candidate.

The quality gate (``gate``) decides whether a new model may be served: it must beat the
rule score on the same validation rows on ranking (ROC AUC) and on probabilities (Brier
score; the rule score is turned into a probability by an isotonic map fitted on the
calibration rows, the rows that calibrate the model), and it may not trail the served
model's ROC AUC on those rows by more than a tolerance.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import re
from dataclasses import asdict, dataclass
from importlib.metadata import version as package_version
from pathlib import Path

import joblib
import numpy as np
import pandas as pd

from models_ml.model import LeadModel

CURRENT = "current"
SERVING_LOG = "serving.jsonl"
STATUSES = ("served", "retired", "refused", "candidate")
VERSION_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$")


class RegistryError(LookupError):
    """No such model version, or a broken registry folder."""


def library_versions() -> dict[str, str]:
    return {"python": platform.python_version(),
            **{name: package_version(name) for name in ("scikit-learn", "numpy", "pandas")}}


def canonical_values(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with one type per kind of value, whatever engine read it: numbers and
    flags as float64 (NaN missing), instants as UTC nanoseconds, the rest as text. DuckDB
    and Spark's Parquet hand the same feature rows over as int32 or int64, bool or
    nullable boolean, naive or UTC timestamps; the version must not see the difference."""
    out = {}
    for name in frame.columns:
        column = frame[name]
        present = column.dropna()
        if pd.api.types.is_datetime64_any_dtype(column):
            stamps = pd.to_datetime(column, utc=True)
            out[name] = stamps.dt.tz_convert(None).to_numpy(dtype="datetime64[ns]").astype("int64")
        elif (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)
              or (len(present) and present.map(lambda v: isinstance(v, bool)).all())):
            out[name] = pd.array(column.astype("object").where(column.notna(), None),
                                 dtype="Float64").to_numpy(dtype="float64", na_value=np.nan)
        else:
            # a mark for missing that no text can be: present values carry a prefix
            out[name] = pd.Series(["" if missing else f"={value}" for value, missing in
                                   zip(column.astype("object"), column.isna(), strict=True)],
                                  index=frame.index, dtype=object)
    return pd.DataFrame(out, index=frame.index)


def make_version(trained_on: str, frame: pd.DataFrame, y: np.ndarray, settings: dict) -> str:
    """``<as-of date>-<digest>``: the same training data and settings give the same version,
    on either engine (``canonical_values``)."""
    digest = hashlib.sha256()
    digest.update(pd.util.hash_pandas_object(canonical_values(frame), index=False)
                  .to_numpy().tobytes())
    digest.update(np.asarray(y, dtype=np.int8).tobytes())
    digest.update(json.dumps(settings, sort_keys=True, default=str).encode())
    return f"{trained_on.replace('-', '')}-{digest.hexdigest()[:10]}"


@dataclass
class Registry:
    root: Path

    def folder(self, version: str) -> Path:
        if not VERSION_PATTERN.match(version) or version == CURRENT:
            raise RegistryError(f"not a model version: {version!r}")
        return self.root / version

    def save(self, model: LeadModel, metadata: dict) -> Path:
        """Write the model and its metadata (``metadata['version']`` names the folder)."""
        folder = self.folder(metadata["version"])
        folder.mkdir(parents=True, exist_ok=True)
        record = {**metadata, "libraries": library_versions(), "kind": model.kind,
                  "features": model.spec.to_dict(), "tier_cutoffs": list(model.tier_cutoffs)}
        joblib.dump(model, folder / "model.joblib.tmp")
        (folder / "model.joblib.tmp").replace(folder / "model.joblib")
        _write_text(folder / "metadata.json", json.dumps(record, indent=2, default=_json))
        return folder

    def load(self, version: str) -> tuple[LeadModel, dict]:
        """The model and metadata of exactly ``version``."""
        folder = self.folder(version)
        if not (folder / "model.joblib").exists():
            known = ", ".join(self.versions()) or "none"
            raise RegistryError(f"no model {version!r} in {self.root} (known: {known})")
        metadata = json.loads((folder / "metadata.json").read_text())
        sklearn_now = library_versions()["scikit-learn"]
        if metadata["libraries"]["scikit-learn"] != sklearn_now:
            raise RegistryError(
                f"model {version} was saved with scikit-learn "
                f"{metadata['libraries']['scikit-learn']}, this is {sklearn_now}: retrain it")
        return joblib.load(folder / "model.joblib"), metadata

    def metadata(self, version: str) -> dict:
        path = self.folder(version) / "metadata.json"
        if not path.exists():
            raise RegistryError(f"no model {version!r} in {self.root}")
        return json.loads(path.read_text())

    def versions(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if (p / "model.joblib").exists())

    def current(self) -> str | None:
        """The version in service, or None before the first accepted model."""
        path = self.root / CURRENT
        return path.read_text().strip() or None if path.exists() else None

    def promote(self, version: str, event: str = "promoted", note: str = "",
                at: dt.datetime | None = None) -> None:
        """Serve ``version`` from now on, logged in serving.jsonl."""
        self.metadata(version)  # must exist
        self._log(event, version, note, at)
        _write_text(self.root / CURRENT, version + "\n")

    def rollback(self, note: str = "", at: dt.datetime | None = None) -> tuple[str, str]:
        """Serve again the model that served before the current one: (from, to)."""
        stack = self.served_stack()
        if len(stack) < 2:
            raise RegistryError("no earlier served model to roll back to" if stack else
                                "no model in service: nothing to roll back")
        current, previous = stack[-1], stack[-2]
        self.load(previous)  # still loadable with today's libraries
        self._log("rolled_back", previous, note or f"rolled back from {current}", at)
        _write_text(self.root / CURRENT, previous + "\n")
        return current, previous

    def serving_log(self) -> list[dict]:
        path = self.root / SERVING_LOG
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def served_stack(self) -> list[str]:
        """The served models, oldest first, the current one last: a promotion pushes, a
        rollback pops (so two rollbacks go two models back)."""
        stack: list[str] = []
        for event in self.serving_log():
            if event["event"] == "rolled_back":
                while stack and stack[-1] != event["version"]:
                    stack.pop()
                if not stack:
                    stack.append(event["version"])
            elif not stack or stack[-1] != event["version"]:
                stack.append(event["version"])
        current = self.current()
        if current is not None and (not stack or stack[-1] != current):
            stack.append(current)  # a registry from before the serving log
        return stack

    def status(self, version: str) -> str:
        """served, retired (served once, not now), refused (by the gate) or candidate."""
        if version == self.current():
            return "served"
        if any(e["version"] == version for e in self.serving_log()):
            return "retired"
        gate_record = self.metadata(version).get("gate") or {}
        return "refused" if gate_record.get("accepted") is False else "candidate"

    def _log(self, event: str, version: str, note: str, at: dt.datetime | None) -> None:
        if not self.serving_log() and self.current() not in (None, version):
            self._append({"at": None, "event": "promoted", "version": self.current(),
                          "previous": None, "note": "in service before the serving log"})
        self._append({"at": (at or dt.datetime.now(dt.UTC)).isoformat(), "event": event,
                      "version": version, "previous": self.current(), "note": note})

    def _append(self, record: dict) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / SERVING_LOG, "a") as log:
            log.write(json.dumps(record) + "\n")


def _write_text(path: Path, text: str) -> None:
    """Replace a file atomically (a reader sees the old or the new text, never half)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def _json(value):
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class GateConfig:
    """How strict the quality gate is (ROC AUC points)."""

    tolerance: float = 0.01  # how far the candidate may trail the served model
    rule_margin: float = 0.0  # by how much it must beat the rule score (beyond a tie)


DEFAULT_GATE = GateConfig()


@dataclass(frozen=True)
class GateDecision:
    accepted: bool
    reason: str
    candidate_auc: float
    current_auc: float | None
    candidate_brier: float | None = None
    rule_auc: float | None = None
    rule_brier: float | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def gate(candidate: dict, rule: dict | None, current_auc: float | None,
         current_version: str | None, config: GateConfig = DEFAULT_GATE) -> GateDecision:
    """Serve the candidate only when, on the same validation rows, it beats the rule score
    (higher ROC AUC by more than ``config.rule_margin`` and lower Brier score) and its ROC
    AUC is not below the served model's by more than ``config.tolerance``. ``candidate``
    and ``rule`` hold evaluate.metrics figures (``rule`` None: no rule score to beat)."""
    auc, brier = float(candidate["roc_auc"]), float(candidate["brier"])
    figures = {"candidate_auc": auc, "current_auc": current_auc, "candidate_brier": brier,
               "rule_auc": None if rule is None else float(rule["roc_auc"]),
               "rule_brier": None if rule is None else float(rule["brier"])}
    problems = []
    if rule is None or not np.isfinite(figures["rule_auc"]):
        problems.append("no rule score on the validation rows to compare with")
    else:
        if not auc > figures["rule_auc"] + config.rule_margin:
            margin = f" by more than {config.rule_margin:.4f}" if config.rule_margin else ""
            problems.append(f"ROC AUC {auc:.4f} does not beat the rule score's "
                            f"{figures['rule_auc']:.4f}{margin}")
        if not brier < figures["rule_brier"]:
            problems.append(f"Brier {brier:.4f} does not beat the calibrated rule score's "
                            f"{figures['rule_brier']:.4f}")
    if current_auc is not None and auc + config.tolerance < current_auc:
        problems.append(f"ROC AUC {auc:.4f} is worse than the served model {current_version}'s "
                        f"{current_auc:.4f} by more than {config.tolerance:.4f}")
    if problems:
        return GateDecision(False, "refused: " + "; ".join(problems)
                            + " (on the same validation rows)", **figures)
    rule_part = (f"ROC AUC {auc:.4f} vs the rule score's {figures['rule_auc']:.4f}, Brier "
                 f"{brier:.4f} vs {figures['rule_brier']:.4f}")
    served = ("no served model: the candidate is the first" if current_auc is None else
              f"the served model {current_version}'s ROC AUC {current_auc:.4f}")
    return GateDecision(True, f"accepted: {rule_part}; {served} (on the same validation rows)",
                        **figures)
