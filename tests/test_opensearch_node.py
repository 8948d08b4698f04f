"""The local OpenSearch node manager (``make opensearch``, .ci/run, the test fixture):
its checks, its refusal to signal a process that is not its launcher, and the node
itself once started."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from searchkit.testing import opensearch_node as node

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def scratch_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A node home with nothing running in it."""
    monkeypatch.setenv("SEARCHKIT_OPENSEARCH_HOME", str(tmp_path))
    return tmp_path


def test_without_java_the_reason_names_java(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    reason = node.missing_tools()
    assert reason is not None and "java" in reason and "17" in reason


def test_without_maven_an_unbuilt_launcher_cannot_be_built(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, scratch_home: Path) -> None:
    monkeypatch.setattr(node, "PROJECT", tmp_path / "opensearch")  # nothing built there
    monkeypatch.setattr(node.shutil, "which", lambda name: None)
    with pytest.raises(node.BuildError) as err:
        node.build()
    assert "mvn" in err.value.message and "\n" not in err.value.message


def test_status_of_an_empty_home_is_not_running(scratch_home: Path) -> None:
    assert node.status() == node.NodeStatus(False, None, None, None)
    assert node.stop() is False


def test_a_stale_pid_file_is_never_signalled(scratch_home: Path) -> None:
    """The pid file names a live process that is not the launcher (here: this very
    test process, as after a reboot that reused the pid): stop() must leave it alone."""
    (scratch_home / "node.pid").write_text(f"{os.getpid()}\n")
    (scratch_home / "http.url").write_text("http://127.0.0.1:1\n")
    assert node.status().running is False
    assert node.stop() is False  # and we are still here
    assert not (scratch_home / "node.pid").exists()


def test_the_command_line_status_as_json(scratch_home: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "searchkit.testing.opensearch_node", "status", "--json"],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"running": False, "pid": None, "url": None, "health": None}


def test_a_bad_heap_size_is_refused_before_starting(scratch_home: Path) -> None:
    with pytest.raises(node.NodeError, match="bad heap size"):
        node._launch("lots", node.DEFAULT_PORTS, 1.0)


def test_the_node_answers_with_the_plugins_searchkit_needs(opensearch_url: str) -> None:
    from searchkit.backends.opensearch_client import OpenSearchClient

    with OpenSearchClient(opensearch_url) as client:
        assert client.health()["status"] in ("green", "yellow")
        modules = {m["name"] for n in client.request("GET", "/_nodes/plugins")["nodes"].values() for m in n["plugins"]}
        assert {"org.opensearch.transport.Netty4Plugin", "org.opensearch.analysis.common.CommonAnalysisPlugin"} <= modules
        # Painless, for script_score (cosine similarity for the hybrid search).
        answer = client.request("POST", "/_scripts/painless/_execute", {"script": {"source": "params.a * 2", "params": {"a": 21}}})
        assert answer["result"] == "42"
