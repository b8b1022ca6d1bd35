"""`geomap serve`: the map maker as a local web app and a JSON API, safe to expose to a newsroom
(the optional extra `geomap[serve]`: Starlette, uvicorn, python-multipart).

`web` is the app (routes over `geomap.app`), `requests` reads what a request sends as the command
line reads the same input, `guards` bounds what a request may cost and sets every response's headers.
"""

from __future__ import annotations

import socket
import sys

from geomap.errors import GeomapError

def url_of(host: str, port: int) -> str:
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def run(server, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Serve until interrupted; a line on stderr gives the URL once the parsers are loaded."""
    import uvicorn

    from geomap.serve.web import make_app

    try:
        sock = socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET)
    except OSError as exc:
        raise GeomapError(f"cannot listen on {url_of(host, port)}: {exc.strerror}") from None
    url = url_of(host, sock.getsockname()[1])
    app = make_app(server, ready=lambda: print(f"geomap: serving on {url} (Ctrl-C to stop)", file=sys.stderr))
    config = uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=5,
                            proxy_headers=False, server_header=False)
    uvicorn.Server(config).run(sockets=[sock])
