"""Build, start, wait for and stop the local single-node OpenSearch of ``opensearch/``.

One implementation for ``make opensearch`` / ``make opensearch-stop``, for ``.ci/run``
and for the tests' session fixture: build the launcher with Maven on first use (jars
from Maven Central), start it in the background with a bounded heap and its data and
logs under ``.opensearch/`` in the project, wait for yellow health, and print the URL.

    python -m searchkit.testing.opensearch_node start   # prints the URL on stdout
    python -m searchkit.testing.opensearch_node stop
    python -m searchkit.testing.opensearch_node status

Environment: SEARCHKIT_OPENSEARCH_HEAP (512m; 1g at most on these machines),
SEARCHKIT_OPENSEARCH_PORTS (the HTTP port range, 9250-9299: the first free one is taken),
SEARCHKIT_OPENSEARCH_HOME (the node's folder, ``.opensearch/``), JAVA_HOME.

It must NOT be needed to use searchkit (the Whoosh backend needs no Java), talk to a
node beyond health checks, or stop a process it cannot recognise as the launcher it
started (it checks the process's command line before signalling it).
"""
from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from searchkit.backends.opensearch_client import OpenSearchClient
from searchkit.errors import OpenSearchError, SearchkitError

__all__ = [
    "BuildError",
    "NodeError",
    "NodeStatus",
    "ensure_started",
    "missing_tools",
    "start",
    "status",
    "stop",
]

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ROOT / "opensearch"
MAIN_CLASS = "searchkit.LocalNode"
DEFAULT_HEAP = "512m"  # the machines are small and shared; 1g at most
DEFAULT_PORTS = "9250-9299"  # off 9200, so a real cluster on this machine is left alone
START_TIMEOUT = 180.0  # seconds; about 20 s on two busy cores after the first build


class NodeError(SearchkitError):
    """The local node could not be started or stopped."""


class BuildError(NodeError):
    """The launcher could not be built (no Maven, or Maven Central out of reach)."""


@dataclass(frozen=True)
class NodeStatus:
    """The local node as seen from its home folder."""

    running: bool
    pid: int | None
    url: str | None
    health: str | None  # green / yellow / red, None when not answering


def home_dir() -> Path:
    """Where the node keeps data, logs, its pid and URL (``.opensearch/`` by default)."""
    return Path(os.environ.get("SEARCHKIT_OPENSEARCH_HOME") or ROOT / ".opensearch").resolve()


def _java() -> str | None:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    return shutil.which("java")


def _java_major(java: str) -> int | None:
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30).stderr
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def _built() -> bool:
    """True when target/ holds a launcher built from the current pom.xml and sources."""
    stamp = PROJECT / "target" / ".built"
    if not stamp.exists() or not (PROJECT / "target" / "lib").is_dir():
        return False
    newest = max(p.stat().st_mtime for p in [PROJECT / "pom.xml", *(PROJECT / "src").rglob("*") ] if p.is_file())
    return stamp.stat().st_mtime >= newest


def missing_tools() -> str | None:
    """Why the local node cannot run on this machine (no Java 17+, or no Maven to build
    it), or None. Reaching Maven Central is only known by trying (``build``)."""
    if not (PROJECT / "pom.xml").exists():
        return f"no launcher project at {PROJECT} (the local OpenSearch node needs a source checkout of searchkit)"
    java = _java()
    if java is None:
        return "no `java` on PATH (the local OpenSearch node needs Java 17 or newer)"
    major = _java_major(java)
    if major is None or major < 17:
        return f"{java} is not Java 17 or newer (the local OpenSearch node needs it)"
    if not _built() and shutil.which("mvn") is None:
        return "no `mvn` on PATH to build the local OpenSearch node (apt-get install maven)"
    return None


