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


def test_maven_central_out_of_reach_is_a_build_error_with_a_hint(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, scratch_home: Path
) -> None:
    """A real Maven build whose repository cannot be reached (a mirror on a closed port,
    an empty local repository): BuildError (the fixture's cue to skip), one line, hint."""
    import shutil

    real_mvn = shutil.which("mvn")
    if real_mvn is None:
        pytest.skip("no `mvn` on PATH")
    project = tmp_path / "opensearch"
    shutil.copytree(node.PROJECT, project, ignore=shutil.ignore_patterns("target"))
    settings = tmp_path / "settings.xml"
    settings.write_text(
        f"<settings><localRepository>{tmp_path / 'repo'}</localRepository><mirrors><mirror><id>nowhere</id>"
        "<mirrorOf>*</mirrorOf><url>http://127.0.0.1:1/maven2</url></mirror></mirrors></settings>"
    )
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "mvn").write_text(f'#!/bin/sh\nexec "{real_mvn}" -s "{settings}" "$@"\n')
    (bin_dir / "mvn").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(node, "PROJECT", project)
    with pytest.raises(node.BuildError) as err:
        node.build()
    assert err.value.message == "cannot build the local OpenSearch node: Maven could not download the jars"
    assert "Maven Central" in (err.value.hint or "") and "build.log" in (err.value.hint or "")


def test_knn_vector_fields_work_with_the_lucene_engine(opensearch_url: str, opensearch_index: str) -> None:
    """The k-NN plugin (2.19.1.0 on the 2.19.6 core, pure-Java Lucene engine): a
    knn_vector field, an approximate k-NN query, and exact cosine scoring in script_score
    with the plugin's own ``knn_score`` script. (Painless's ``cosineSimilarity`` is not
    there: classpath plugins do not extend Painless, so use ``knn_score``.)"""
    from searchkit.backends.opensearch_client import OpenSearchClient

    with OpenSearchClient(opensearch_url) as client:
        client.create_index(opensearch_index, {
            "settings": {"index": {"knn": True, "number_of_replicas": 0}},
            "mappings": {"properties": {"v": {
                "type": "knn_vector", "dimension": 3,
                "method": {"name": "hnsw", "engine": "lucene", "space_type": "cosinesimil"},
            }}},
        })
        vectors = {"x": [1, 0, 0], "y": [0, 1, 0], "xy": [0.9, 0.1, 0]}
        client.bulk([({"index": {"_id": k}}, {"v": v}) for k, v in vectors.items()], index=opensearch_index, refresh=True)
        knn = client.request("POST", f"/{opensearch_index}/_search", {"query": {"knn": {"v": {"vector": [1, 0, 0], "k": 2}}}})
        assert [h["_id"] for h in knn["hits"]["hits"]] == ["x", "xy"]
        script = {"lang": "knn", "source": "knn_score",
                  "params": {"field": "v", "query_value": [0, 1, 0], "space_type": "cosinesimil"}}
        scored = client.request("POST", f"/{opensearch_index}/_search", {
            "query": {"script_score": {"query": {"match_all": {}}, "script": script}}
        })
        assert [h["_id"] for h in scored["hits"]["hits"]] == ["y", "xy", "x"]


def test_outside_a_source_checkout_the_reason_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(node, "PROJECT", tmp_path / "opensearch")
    reason = node.missing_tools()
    assert reason is not None and "source checkout" in reason
