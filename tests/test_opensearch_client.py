"""The OpenSearch JSON client: one-line errors with hints, retries with back-off, and
_bulk in batches, against a real node (the ``opensearch_url`` fixture) and, for the
failures a real node does not produce on demand (busy, wrong server), small local HTTP
servers on 127.0.0.1."""
from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from searchkit.backends.opensearch_client import OpenSearchClient
from searchkit.errors import OpenSearchError, OpenSearchUnavailableError, SearchkitError

Handler = Callable[[BaseHTTPRequestHandler, int], tuple[int, str, bytes]]


@pytest.fixture()
def http_server() -> Iterator[Callable[[Handler], str]]:
    """Start a local HTTP server answering with ``handler(request, call_number)``."""
    servers: list[ThreadingHTTPServer] = []

    def serve(handler: Handler) -> str:
        calls = [0]

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.body = self.rfile.read(length) if length else b""
                calls[0] += 1
                status, ctype, data = handler(self, calls[0])
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _answer

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _one_line(exc: SearchkitError) -> None:
    assert "\n" not in exc.message and exc.hint and "\n" not in exc.hint


# -- without a node -------------------------------------------------------------


@pytest.mark.parametrize("url", ["ftp://host:9200", "http://", "http://host:notaport", "http://h:9200/?x=1"])
def test_a_malformed_url_is_one_line_with_a_hint(url: str) -> None:
    with pytest.raises(OpenSearchError) as err:
        OpenSearchClient(url)
    _one_line(err.value)
    assert "http://HOST:PORT" in (err.value.hint or "")


def test_urls_are_normalised_and_never_show_a_password() -> None:
    assert OpenSearchClient("localhost:9200/").url == "http://localhost:9200"
    client = OpenSearchClient("https://admin:s3cret@search.example:9443/prefix/")
    assert client.url == "https://search.example:9443/prefix"
    assert "s3cret" not in client.url


def test_a_node_that_is_down_gives_one_line_with_a_hint_after_backing_off() -> None:
    client = OpenSearchClient(f"http://127.0.0.1:{_free_port()}", retries=2, backoff=0.05)
    started = time.monotonic()
    with pytest.raises(OpenSearchUnavailableError) as err:
        client.info()
    _one_line(err.value)
    assert "connection refused" in err.value.message and "make opensearch" in (err.value.hint or "")
    assert time.monotonic() - started < 5


def test_a_node_that_comes_back_during_the_back_off_is_used() -> None:
    """A restart (connection refused for a moment) costs retries, not the run."""
    port = _free_port()
    client = OpenSearchClient(f"http://127.0.0.1:{port}", retries=6, backoff=0.2, max_backoff=1.0)
    ok = json.dumps({"version": {"number": "2.19.6"}}).encode()

    def come_back() -> None:
        time.sleep(0.5)
        server = ThreadingHTTPServer(("127.0.0.1", port), _Fixed)
        _Fixed.answer = ok
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)

    servers: list[ThreadingHTTPServer] = []
    threading.Thread(target=come_back).start()
    try:
        assert client.info()["version"]["number"] == "2.19.6"
    finally:
        time.sleep(0.6)  # the server thread has started by now
        for server in servers:
            server.shutdown()
            server.server_close()


class _Fixed(BaseHTTPRequestHandler):
    answer = b"{}"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.answer)))
        self.end_headers()
        self.wfile.write(self.answer)

    def log_message(self, *args: object) -> None:
        pass


def test_a_server_that_is_not_opensearch_is_told_apart(http_server) -> None:
    html = http_server(lambda req, n: (200, "text/html", b"<html>hello</html>"))
    with pytest.raises(OpenSearchError) as err:
        OpenSearchClient(html).info()
    _one_line(err.value)
    assert "not JSON" in err.value.message and "OpenSearch node" in (err.value.hint or "")

    other_json = http_server(lambda req, n: (200, "application/json", b'{"status": "ok"}'))
    with pytest.raises(OpenSearchError, match="not as an OpenSearch node"):
        OpenSearchClient(other_json).info()

    missing = http_server(lambda req, n: (404, "text/plain", b"no such page"))
    with pytest.raises(OpenSearchError, match="HTTP 404") as err:
        OpenSearchClient(missing).info()
    assert not isinstance(err.value, OpenSearchUnavailableError)