def build(force: bool = False) -> None:
    """``mvn package`` in ``opensearch/`` unless already built; its output goes to
    ``.opensearch/logs/build.log``."""
    if not force and _built():
        return
    mvn = shutil.which("mvn")
    if mvn is None:
        raise BuildError("cannot build the local OpenSearch node: no `mvn` on PATH", hint="apt-get install maven")
    log = home_dir() / "logs" / "build.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    print("building the local OpenSearch node with Maven (first use only) ...", file=sys.stderr)
    with log.open("wb") as out:
        done = subprocess.run(
            [mvn, "-B", "-q", "package"], cwd=PROJECT, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    if done.returncode != 0:
        tail = _tail(log)
        offline = "Could not resolve" in tail or "Could not transfer" in tail or "UnknownHost" in tail
        raise BuildError(
            "cannot build the local OpenSearch node: Maven "
            + ("could not download the jars" if offline else f"failed (exit {done.returncode})"),
            hint=("the first build needs Maven Central; " if offline else "") + f"see {log}",
        )
    (PROJECT / "target" / ".built").touch()


def _read(path: Path) -> str | None:
    try:
        return path.read_text("utf-8").strip() or None
    except OSError:
        return None


def _is_launcher(pid: int) -> bool:
    """True when ``pid`` is alive and is our launcher for this home (not a reused pid)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True  # no /proc (not Linux): trust the pid file
    args = [a.decode("utf-8", "replace") for a in cmdline]
    return MAIN_CLASS in args and str(home_dir()) in args


def _health(url: str) -> str | None:
    try:
        with OpenSearchClient(url, timeout=5, retries=0) as client:
            return str(client.health().get("status"))
    except OpenSearchError:
        return None


def status() -> NodeStatus:
    """Whether the node of ``home_dir()`` runs, its URL and health."""
    home = home_dir()
    pid_text = _read(home / "node.pid")
    pid = int(pid_text) if pid_text and pid_text.isdigit() else None
    running = pid is not None and _is_launcher(pid)
    url = _read(home / "http.url") if running else None
    return NodeStatus(running, pid if running else None, url, _health(url) if url else None)


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    """One start or stop at a time per home (make, pytest and CI may race)."""
    home = home_dir()
    home.mkdir(parents=True, exist_ok=True)
    with (home / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def ensure_started(heap: str | None = None, ports: str | None = None, timeout: float = START_TIMEOUT) -> tuple[str, bool]:
    """The URL of a running local node, starting one if needed; and whether it was
    started by this call (so that the caller knows whether to stop it)."""
    with _locked():
        now = status()
        if now.running and now.url:
            _wait_ready(now.url, now.pid, time.monotonic() + timeout)
            return now.url, False
        if now.pid is not None:
            # A launcher without a URL: its starter died mid-start (the lock is ours, so
            # nobody is waiting for it). It holds the data folder's lock: stop it first.
            _terminate(now.pid)
        reason = missing_tools()
        if reason:
            raise BuildError(f"cannot start the local OpenSearch node: {reason}", hint="install a JDK 17+ and Maven")
        build()
        return _launch(heap or os.environ.get("SEARCHKIT_OPENSEARCH_HEAP") or DEFAULT_HEAP,
                       ports or os.environ.get("SEARCHKIT_OPENSEARCH_PORTS") or DEFAULT_PORTS, timeout), True


def start(heap: str | None = None, ports: str | None = None, timeout: float = START_TIMEOUT) -> str:
    """Start the local node (or find it running) and return its URL once yellow."""
    return ensure_started(heap, ports, timeout)[0]


def _launch(heap: str, ports: str, timeout: float) -> str:
    if not re.fullmatch(r"\d+[mMgG]", heap):
        raise NodeError(f"bad heap size {heap!r}", hint="write it like 512m or 1g")
    home = home_dir()
    for name in ("node.pid", "http.url"):
        (home / name).unlink(missing_ok=True)
    (home / "logs").mkdir(parents=True, exist_ok=True)
    (home / "tmp").mkdir(parents=True, exist_ok=True)
    log = home / "logs" / "node.log"
    extra = _extra_plugins()
    classpath = os.pathsep.join(
        [str(PROJECT / "target" / "classes"), str(PROJECT / "target" / "lib" / "*"), *(f"{d}/*" for d in extra)]
    )
    command = [
        _java() or "java",
        f"-Xms{heap}",
        f"-Xmx{heap}",
        "-XX:+UseSerialGC",  # two shared cores: no parallel GC threads fighting for them
        "-Dfile.encoding=UTF-8",
        f"-Djava.io.tmpdir={home / 'tmp'}",
        "-Dlog4j2.formatMsgNoLookups=true",
        "-Dsearchkit.plugins=" + ",".join(extra.values()),
        "-cp",
        classpath,
        MAIN_CLASS,
        str(home),
        ports,
    ]
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, cwd=home, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,  # not killed with the terminal or pytest's process group
        )
    (home / "node.pid").write_text(f"{process.pid}\n", "utf-8")
    print(f"starting the local OpenSearch node (pid {process.pid}, heap {heap}, log {log}) ...", file=sys.stderr)
    deadline = time.monotonic() + timeout
    url_file = home / "http.url"
    while (url := _read(url_file)) is None:
        if process.poll() is not None:
            (home / "node.pid").unlink(missing_ok=True)
            raise NodeError(
                f"the local OpenSearch node exited during start-up (exit {process.returncode})",
                hint=f"see {log}: {_last_line(log)}",
            )
        if time.monotonic() > deadline:
            _terminate(process.pid)
            raise NodeError(f"the local OpenSearch node did not start within {timeout:.0f} s", hint=f"see {log}")
        time.sleep(0.25)
    _wait_ready(url, process.pid, deadline)
    return url


def _extra_plugins() -> dict[Path, str]:
    """The plugins unpacked under target/plugins/ (the k-NN plugin): folder -> plugin class,
    read from each one's plugin-descriptor.properties."""
    found: dict[Path, str] = {}
    for descriptor in sorted((PROJECT / "target" / "plugins").glob("*/plugin-descriptor.properties")):
        for line in descriptor.read_text("utf-8").splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "classname" and value.strip():
                found[descriptor.parent] = value.strip()
    return found


def _wait_ready(url: str, pid: int | None, deadline: float) -> None:
    while True:
        health = _health(url)
        if health in ("green", "yellow"):
            return
        if pid is not None and not _is_launcher(pid):
            raise NodeError("the local OpenSearch node stopped while starting", hint=f"see {home_dir() / 'logs' / 'node.log'}")
        if time.monotonic() > deadline:
            raise NodeError(f"the local OpenSearch node at {url} is not yellow (health {health})", hint="see .opensearch/logs/node.log")
        time.sleep(0.25)


def stop(timeout: float = 60.0) -> bool:
    """Stop the local node (SIGTERM: it closes its indices; SIGKILL after ``timeout``).
    Returns False when no node was running."""
    with _locked():
        now = status()
        home = home_dir()
        if now.pid is not None:
            _terminate(now.pid, timeout)
        for name in ("node.pid", "http.url"):
            (home / name).unlink(missing_ok=True)
        return now.running


def _terminate(pid: int, timeout: float = 60.0) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            break
        time.sleep(0.2)


def _alive(pid: int) -> bool:
    # Reap it if it is our own child (started by this process), else it stays a zombie.
    with contextlib.suppress(ChildProcessError):
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _is_launcher(pid)


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text("utf-8", "replace").splitlines()[-lines:])
    except OSError:
        return ""


def _last_line(path: Path) -> str:
    for line in reversed(_tail(path).splitlines()):
        if line.strip():
            return line.strip()[:200]
    return "(empty)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m searchkit.testing.opensearch_node", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["start", "stop", "status", "build"])
    parser.add_argument("--heap", help=f"JVM heap, e.g. 512m or 1g (default {DEFAULT_HEAP}, or $SEARCHKIT_OPENSEARCH_HEAP)")
    parser.add_argument("--ports", help=f"HTTP port range to bind the first free of (default {DEFAULT_PORTS})")
    parser.add_argument("--json", action="store_true", help="status as JSON")
    args = parser.parse_args(argv)
    try:
        if args.command == "start":
            url = start(args.heap, args.ports)
            print(url)
        elif args.command == "stop":
            print("stopped the local OpenSearch node" if stop() else "no local OpenSearch node was running", file=sys.stderr)
        elif args.command == "build":
            build(force=True)
        else:
            now = status()
            if args.json:
                print(json.dumps(now.__dict__))
            else:
                print(f"running at {now.url} (pid {now.pid}, health {now.health})" if now.running else "not running")
    except SearchkitError as exc:
        print(f"error: {exc.message}" + (f" (hint: {exc.hint})" if exc.hint else ""), file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
