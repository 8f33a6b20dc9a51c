"""Where alerts go: a webhook URL and/or an alert file, from the resource's own fields, else
the environment (LEADFLOW_ALERT_WEBHOOK_URL, LEADFLOW_ALERT_FILE, LEADFLOW_ALERT_TIMEOUT),
else the config file (LEADFLOW_ALERT_CONFIG, default <data>/alerts/config.toml). Read on
every evaluation, so a URL set or changed takes effect at the next tick. Nothing
configured: nothing is sent and nothing is recorded."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from pipelines.project import LeadflowPaths

WEBHOOK_ENV = "LEADFLOW_ALERT_WEBHOOK_URL"
FILE_ENV = "LEADFLOW_ALERT_FILE"
TIMEOUT_ENV = "LEADFLOW_ALERT_TIMEOUT"
CONFIG_ENV = "LEADFLOW_ALERT_CONFIG"
DEFAULT_TIMEOUT = 10.0
CONFIG_KEYS = {"webhook_url", "file", "timeout_seconds"}


class AlertConfigError(ValueError):
    """A setting that cannot be used (a URL that is not http(s), a bad timeout...)."""


def alerts_folder(where: LeadflowPaths) -> Path:
    """<data>/alerts: the ledger, its lock, the default config file and alert file."""
    return where.data / "alerts"


@dataclass(frozen=True)
class AlertSettings:
    webhook_url: str | None
    file: Path | None
    timeout_seconds: float
    ledger: Path  # what was detected and delivered (pipelines/alerts/ledger.py)

    @property
    def destinations(self) -> list[str]:
        return [name for name, value in (("webhook", self.webhook_url), ("file", self.file))
                if value]

    def describe(self, destination: str) -> str:
        """The destination for a log line; a webhook's path is a secret (Slack's token)."""
        if destination == "webhook":
            parts = urlsplit(self.webhook_url or "")
            return f"webhook {parts.scheme}://{parts.netloc}/…"
        return f"file {self.file}"


def _config_file(where: LeadflowPaths, env) -> tuple[Path, dict]:
    path = Path(env.get(CONFIG_ENV) or alerts_folder(where) / "config.toml")
    if not path.is_file():
        if env.get(CONFIG_ENV):
            raise AlertConfigError(f"{CONFIG_ENV}={path}: no such file")
        return path, {}
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise AlertConfigError(f"alert config {path}: {exc}") from None
    values = values.get("alerts", values)  # a top-level table [alerts] or bare keys
    unknown = set(values) - CONFIG_KEYS
    if unknown:
        raise AlertConfigError(f"alert config {path}: unknown key(s) {', '.join(sorted(unknown))}"
                               f" (known: {', '.join(sorted(CONFIG_KEYS))})")
    return path, values


def resolve(where: LeadflowPaths, *, webhook_url: str | None = None, file: str | None = None,
            timeout_seconds: float | None = None, environ=None) -> AlertSettings:
    """The settings in force: explicit values, else the environment, else the config file."""
    env = os.environ if environ is None else environ
    source, config = _config_file(where, env)
    url = webhook_url or env.get(WEBHOOK_ENV) or config.get("webhook_url") or None
    if url is not None:
        url = str(url).strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise AlertConfigError(
                f"alert webhook URL must be http(s)://host/..., got {url[:40]!r} "
                f"({WEBHOOK_ENV} or webhook_url in {source})")
    target = file or env.get(FILE_ENV) or config.get("file") or None
    path = None
    if target is not None:
        path = Path(str(target)).expanduser()
        path = path if path.is_absolute() else where.data / path
    raw_timeout = (timeout_seconds if timeout_seconds is not None
                   else env.get(TIMEOUT_ENV) or config.get("timeout_seconds") or DEFAULT_TIMEOUT)
    try:
        timeout = float(raw_timeout)
    except (TypeError, ValueError):
        timeout = -1.0
    if not 0 < timeout <= 60:
        raise AlertConfigError(f"alert timeout must be a number of seconds in (0, 60], "
                               f"got {raw_timeout!r}")
    return AlertSettings(webhook_url=url, file=path, timeout_seconds=timeout,
                         ledger=alerts_folder(where) / "ledger.jsonl")
