"""The web server's front door: who may ask, from which host name, and what every
answer carries.

What it is for: an ASGI middleware in front of every route that
- answers GET and HEAD only (the server is read-only: nothing indexes or deletes over HTTP);
- checks the Host header against the names the server was started for, so that a web
  page on another site cannot reach a loopback server through DNS rebinding;
- asks for the access token when one is set (always off loopback), compared in constant
  time; the token may come as ``Authorization: Bearer``, ``?token=`` (a shared link),
  or the cookie the server sets when a page is opened with ``?token=``;
- adds the security headers: a Content-Security-Policy of ``default-src 'self'`` (no
  inline script, nothing fetched from elsewhere), no MIME sniffing, no framing, no
  referrer, and never a CORS header (other origins may not read the answers).

What it must not do: search, or read the request body (there is none to read).
"""
from __future__ import annotations

import hmac
import ipaddress
import json
from http.cookies import SimpleCookie
from typing import Any, Awaitable, Callable, Iterable
from urllib.parse import parse_qsl

__all__ = ["COOKIE", "Guard", "is_loopback", "allowed_hosts"]

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE = "searchkit_token"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
OPEN_PATHS = ("/healthz",)  # a liveness probe says nothing about the articles
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server on this machine."""
    if host.strip("[]").lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts(bind: str, extra: Iterable[str] = ()) -> frozenset[str] | None:
    """The Host names (without port) a server bound to ``bind`` answers; None: any
    (a wildcard bind, where the token alone keeps strangers out)."""
    bind = bind.strip("[]").lower()
    if bind in ("0.0.0.0", "::", ""):
        return None
    return frozenset({*LOOPBACK_NAMES, bind, *(h.strip("[]").lower() for h in extra)})


def _host_name(value: str) -> str:
    """"127.0.0.1:8080" -> "127.0.0.1", "[::1]:8080" -> "::1"."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class Guard:
    """The middleware; ``token`` None means no token is asked (loopback only)."""

    def __init__(self, app: ASGIApp, hosts: frozenset[str] | None, token: str | None) -> None:
        self.app, self.hosts, self.token = app, hosts, token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            await _send_json(send, *refusal)
            return
        set_cookie = self._cookie_to_set(scope)

        async def send_secured(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                extra = list(SECURITY_HEADERS)
                if set_cookie:
                    extra.append((b"set-cookie", set_cookie))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_secured)

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str, str] | None:
        if scope["method"] not in ("GET", "HEAD"):
            return 405, f"{scope['method']} is not allowed", "the server is read-only: use GET"
        if self.hosts is not None and _host_name(headers.get("host", "")) not in self.hosts:
            return 400, "unexpected Host header", "open the address the server printed when it started"
        if self.token is None or scope["path"] in OPEN_PATHS:
            return None
        if not any(hmac.compare_digest(given.encode(), self.token.encode()) for given in _tokens(scope, headers)):
            return 401, "this server needs its access token", "open the address with ?token=... that `searchkit serve` printed"
        return None

    def _cookie_to_set(self, scope: Scope) -> bytes | None:
        """Opening a page with a valid ?token= leaves a cookie, so the page's own calls
        and reloads need not carry the token in their URLs."""
        if self.token is None:
            return None
        given = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"))).get("token")
        if given is None or not hmac.compare_digest(given.encode(), self.token.encode()):
            return None
        return f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict".encode("latin-1")


def _tokens(scope: Scope, headers: dict[str, str]) -> list[str]:
    found = []
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        found.append(auth[7:].strip())
    found += [v for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1")) if k == "token"]
    if "cookie" in headers:
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(headers["cookie"])
        except Exception:  # a malformed cookie header is no token
            return found
        if COOKIE in jar:
            found.append(jar[COOKIE].value)
    return found


async def _send_json(send: Send, status: int, error: str, hint: str) -> None:
    body = json.dumps({"error": error, "hint": hint}, ensure_ascii=False).encode("utf-8")
    headers = [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode()), *SECURITY_HEADERS]
    if status == 405:
        headers.append((b"allow", b"GET, HEAD"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
