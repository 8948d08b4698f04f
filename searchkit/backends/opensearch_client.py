"""A small JSON-over-HTTP client for one OpenSearch node or cluster.

What the OpenSearch backend needs and no more: JSON requests, ``_bulk`` in batches with
retries and back-off, and failures turned into one-line ``SearchkitError``s with a hint
(a wrong URL, a node that is down, a refused request). Standard library only
(``http.client``, one kept-alive connection per thread), so searchkit gains no
dependency for a backend most users never enable.

It must NOT know searchkit's schema, analysis or query language (see
``opensearch_analysis`` and the backend), print anything, or retry a request that was
refused for a reason that retrying cannot fix (a bad mapping, a bad query).
"""
from __future__ import annotations

import http.client
import json
import random
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping, Sequence

from searchkit.errors import OpenSearchError, OpenSearchUnavailableError

__all__ = ["BulkResult", "OpenSearchClient", "RETRYABLE_STATUS"]

# Busy (429) or a node or proxy in between not ready (502-504): worth another try.
RETRYABLE_STATUS = frozenset({429, 502, 503, 504})

_DOWN_HINT = (
    "is the node running? start the local one with `make opensearch`, "
    "or point SEARCHKIT_OPENSEARCH_URL (opensearch.url in config.yaml) at your cluster"
)


@dataclass
class BulkResult:
    """What one ``bulk`` call did: items accepted, retried, and the ones refused."""

    succeeded: int = 0
    retried: int = 0
    # (document id, "type: reason") of items refused for good (a mapping error...).
    failed: list[tuple[str | None, str]] = field(default_factory=list)


