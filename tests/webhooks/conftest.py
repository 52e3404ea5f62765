"""Fixtures of the webhooks tests: a receiver on a local HTTP server, an
endpoint of the organisation pointing at it, and the clock of a receiver.

The receiver is ``http.server`` in a thread on 127.0.0.1; it records every
request it gets and answers with the statuses it is told, in order (then
200), after ``delay`` seconds, its body's first byte ``dribble`` seconds
before the others. Plain HTTP to localhost is allowed here as with ``DEBUG`` on.
"""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from webhooks import services
from webhooks.models import Event


class Receiver:
    def __init__(self):
        self.requests = []
        self.statuses = []
        self.delay = 0.0
        self.dribble = 0.0
        self.headers = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                server.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers.items()),
                        "body": self.rfile.read(length),
                        "received_at": time.time(),
                    }
                )
                if server.delay:
                    time.sleep(server.delay)
                status = server.statuses.pop(0) if server.statuses else 200
                self.send_response(status)
                for name, value in server.headers.items():
                    self.send_header(name, value)
                body = f"answer {status}".encode()
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    if server.dribble:
                        # The first byte at once, the rest much later.
                        self.wfile.write(body[:1])
                        self.wfile.flush()
                        time.sleep(server.dribble)
                        body = body[1:]
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender gave up waiting, as it should

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture(autouse=True)
def _localhost_allowed(settings):
    settings.WEBHOOKS_ALLOW_LOCALHOST = True
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    settings.WEBHOOKS_TIMEOUT_SECONDS = 5
    settings.WEBHOOKS_SITE_URL = ""


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture
def endpoint_and_secret(organisation, lead, receiver):
    return services.create_endpoint(
        organisation, user=lead, url=receiver.url, events=Event.values
    )


@pytest.fixture
def endpoint(endpoint_and_secret):
    return endpoint_and_secret[0]


@pytest.fixture
def secret(endpoint_and_secret):
    return endpoint_and_secret[1]
