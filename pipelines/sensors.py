"""Start the daily job when new files land in the inbox.

The cursor remembers each file's size and modification time; a set of new or changed
files gives one run, keyed by a hash of that set, so the same drop never starts two runs.
A file modified in the last ``SETTLE_SECONDS`` may still be being written and waits for
the next tick.
"""


import hashlib
import json
import time

import dagster as dg

from pipelines.ingest.inbox import scan
from pipelines.jobs import daily_job
from pipelines.resources import InboxResource
from pipelines.sources import SOURCES

SETTLE_SECONDS = 30


def new_files(inbox: InboxResource, seen: dict[str, str], now: float) -> dict[str, str]:
    """Files (relative path -> 'size:mtime_ns') that are new or changed since ``seen``."""
    found: dict[str, str] = {}
    for name in SOURCES:
        for entry in scan(inbox.folder / name):  # links and pipes too: a run quarantines them
            if now - entry.modified_at.timestamp() < SETTLE_SECONDS:
                continue
            rel = entry.path.relative_to(inbox.folder).as_posix()
            signature = f"{entry.size}:{entry.mtime_ns}"
            if seen.get(rel) != signature:
                found[rel] = signature
    return found


@dg.sensor(
    job=daily_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="One daily-job run per set of new or changed inbox files.",
)
def inbox_sensor(context: dg.SensorEvaluationContext, inbox: InboxResource):
    seen = json.loads(context.cursor) if context.cursor else {}
    found = new_files(inbox, seen, time.time())
    if not found:
        return dg.SkipReason("no new files in the inbox")
    run_key = hashlib.sha256(json.dumps(sorted(found.items())).encode()).hexdigest()[:20]
    sources = sorted({rel.split("/", 1)[0] for rel in found})
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=run_key,
                tags={"leadflow/trigger": "inbox", "leadflow/sources": ",".join(sources),
                      "leadflow/new_files": str(len(found))},
            )
        ],
        cursor=json.dumps({**seen, **found}, sort_keys=True),
    )
