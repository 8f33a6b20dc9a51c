"""The alerts tests: a hand-made warehouse with the activation models built (as in
tests/activation) and a local webhook receiving the POSTs."""

from __future__ import annotations

import http.server
import json
import threading
import time
from pathlib import Path

import pytest

from tests.activation import fixtures as fx


@pytest.fixture(scope="session")
def dbt_work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("dbt-alerts")


@pytest.fixture
def wh(lf_paths, dbt_work):
    warehouse = fx.Warehouse(lf_paths.warehouse, dbt_work)
    fx.create(warehouse.con)
    yield warehouse
    warehouse.close()


class Webhook:
    """A local HTTP server in a thread: keeps every POST (path, headers, JSON body) and
    answers ``status`` (200 unless told), after ``delay`` seconds."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.status = 200
        self.delay = 0.0
        hook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(hook.delay)
                if hook.status < 300:
                    hook.received.append({"path": self.path, "headers": dict(self.headers),
                                          "json": json.loads(body)})
                self.send_response(hook.status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if hook.status < 300 else b"server error")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/services/T000/B000/secret"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook():
    hook = Webhook()
    yield hook
    hook.close()