class OpenSearchClient:
    """JSON requests to one OpenSearch URL (``http://host:port``, optionally with a path
    prefix and ``user:password@``).

    >>> OpenSearchClient("localhost:9200").url
    'http://localhost:9200'
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 10.0,
    ) -> None:
        self.url, self._parts = _parse_url(url)
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._local = threading.local()
        self._headers = {"Accept": "application/json"}
        if self._parts.username:
            import base64

            cred = f"{urllib.parse.unquote(self._parts.username)}:{urllib.parse.unquote(self._parts.password or '')}"
            self._headers["Authorization"] = "Basic " + base64.b64encode(cred.encode()).decode("ascii")

    # -- requests ---------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        params: Mapping[str, Any] | None = None,
        ok_missing: bool = False,
        retries: int | None = None,
    ) -> Any:
        """Send ``body`` as JSON (or as ndjson when it is a ``bytes`` payload already) and
        return the decoded JSON answer; ``None`` for a 404 when ``ok_missing``.

        Connection failures and 429/502/503/504 are retried with exponential back-off
        (with jitter, so that several indexers do not retry in step); other errors raise
        ``OpenSearchError`` at once with the node's own one-line reason.
        """
        target = self._parts.path.rstrip("/") + "/" + path.lstrip("/")
        if params:
            target += "?" + urllib.parse.urlencode({k: _param(v) for k, v in params.items()})
        headers = dict(self._headers)
        payload: bytes | None = None
        if isinstance(body, (bytes, bytearray)):
            payload = bytes(body)
            headers["Content-Type"] = "application/x-ndjson"
        elif body is not None:
            payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        attempts = 1 + (self.retries if retries is None else retries)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                status, data = self._send(method, target, payload, headers)
            except (OSError, http.client.HTTPException) as exc:
                self._drop_connection()
                if last:
                    raise OpenSearchUnavailableError(
                        f"cannot reach OpenSearch at {self.url}: {_reason(exc)}", hint=_DOWN_HINT
                    ) from None
                self._sleep(attempt)
                continue
            if status in RETRYABLE_STATUS and not last:
                self._sleep(attempt)
                continue
            if status == 404 and ok_missing:
                return None
            decoded = _decode(data)
            if status >= 400:
                raise _http_error(self.url, method, path, status, decoded, data)
            if decoded is _NOT_JSON:
                raise OpenSearchError(
                    f"{self.url} answered {method} {path} with something that is not JSON",
                    hint="is this the URL of an OpenSearch node? `curl URL` should show its version",
                )
            return decoded
        raise AssertionError("unreachable")  # pragma: no cover

    def info(self) -> dict[str, Any]:
        """The node's ``GET /``, checked to come from OpenSearch (or Elasticsearch-compatible).

        The first call a backend makes: a wrong URL (another web server, a typo in the
        port) is told apart here from a node that is down.
        """
        answer = self.request("GET", "/")
        version = answer.get("version") if isinstance(answer, dict) else None
        if not isinstance(version, dict) or "number" not in version:
            raise OpenSearchError(
                f"{self.url} answers, but not as an OpenSearch node (no version in GET /)",
                hint="check the host, port and path of the URL; `curl URL` should show an OpenSearch version",
            )
        return answer

    def health(self, wait_for_status: str | None = None, timeout: str = "30s") -> dict[str, Any]:
        """``_cluster/health``, optionally waiting (server side) for green/yellow."""
        params: dict[str, Any] = {}
        if wait_for_status:
            params = {"wait_for_status": wait_for_status, "timeout": timeout}
        return self.request("GET", "/_cluster/health", params=params)

    def index_exists(self, index: str) -> bool:
        return self.request("HEAD", f"/{_quote(index)}", ok_missing=True) is not None

    def create_index(self, index: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return self.request("PUT", f"/{_quote(index)}", body)

    def delete_index(self, index: str) -> None:
        """Delete ``index``; an index that does not exist is not an error."""
        self.request("DELETE", f"/{_quote(index)}", ok_missing=True)

    def refresh(self, index: str) -> None:
        self.request("POST", f"/{_quote(index)}/_refresh")

    def analyze(self, index: str, text: str | Sequence[str], analyzer: str) -> list[dict[str, Any]]:
        """The tokens ``analyzer`` (defined in ``index``'s settings) makes of ``text``."""
        answer = self.request("POST", f"/{_quote(index)}/_analyze", {"analyzer": analyzer, "text": text})
        return list(answer.get("tokens", []))

    # -- bulk -------------------------------------------------------------------

    def bulk(
        self,
        actions: Iterable[tuple[Mapping[str, Any], Mapping[str, Any] | None]],
        *,
        index: str | None = None,
        batch_size: int = 500,
        max_bytes: int = 8 * 1024 * 1024,
        refresh: bool | str = False,
    ) -> BulkResult:
        """Send ``(action, source)`` pairs to ``_bulk`` in batches (by count and by size).

        ``action`` is the action line, e.g. ``{"index": {"_id": "a1"}}`` or
        ``{"delete": {"_id": "a1"}}`` (``source`` None). Items the node refuses because it
        is busy (429) are sent again with back-off, up to ``retries`` times; whole batches
        are retried on connection failures by ``request``. Items refused for good are
        returned in ``BulkResult.failed``, never silently dropped: the caller decides.
        """
        result = BulkResult()
        for batch in _batches(actions, batch_size, max_bytes):
            self._bulk_batch(batch, index, refresh, result)
        return result

    def _bulk_batch(
        self,
        batch: list[tuple[bytes, str | None]],
        index: str | None,
        refresh: bool | str,
        result: BulkResult,
    ) -> None:
        path = f"/{_quote(index)}/_bulk" if index else "/_bulk"
        params = {"refresh": refresh} if refresh else None
        pending = batch
        for attempt in range(1 + self.retries):
            answer = self.request("POST", path, b"".join(lines for lines, _ in pending), params=params)
            items = answer.get("items", [])
            if len(items) != len(pending):
                raise OpenSearchError(
                    f"_bulk at {self.url} answered {len(items)} items for {len(pending)} sent",
                    hint="the node may be behind a proxy that alters requests; retry against the node itself",
                )
            again: list[tuple[bytes, str | None]] = []
            for sent, item in zip(pending, items):
                (outcome,) = item.values()
                status = int(outcome.get("status", 500))
                if status < 300 or (status == 404 and "delete" in item):
                    result.succeeded += 1
                elif status in RETRYABLE_STATUS and attempt < self.retries:
                    again.append(sent)
                else:
                    result.failed.append((sent[1], _error_text(outcome.get("error"), status)))
            if not again:
                return
            result.retried += len(again)
            pending = again
            self._sleep(attempt)

    # -- plumbing ---------------------------------------------------------------

    def close(self) -> None:
        self._drop_connection()

    def __enter__(self) -> OpenSearchClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            cls = http.client.HTTPSConnection if self._parts.scheme == "https" else http.client.HTTPConnection
            conn = cls(self._parts.hostname or "localhost", self._parts.port, timeout=self.timeout)
            self._local.conn = conn
        return conn

    def _drop_connection(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def _send(self, method: str, target: str, payload: bytes | None, headers: dict[str, str]) -> tuple[int, bytes]:
        conn = self._connection()
        try:
            conn.request(method, target, body=payload, headers=headers)
            response = conn.getresponse()
            data = response.read()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            # A kept-alive connection the server closed meanwhile: one fresh try at once.
            self._drop_connection()
            conn = self._connection()
            conn.request(method, target, body=payload, headers=headers)
            response = conn.getresponse()
            data = response.read()
        if response.will_close:
            self._drop_connection()
        return response.status, data

    def _sleep(self, attempt: int) -> None:
        delay = min(self.max_backoff, self.backoff * (2**attempt))
        time.sleep(delay * random.uniform(0.5, 1.0))


_NOT_JSON = object()


def _parse_url(url: str) -> tuple[str, urllib.parse.SplitResult]:
    raw = url.strip()
    if "://" not in raw:
        raw = "http://" + raw
    parts = urllib.parse.urlsplit(raw)
    try:
        port = parts.port
    except ValueError:
        port = None
        bad_port = True
    else:
        bad_port = False
    if parts.scheme not in ("http", "https") or not parts.hostname or bad_port or parts.query or parts.fragment:
        raise OpenSearchError(
            f"not an OpenSearch URL: {url!r}",
            hint="write it as http://HOST:PORT, e.g. http://127.0.0.1:9200",
        )
    netloc = parts.hostname if port is None else f"{parts.hostname}:{port}"
    if ":" in (parts.hostname or "") and port is not None:  # an IPv6 literal
        netloc = f"[{parts.hostname}]:{port}"
    shown = f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}"  # never shows a password
    return shown, parts


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _quote(name: str) -> str:
    return urllib.parse.quote(name, safe=",*")


def _decode(data: bytes) -> Any:
    if not data:
        return {}
    try:
        return json.loads(data)
    except ValueError:
        return _NOT_JSON


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.timeout):
        return "timed out"
    if isinstance(exc, socket.gaierror):
        return "unknown host"
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0] if text else type(exc).__name__


