"""A fake platform API on 127.0.0.1 that a test starts: a threaded http.server whose routes
answer by path, and by query where a route is a function. It records every request (path,
query, headers) so a test can assert what the adapter sent. Nothing leaves the machine."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest


class FakeApi:
    """routes: {path: (status, headers, body) | callable(query: dict) -> (status, headers, body)}.
    A body that is not bytes is sent as JSON. Anything unrouted is a 404 with `missing`."""

    def __init__(self, missing=None):
        self.routes = {}
        self.requests = []
        self.delay = 0.0
        self.missing = missing if missing is not None else {"error": {"message": "Not found"}}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                fake.requests.append(
                    {"path": parts.path, "query": query, "headers": dict(self.headers.items())}
                )
                if fake.delay:
                    time.sleep(fake.delay)
                route = fake.routes.get(parts.path, (404, {}, fake.missing))
                status, headers, body = route(query) if callable(route) else route
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and went away

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def paths(self) -> list[str]:
        return [r["path"] for r in self.requests]


@pytest.fixture
def fake_api():
    fake = FakeApi().start()
    yield fake
    fake.stop()


@pytest.fixture
def other_host():
    """A second fake server: where a hostile next-page link would point."""
    fake = FakeApi().start()
    yield fake
    fake.stop()
