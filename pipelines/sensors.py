"""Start the daily job when files land in the inbox that the warehouse has not loaded.

The sensor only observes: it compares the inbox with the warehouse's file ledger
(``raw._files``: path, size and modification time, the loader's own test of "already
loaded"), so files loaded by any run, `leadflow run` included, start nothing. It reads the
ledger only while no run writes the warehouse (a run under way loads what it finds). The
set of unloaded files gives one run, keyed by that set and the ledger's state, so the same
drop never starts two runs. A file modified in the last ``SETTLE_SECONDS`` may still be
being written and waits for the next tick.

``lead_alerts_sensor`` (below) sends new SLA breaches and leads without owner
(activation.lead_alerts) once each; it too reads the warehouse only while idle, and
starts no run (docs/alerts.md, pipelines/alerts/).
"""


import hashlib
import json
import time
from datetime import UTC, datetime

import dagster as dg
import duckdb

from pipelines.ingest.inbox import scan
from pipelines.jobs import daily_job
from pipelines.resources import AlertsResource, InboxResource, WarehouseResource
from pipelines.sources import SOURCES

SETTLE_SECONDS = 30

# (path relative to the inbox, size in bytes, modification time): one loaded file version
Version = tuple[str, int, datetime]


class Ledger:
    """What the warehouse has loaded: every file version in ``raw._files``."""

    def __init__(self, versions: set[Version], state: str) -> None:
        self.versions = versions
        self.state = state  # changes whenever a file is loaded or unloaded

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection) -> "Ledger":
        try:
            rows = con.execute("SELECT path, size_bytes, modified_at FROM raw._files").fetchall()
            state = con.execute(
                "SELECT count(*) || ':' || coalesce(max(file_id), 0) FROM raw._files"
            ).fetchone()[0]
        except duckdb.CatalogException:  # a warehouse nothing was ingested into yet
            return cls.empty()
        return cls({(path, size, at) for path, size, at in rows}, state)

    @classmethod
    def empty(cls) -> "Ledger":
        return cls(set(), "0:0")


def read_ledger(warehouse: WarehouseResource) -> Ledger | None:
    """The warehouse's ledger; None while a run writes the warehouse."""
    if not warehouse.file.exists():
        return Ledger.empty()
    with warehouse.read_while_idle() as con:
        return None if con is None else Ledger.read(con)


def unloaded_files(inbox: InboxResource, ledger: Ledger, now: float) -> dict[str, str]:
    """Inbox files (relative path -> 'size:mtime_ns') whose version the ledger lacks."""
    found: dict[str, str] = {}
    for name in SOURCES:
        for entry in scan(inbox.folder / name):  # links and pipes too: a run quarantines them
            if now - entry.modified_at.timestamp() < SETTLE_SECONDS:
                continue
            rel = entry.path.relative_to(inbox.folder).as_posix()
            if (rel, entry.size, entry.modified_at) not in ledger.versions:
                found[rel] = f"{entry.size}:{entry.mtime_ns}"
    return found


@dg.sensor(
    job=daily_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="One daily-job run per set of inbox files the warehouse has not loaded "
                "(raw._files), whoever loaded the others.",
)
def inbox_sensor(context: dg.SensorEvaluationContext, inbox: InboxResource,
                 warehouse: WarehouseResource):
    ledger = read_ledger(warehouse)
    if ledger is None:
        return dg.SkipReason("a run is writing the warehouse: the inbox is looked at after it")
    found = unloaded_files(inbox, ledger, time.time())
    if not found:
        return dg.SkipReason("every inbox file is loaded")
    key = json.dumps([ledger.state, sorted(found.items())])
    sources = sorted({rel.split("/", 1)[0] for rel in found})
    return dg.RunRequest(
        run_key=hashlib.sha256(key.encode()).hexdigest()[:20],
        tags={"leadflow/trigger": "inbox", "leadflow/sources": ",".join(sources),
              "leadflow/new_files": str(len(found))},
    )


@dg.sensor(
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Sends new SLA breaches and leads left without owner (activation.lead_alerts)"
                " once each, one message per team, to the alert webhook and/or file "
                "(docs/alerts.md); starts no run, writes no warehouse table.",
)
def lead_alerts_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource,
                       alerts: AlertsResource):
    from pipelines.alerts import send
    from pipelines.alerts.config import AlertConfigError
    from pipelines.alerts.ledger import LedgerBusy

    try:
        settings = alerts.settings()
    except AlertConfigError as exc:
        context.log.error("alerts: %s", exc)
        return dg.SkipReason(f"alert settings unusable: {exc}")
    if not settings.destinations:
        return dg.SkipReason("no alert destination configured (LEADFLOW_ALERT_WEBHOOK_URL, "
                             "LEADFLOW_ALERT_FILE or the alert config file): nothing sent")
    try:
        outcome = send.evaluate(settings, lambda: send.read_while_idle(warehouse),
                                datetime.now(UTC), context.log)
    except LedgerBusy as exc:
        return dg.SkipReason(f"{exc}: looked at next tick")
    return dg.SkipReason(outcome.summary())