def _error_text(error: Any, status: int) -> str:
    """``type: reason`` of an OpenSearch error object (its root cause when it has one)."""
    if isinstance(error, dict):
        causes = error.get("root_cause") or []
        first = causes[0] if causes and isinstance(causes[0], dict) else error
        kind = first.get("type") or error.get("type") or f"HTTP {status}"
        reason = first.get("reason") or error.get("reason") or ""
        return f"{kind}: {reason}" if reason else str(kind)
    if isinstance(error, str) and error:
        return error
    return f"HTTP {status}"


def _http_error(url: str, method: str, path: str, status: int, decoded: Any, data: bytes) -> OpenSearchError:
    if isinstance(decoded, dict) and "error" in decoded:
        return OpenSearchError(
            f"OpenSearch refused {method} {path}: {_error_text(decoded['error'], status)}",
            hint="the request itself is wrong (an index setting, a mapping or a query); retrying will not help",
        )
    if status == 401 or status == 403:
        return OpenSearchError(
            f"OpenSearch at {url} refused {method} {path}: HTTP {status} (not allowed)",
            hint="put the user and password in the URL (http://USER:PASSWORD@HOST:PORT) or use a role that may do this",
        )
    return OpenSearchError(
        f"{url} answered {method} {path} with HTTP {status}",
        hint="is this the URL of an OpenSearch node? `curl URL` should show its version",
    )


def _batches(
    actions: Iterable[tuple[Mapping[str, Any], Mapping[str, Any] | None]],
    batch_size: int,
    max_bytes: int,
) -> Iterator[list[tuple[bytes, str | None]]]:
    """Encoded ``_bulk`` items (action line + source line, the item's id) in batches."""
    batch: list[tuple[bytes, str | None]] = []
    size = 0
    for action, source in actions:
        lines = json.dumps(action, ensure_ascii=False).encode("utf-8") + b"\n"
        if source is not None:
            lines += json.dumps(source, ensure_ascii=False).encode("utf-8") + b"\n"
        (meta,) = action.values()
        doc_id = meta.get("_id") if isinstance(meta, dict) else None
        if batch and (len(batch) >= batch_size or size + len(lines) > max_bytes):
            yield batch
            batch, size = [], 0
        batch.append((lines, doc_id))
        size += len(lines)
    if batch:
        yield batch
