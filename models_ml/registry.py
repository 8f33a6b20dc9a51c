"""The model registry: one folder per trained model under ``data/models/<version>/``.

Each folder holds ``model.joblib`` (the fitted LeadModel) and ``metadata.json`` (version,
kind, training window, feature list, metrics, library versions). ``current`` is a one-line
text file naming the version in service; models are loaded by explicit version only. The
quality gate (``gate``) decides whether a new model may replace the current one.
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
from dataclasses import dataclass
from importlib.metadata import version as package_version
from pathlib import Path

import joblib
import numpy as np
import pandas as pd

from models_ml.model import LeadModel

CURRENT = "current"
VERSION_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$")


class RegistryError(LookupError):
    """No such model version, or a broken registry folder."""


def library_versions() -> dict[str, str]:
    return {"python": platform.python_version(),
            **{name: package_version(name) for name in ("scikit-learn", "numpy", "pandas")}}


def make_version(trained_on: str, frame: pd.DataFrame, y: np.ndarray, settings: dict) -> str:
    """``<as-of date>-<digest>``: the same training data and settings give the same version."""
    digest = hashlib.sha256()
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
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

    def promote(self, version: str) -> None:
        self.metadata(version)  # must exist
        _write_text(self.root / CURRENT, version + "\n")


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
class GateDecision:
    accepted: bool
    reason: str
    candidate_auc: float
    current_auc: float | None


def gate(candidate_auc: float, current_auc: float | None, current_version: str | None,
         tolerance: float = 0.0) -> GateDecision:
    """A candidate replaces the current model unless it ranks worse (ROC AUC lower by more
    than ``tolerance``) on the same validation rows."""
    if current_auc is None:
        return GateDecision(True, "no current model: the candidate is the first", candidate_auc,
                            None)
    if candidate_auc + tolerance < current_auc:
        return GateDecision(
            False, f"refused: ROC AUC {candidate_auc:.4f} is worse than the current model "
            f"{current_version}'s {current_auc:.4f} on the same validation rows",
            candidate_auc, current_auc)
    return GateDecision(
        True, f"accepted: ROC AUC {candidate_auc:.4f} vs the current model {current_version}'s "
        f"{current_auc:.4f} on the same validation rows", candidate_auc, current_auc)