def test_busy_answers_are_retried_with_back_off(http_server) -> None:
    ok = json.dumps({"version": {"number": "2.19.6"}}).encode()
    url = http_server(lambda req, n: (429, "application/json", b'{"error": "busy"}') if n < 3 else (200, "application/json", ok))
    assert OpenSearchClient(url, retries=3, backoff=0.01).info()["version"]["number"] == "2.19.6"
    # ...but not forever: the last answer's reason, on one line.
    always = http_server(lambda req, n: (429, "application/json", b'{"error": {"type": "es_rejected_execution_exception", "reason": "queue\\nfull"}}'))
    with pytest.raises(OpenSearchError) as err:
        OpenSearchClient(always, retries=1, backoff=0.01).info()
    _one_line(err.value)
    assert "es_rejected_execution_exception" in err.value.message


def test_bulk_sends_again_only_the_items_refused_as_busy(http_server) -> None:
    sent: list[list[str]] = []

    def bulk(req: BaseHTTPRequestHandler, n: int) -> tuple[int, str, bytes]:
        lines = [json.loads(line) for line in req.body.decode().splitlines()]
        ids = [line["index"]["_id"] for line in lines[::2]]
        sent.append(ids)
        items = [{"index": {"_id": i, "status": 429 if (n == 1 and i == "b") else 201}} for i in ids]
        return 200, "application/json", json.dumps({"errors": n == 1, "items": items}).encode()

    url = http_server(bulk)
    result = OpenSearchClient(url, backoff=0.01).bulk(
        [({"index": {"_id": i}}, {"n": k}) for k, i in enumerate("abc")], index="x"
    )
    assert sent == [["a", "b", "c"], ["b"]]
    assert (result.succeeded, result.retried, result.failed) == (3, 1, [])


# -- against a real node ----------------------------------------------------------


def test_info_and_health_of_the_node(opensearch_url: str) -> None:
    with OpenSearchClient(opensearch_url) as client:
        info = client.info()
        assert info["version"]["distribution"] == "opensearch"
        assert client.health(wait_for_status="yellow", timeout="30s")["status"] in ("green", "yellow")


def test_bulk_in_batches_then_count(opensearch_url: str, opensearch_index: str) -> None:
    with OpenSearchClient(opensearch_url) as client:
        client.create_index(opensearch_index, {
            "settings": {"number_of_shards": 1, "number_of_replicas": 0},
            "mappings": {"properties": {"n": {"type": "integer"}, "title": {"type": "text"}}},
        })
        docs = [({"index": {"_id": f"d{i}"}}, {"n": i, "title": f"article numéro {i}"}) for i in range(1234)]
        result = client.bulk(docs, index=opensearch_index, batch_size=500, refresh=True)
        assert (result.succeeded, result.failed) == (1234, [])
        count = client.request("GET", f"/{opensearch_index}/_count")["count"]
        assert count == 1234
        # Sent again (as after a crash): the same ids are overwritten, not duplicated.
        again = client.bulk(docs[:600], index=opensearch_index, batch_size=250, max_bytes=10_000, refresh=True)
        assert again.succeeded == 600
        assert client.request("GET", f"/{opensearch_index}/_count")["count"] == 1234
        # Deleting a document that is not there counts as done.
        gone = client.bulk([({"delete": {"_id": "d0"}}, None), ({"delete": {"_id": "nope"}}, None)], index=opensearch_index)
        assert (gone.succeeded, gone.failed) == (2, [])


def test_bulk_reports_the_items_refused_for_good(opensearch_url: str, opensearch_index: str) -> None:
    with OpenSearchClient(opensearch_url) as client:
        client.create_index(opensearch_index, {"mappings": {"properties": {"n": {"type": "integer"}}}})
        result = client.bulk(
            [({"index": {"_id": "ok"}}, {"n": 1}), ({"index": {"_id": "bad"}}, {"n": "pas un nombre"})],
            index=opensearch_index,
        )
        assert result.succeeded == 1 and result.retried == 0
        [(doc_id, reason)] = result.failed
        assert doc_id == "bad" and "parsing_exception" in reason


def test_a_refused_request_is_one_line_with_the_nodes_reason(opensearch_url: str, opensearch_index: str) -> None:
    with OpenSearchClient(opensearch_url) as client:
        with pytest.raises(OpenSearchError) as err:
            client.create_index(opensearch_index, {"settings": {"analysis": {"analyzer": {"a": {"type": "no_such_type"}}}}})
        _one_line(err.value)
        assert "illegal_argument_exception" in err.value.message or "no_such_type" in err.value.message
        assert not client.index_exists(opensearch_index)
        client.delete_index(opensearch_index)  # missing: not an error
        with pytest.raises(OpenSearchError, match="index_not_found_exception"):
            client.refresh(opensearch_index)
