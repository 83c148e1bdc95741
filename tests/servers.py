"""Starting servers on loopback for tests and benchmarks: a free port, and waiting until one answers."""

from __future__ import annotations

import functools
import http.client
import http.server
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_answering(port: int, path: str = "/", seconds: float = 30) -> bool:
    """Return once an HTTP request to `path` gets any answer (True), or after `seconds` without one (False)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            connection.getresponse().read()
            connection.close()
            return True
        except OSError:
            time.sleep(0.05)  # the server is still starting its workers
    return False


class HungServer:
    """A port that accepts connections and never answers (a Redis that hangs); counts the connections made."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port: int = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                self.accepted.append(self.listener.accept()[0])
            except OSError:
                return  # closed

    def close(self) -> None:
        self.listener.close()
        for connection in self.accepted:
            connection.close()


class _Noting(http.server.SimpleHTTPRequestHandler):
    requested: list[str]

    def log_message(self, format: str, *args: object) -> None:
        self.requested.append(self.path)


@contextmanager
def static_site(root: Path) -> Iterator[tuple[str, list[str]]]:
    """Serve the files under `root` over HTTP (an old site, say): its address, and the paths it was asked for."""
    requested: list[str] = []
    handler = type("Handler", (_Noting,), {"requested": requested})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requested
    finally:
        server.shutdown()
        server.server_close()
