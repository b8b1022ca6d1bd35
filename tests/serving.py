"""`geomap serve` in this process for the tests: uvicorn in a thread on 127.0.0.1, a port of its own."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import pytest

uvicorn = pytest.importorskip("uvicorn", reason="geomap serve needs its extra: pip install '.[serve]'")

from geomap.serve.web import Server, make_app  # noqa: E402


@contextlib.contextmanager
def serving(server: Server = Server()) -> Iterator[tuple[str, object]]:
    """The server's base URL and its app, until the block ends (bounded waits for start and stop)."""
    app = make_app(server)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 180  # the parser processes load the model first
    while not running.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    port = running.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        running.should_exit = True
        thread.join(30)
