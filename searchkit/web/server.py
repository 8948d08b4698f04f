"""Running the web app: bind, say where, serve until Ctrl-C.

What it is for: ``serve(kit, host, port)`` opens the index (a missing or broken index
fails here, with its hint, not at the first request), binds the socket itself (so that
``port=0`` picks a free port and the URL printed is the real one, and a port in use is
one clear error), makes up the access token when the server is reachable from other
machines, and runs uvicorn until interrupted. Ctrl-C ends it as every command ends:
KeyboardInterrupt, which the CLI turns into exit 130.

What it must not do: print (it hands the address to ``announce``), or serve anything but
``create_app``'s app.
"""
from __future__ import annotations

import re
import secrets
import socket
import threading
import webbrowser
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

from searchkit.errors import ConfigError
from searchkit.web.app import create_app
from searchkit.web.guard import allowed_hosts, is_loopback

if TYPE_CHECKING:  # pragma: no cover
    from searchkit.api import SearchKit

__all__ = ["Address", "bind", "serve"]

TOKEN_RE = re.compile(r"[A-Za-z0-9_\-]{16,200}")


@dataclass(frozen=True)
class Address:
    """Where the server listens: ``url`` (with ``?token=`` when one is needed)."""

    host: str
    port: int
    token: str | None

    @property
    def url(self) -> str:
        shown = socket.gethostname() if self.host in ("0.0.0.0", "::") else self.host
        shown = f"[{shown}]" if ":" in shown else shown
        return f"http://{shown}:{self.port}/" + (f"?token={self.token}" if self.token else "")

    def to_dict(self) -> dict[str, object]:
        return {"url": self.url, "host": self.host, "port": self.port, "token": self.token}


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``; ConfigError with a hint if it cannot be had."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named: asyncio turns Nagle off (TCP_NODELAY) only on sockets that say
    # they are TCP, and accepted sockets inherit it. With proto 0 every keep-alive request
    # after the first waited ~40 ms for the client's delayed ACK (bench/serve_speed.py).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(1024)
    except socket.gaierror:
        sock.close()
        raise ConfigError(f"cannot listen on '{host}': no such address here", hint="use --host 127.0.0.1 (this machine) or 0.0.0.0 (every interface)") from None
    except PermissionError:
        sock.close()
        raise ConfigError(f"not allowed to listen on port {port}", hint="ports below 1024 need root; try --port 8080") from None
    except OSError as exc:
        sock.close()
        if exc.errno == 98:  # EADDRINUSE
            raise ConfigError(f"port {port} is already in use", hint=f"another server runs there; try --port {port + 1}, or --port 0 for any free port") from None
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}", hint="check --host and --port") from None
    return sock


def serve(kit: "SearchKit", host: str = "127.0.0.1", port: int = 8080, *, token: str | None = None, extra_hosts: Iterable[str] = (),
          open_browser: bool = False, announce: Callable[[Address], None] = lambda a: None) -> None:
    """Serve ``kit`` until interrupted (raises KeyboardInterrupt on Ctrl-C).

    Off loopback a token is required: ``token`` if given, else a new random one."""
    import uvicorn

    if token is not None and not TOKEN_RE.fullmatch(token):
        raise ConfigError("the token must be 16 to 200 letters, digits, - or _", hint="leave --token out to have one made up")
    if token is None and not is_loopback(host):
        token = secrets.token_urlsafe(24)
    kit.stats()  # open the index now: a missing one is an error before the address is printed
    sock = bind(host, port)
    address = Address(host, sock.getsockname()[1], token)
    app = create_app(kit, hosts=allowed_hosts(host, extra_hosts), token=token)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", server_header=False)
    server = uvicorn.Server(config)
    announce(address)
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(address.url,)).start()
    try:
        # uvicorn shuts down gracefully on SIGINT, then raises it again: KeyboardInterrupt.
        server.run(sockets=[sock])
    finally:
        sock.close()
