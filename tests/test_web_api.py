"""The web server's JSON API: the CLI's JSON over GET, errors as {"error", "hint"} with a
4xx, and the safety rules (Host check, token, no CORS, read-only, limits, no traversal),
through Starlette's test client, a real uvicorn and the real `searchkit serve` command."""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from searchkit import SearchKit
from searchkit.ui.cli import cli
from searchkit.web import create_app
from tests.support.web import running

LOCAL = "http://127.0.0.1:8080"


@pytest.fixture(scope="module")
def kit(web_config: Path):
    kit = SearchKit.open(web_config)
    yield kit
    kit.close()


@pytest.fixture(scope="module")
def client(kit) -> TestClient:
    return TestClient(create_app(kit), base_url=LOCAL)


def cli_json(config: Path, *args: str) -> Any:
    result = CliRunner().invoke(cli, ["--config", str(config), *args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def same(api: dict[str, Any], cli_body: dict[str, Any]) -> None:
    drop = ("took_ms", "next")
    assert {k: v for k, v in api.items() if k not in drop} == {k: v for k, v in cli_body.items() if k not in drop}


@pytest.mark.parametrize(("url", "args"), [
    ("/api/search?q=roquettes", ("search", "roquettes")),
    ("/api/search?q=roquettes&person=Joe+Biden", ("search", "roquettes", "--person", "Joe Biden")),
    ("/api/search?q=ambassade&published=2020-12&sort=date", ("search", "ambassade", "--published", "2020-12", "--sort", "date")),
    ("/api/search?q=Bagdad&limit=2&offset=1&mode=lexical", ("search", "Bagdad", "-n", "2", "--offset", "1", "--mode", "lexical")),
    ("/api/search?q=teheran+OR+zzzqqq", ("search", "teheran OR zzzqqq")),
    ("/api/documents/004_1e680a221e4139f1?q=roquettes", ("show", "004_1e680a221e4139f1", "-q", "roquettes")),
    ("/api/facets/person?q=roquettes&top=5", ("facets", "person", "-q", "roquettes", "--top", "5")),
    ("/api/timeline?q=roquettes&by=year", ("timeline", "roquettes", "--by", "year")),
    ("/api/similar/004_1e680a221e4139f1", ("similar", "004_1e680a221e4139f1")),
    ("/api/with/Kazimi?top=5", ("with", "Kazimi", "--top", "5")),
    ("/api/stats", ("stats",)),
])
def test_api_bodies_are_the_cli_json(client: TestClient, web_config: Path, url: str, args: tuple[str, ...]) -> None:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    same(response.json(), cli_json(web_config, *args))


def test_next_pages_through_every_hit_once(client: TestClient) -> None:
    whole = client.get("/api/search?q=ambassade+OR+Irak&limit=100").json()
    assert whole["total"] > 2 and whole["next"] is None
    seen, url = [], "/api/search?q=ambassade+OR+Irak&limit=2"
    while url:
        body = client.get(url).json()
        seen += [h["id"] for h in body["hits"]]
        url = body["next"]
    assert seen == [h["id"] for h in whole["hits"]]


def test_an_excluded_value_is_the_query_language_sauf(client: TestClient, web_config: Path) -> None:
    body = client.get("/api/search?q=roquettes&not_person=Joe+Biden").json()
    same(body, cli_json(web_config, "search", '(roquettes) SAUF person:"Joe Biden"'))
    everything = client.get("/api/search?q=roquettes").json()
    assert 0 < body["total"] < everything["total"]
    assert all("Joe Biden" not in [a["name"] for a in h["actors"]] for h in body["hits"])


def test_export_streams_every_hit_with_the_filters(client: TestClient) -> None:
    search = client.get("/api/search?q=roquettes+OR+ambassade&place=Bagdad&limit=100").json()
    response = client.get("/api/export?q=roquettes+OR+ambassade&place=Bagdad&format=csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["id"] for r in rows] == [h["id"] for h in search["hits"]] and len(rows) == search["total"]
    lines = client.get("/api/export?q=roquettes+OR+ambassade&place=Bagdad&format=jsonl").text.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [r["id"] for r in rows]


@pytest.mark.parametrize(("url", "status", "says"), [
    ("/api/search?q=roquettes&mode=fast", 400, "mode"),
    ("/api/search?q=roquettes&limit=101", 400, "limit"),
    ("/api/search?q=roquettes&limit=abc", 400, "whole number"),
    ("/api/search?q=roquettes&offset=-1", 400, "offset"),
    ("/api/search?q=roquettes&offset=10001", 400, "offset"),
    ("/api/search?q=" + "roquette+" * 120, 400, "characters"),
    ("/api/search?q=roquettes&person=" + "x" * 201, 400, "characters"),
    ("/api/search?q=roquettes&persn=Biden", 400, "unknown parameter"),
    ("/api/search?q=titr:Bagdad", 400, "titr"),
    ("/api/search?q=roquettes&published=2020-13", 400, "2020-13"),
    ("/api/timeline?by=day", 400, "by"),
    ("/api/facets/colour", 400, "colour"),
    ("/api/documents/no-such-article", 404, "no-such-article"),
    ("/api/similar/no-such-article", 404, "no-such-article"),
    ("/api/nothing-here", 404, "no such address"),
])
def test_bad_input_is_a_json_4xx_with_a_hint(client: TestClient, url: str, status: int, says: str) -> None:
    response = client.get(url)
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "hint"} and body["hint"]
    assert says in body["error"]


def test_a_foreign_host_header_is_refused(client: TestClient) -> None:
    """DNS rebinding: evil.example resolving to 127.0.0.1 still sends its own name."""
    for host in ("evil.example", "evil.example:8080", "127.0.0.1.evil.example"):
        response = client.get("/api/stats", headers={"host": host})
        assert response.status_code == 400 and "Host" in response.json()["error"]
    for host in ("localhost:8080", "127.0.0.1", "[::1]:8080"):
        assert client.get("/api/stats", headers={"host": host}).status_code == 200


def test_read_only_and_no_cors(client: TestClient) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
        response = client.request(method, "/api/search?q=roquettes", headers={"origin": "http://evil.example", "access-control-request-method": "GET"})
        assert response.status_code == 405, method
        assert not [h for h in response.headers if h.lower().startswith("access-control-")]
    response = client.get("/api/search?q=roquettes", headers={"origin": "http://evil.example"})
    assert response.status_code == 200
    assert not [h for h in response.headers if h.lower().startswith("access-control-")]


def test_the_page_and_its_security_headers(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and '<input type="search" name="q"' in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in page.text and "style=" not in page.text  # nothing inline: the CSP forbids it
    assert client.get("/static/app.js").status_code == 200


@pytest.mark.parametrize("path", [
    "/static/../../pyproject.toml", "/static/..%2F..%2Fpyproject.toml", "/static/%2e%2e/%2e%2e/pyproject.toml",
    "/api/documents/..%2F..%2F..%2Fetc%2Fpasswd", "/api/documents/../../../etc/passwd", "/static//etc/passwd",
])
def test_no_path_traversal(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "root:" not in response.text and "[project]" not in response.text


def test_a_token_is_asked_for_and_compared(kit) -> None:
    token = "s3cret-token-for-the-tests"
    client = TestClient(create_app(kit, hosts=None, token=token), base_url="http://newsroom.example:8080")
    refused = client.get("/api/search?q=roquettes")
    assert refused.status_code == 401 and refused.json()["hint"]
    assert client.get("/", headers={"host": "anything.example"}).status_code == 401
    assert client.get("/api/search?q=roquettes", headers={"authorization": "Bearer " + token[:-1] + "X"}).status_code == 401
    assert client.get("/api/search?q=roquettes", headers={"authorization": "Bearer " + token}).status_code == 200
    assert client.get("/healthz").status_code == 200  # says nothing about the articles
    page = client.get("/?token=" + token)
    assert page.status_code == 200 and "HttpOnly" in page.headers["set-cookie"]
    assert client.get("/api/search?q=roquettes").status_code == 200  # the cookie now


def test_health_answers_while_a_slow_search_runs(web_config: Path) -> None:
    import urllib.request

    class Slow(SearchKit):
        def search(self, *args: Any, **kwargs: Any) -> Any:
            time.sleep(4)
            return super().search(*args, **kwargs)

    slow = Slow.open(web_config)
    try:
        with running(slow) as url:
            searches = [threading.Thread(target=lambda: urllib.request.urlopen(url + "/api/search?q=roquettes", timeout=30).read()) for _ in range(3)]
            for t in searches:
                t.start()
            time.sleep(0.5)
            with urllib.request.urlopen(url + "/healthz", timeout=10) as response:
                assert json.load(response) == {"status": "ok"}
            # Answered while every slow search still holds its thread (each takes 4 s).
            assert all(t.is_alive() for t in searches)
            for t in searches:
                t.join()
    finally:
        slow.close()


def serve(config: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "searchkit", "--config", str(config), "serve", "--port", "0", "--json", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def test_searchkit_serve_prints_its_address_and_stops_on_ctrl_c(web_config: Path) -> None:
    import urllib.request

    proc = serve(web_config)
    try:
        address = json.loads(proc.stdout.readline())
        assert address["url"].startswith("http://127.0.0.1:") and address["token"] is None
        with urllib.request.urlopen(address["url"] + "api/stats", timeout=30) as response:
            assert json.load(response)["documents"] == 6
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert "Traceback" not in err


def test_serve_off_loopback_makes_up_a_token(web_config: Path) -> None:
    import urllib.error
    import urllib.request

    proc = serve(web_config, "--host", "0.0.0.0")
    try:
        address = json.loads(proc.stdout.readline())
        token = address["token"]
        assert token and len(token) >= 24 and address["url"].endswith("?token=" + token)
        base = f"http://127.0.0.1:{address['port']}"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(base + "/api/stats", timeout=30)
        assert refused.value.code == 401
        with urllib.request.urlopen(f"{base}/api/stats?token={quote(token)}", timeout=30) as response:
            assert response.status == 200
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)


def test_a_port_in_use_is_one_line_with_a_hint(web_config: Path) -> None:
    from searchkit.web.server import bind

    taken = bind("127.0.0.1", 0)
    try:
        result = subprocess.run([sys.executable, "-m", "searchkit", "--config", str(web_config), "serve", "--port", str(taken.getsockname()[1])],
                                capture_output=True, text=True, timeout=60)
    finally:
        taken.close()
    assert result.returncode == 1
    assert "already in use" in result.stderr and "--port" in result.stderr and "Traceback" not in result.stderr


def test_the_listening_socket_says_it_is_tcp() -> None:
    """asyncio sets TCP_NODELAY only on sockets whose proto is IPPROTO_TCP; without it
    each keep-alive request waited for the client's delayed ACK (~40 ms)."""
    import socket

    from searchkit.web.server import bind

    sock = bind("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()


def test_serve_on_a_fresh_clone_indexes_first(tmp_path: Path) -> None:
    """`make install && searchkit serve`: no index yet, so it is built, then served."""
    import shutil
    import urllib.request

    shutil.copytree(Path(__file__).resolve().parents[1] / "seeds", tmp_path / "seeds")
    config = tmp_path / "config.yaml"
    config.write_text("corpus: seeds\nindex_dir: index\nindex: {workers: 1}\nextract: {actors: false}\n", "utf-8")
    proc = serve(config)
    try:
        address = json.loads(proc.stdout.readline())
        with urllib.request.urlopen(address["url"] + "api/search?q=roquettes", timeout=30) as response:
            assert json.load(response)["total"] == 5
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert "No index yet" in err and "Indexed 5 articles" in err
    assert proc.returncode == 130
