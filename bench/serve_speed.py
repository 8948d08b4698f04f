"""`searchkit serve` under load: /api/search latency with 1 and 8 concurrent clients,
against the library's own search latency in the same run.

What it is for: the web issue's figure: p50 and p95 of ``/api/search`` with 8 concurrent
clients on a large index (loopback only, bounded in count and time), next to
``SearchKit.search`` called directly (one thread, then 8 threads in one process), so the
cost of HTTP and of sharing two cores is visible as ratios measured minutes apart.
The server is the real command (``searchkit serve --port 0``) in its own process; the
clients are threads with one keep-alive connection each. Queries: the 300 headline
queries of bench/run.py (1-3 title words, seed 1), searched as the page does (10 hits,
snippets and facets).

What it must not do: write to the index, or reach anything but 127.0.0.1.
Run: ``.venv/bin/python bench/serve_speed.py [CONFIG] [--clients 8] [--requests 1200] [--seconds 120]``.
"""
from __future__ import annotations

import argparse
import http.client
import json
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

from benchlib import ROOT, cpu_model, orangesum_rows

REPORT = ROOT / "bench" / "reports" / "serve.md"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def library(config: Path, queries: list[str], threads: int) -> list[float]:
    """Milliseconds per ``SearchKit.search`` (10 hits, snippets, facets), ``threads`` at once."""
    from searchkit import SearchKit

    kit = SearchKit.open(config)
    for q in queries[:20]:
        kit.search(q)  # warm: caches and the first snapshot
    times: list[float] = []
    lock = threading.Lock()

    def work(part: list[str]) -> None:
        local = []
        for q in part:
            t = time.perf_counter()
            kit.search(q)
            local.append((time.perf_counter() - t) * 1000)
        with lock:
            times.extend(local)

    parts = [queries[i::threads] for i in range(threads)]
    pool = [threading.Thread(target=work, args=(p,)) for p in parts]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    kit.close()
    return times


def http_clients(port: int, queries: list[str], clients: int, requests: int, seconds: float) -> tuple[list[float], int, float]:
    """(milliseconds per /api/search, non-200 answers, wall seconds) for ``clients``
    keep-alive clients sharing ``requests`` requests, stopped after ``seconds``."""
    times: list[float] = []
    failures = [0]
    lock = threading.Lock()
    counter = iter(range(requests))
    deadline = time.monotonic() + seconds

    def work() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        local = []
        for i in counter:
            if time.monotonic() > deadline:
                break
            t = time.perf_counter()
            conn.request("GET", "/api/search?q=" + quote(queries[i % len(queries)]))
            response = conn.getresponse()
            response.read()
            local.append((time.perf_counter() - t) * 1000)
            if response.status != 200:
                with lock:
                    failures[0] += 1
        conn.close()
        with lock:
            times.extend(local)

    started = time.perf_counter()
    pool = [threading.Thread(target=work) for _ in range(clients)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return times, failures[0], time.perf_counter() - started


def row(label: str, times: list[float], wall: float | None = None) -> str:
    rate = f"{len(times) / wall:.1f}" if wall else ""
    return f"| {label} | {len(times)} | {statistics.median(times):.1f} | {pct(times, 95):.1f} | {rate} |"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("config", nargs="?", type=Path, default=Path("/work/idx36k/config.yaml"), help="the index's config.yaml (default: the 36k OrangeSum index)")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--requests", type=int, default=1200, help="requests in all, shared by the clients")
    ap.add_argument("--seconds", type=float, default=120.0, help="stop the load after this long")
    ap.add_argument("--out", type=Path, default=REPORT)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT / "bench"))
    from run import sample_queries

    queries = sample_queries(orangesum_rows(36152), 300, 1)
    server = subprocess.Popen([sys.executable, "-m", "searchkit", "--config", str(args.config), "serve", "--port", "0", "--json"], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        port = json.loads(server.stdout.readline())["port"]  # type: ignore[union-attr]
        http_clients(port, queries, 1, 20, 60)  # warm the server's caches
        one_lib = library(args.config, queries, 1)
        one_http, fail1, wall1 = http_clients(port, queries, 1, len(queries), args.seconds)
        many_lib = library(args.config, queries, args.clients)
        many_http, fail8, wall8 = http_clients(port, queries, args.clients, args.requests, args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=60)
    documents = json.loads(subprocess.run([sys.executable, "-m", "searchkit", "--config", str(args.config), "stats", "--json"], capture_output=True, text=True, cwd=ROOT).stdout)["documents"]
    ratio = statistics.median(many_http) / statistics.median(one_lib)
    lines = [
        "# `searchkit serve` under load",
        "",
        f"Command: `.venv/bin/python bench/serve_speed.py {args.config} --clients {args.clients} --requests {args.requests} --seconds {args.seconds:g}`",
        f"Machine: {cpu_model()}, 2 cores. Index: {documents:,} articles. Queries: 300 headline queries (1-3 title words), 10 hits, snippets and facets.",
        "",
        "| what | requests | p50 ms | p95 ms | requests/s |",
        "|---|---:|---:|---:|---:|",
        row("library, 1 thread", one_lib),
        row("HTTP /api/search, 1 client", one_http, wall1),
        row(f"library, {args.clients} threads", many_lib),
        row(f"HTTP /api/search, {args.clients} clients", many_http, wall8),
        "",
        f"Non-200 answers: {fail1 + fail8}. {args.clients} HTTP clients' p50 / the library's one-thread p50: {ratio:.2f}x "
        f"(two cores: {args.clients} searches at once queue for them; the HTTP cost alone is the 1-client row against the 1-thread row).",
    ]
    text = "\n".join(lines)
    args.out.write_text(text + "\n", "utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
