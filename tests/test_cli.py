"""The command line: one CliRunner test per command, bad input, and a real subprocess."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkit.ui.cli import cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cfg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config over a copy of seeds/ plus bad files, indexed once (dates only: fast)."""
    base = tmp_path_factory.mktemp("cli")
    corpus = base / "corpus"
    shutil.copytree(ROOT / "seeds", corpus)
    (corpus / "empty.txt").write_text("")
    (corpus / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x01\x02")
    (corpus / "latin1.txt").write_bytes("Les réfugiés de Mossoul à l'été.".encode("latin-1"))
    (corpus / "header_only.txt").write_text(" date 2020-01\n")
    (corpus / "bulk.jsonl").write_text('{"id": "j1", "text": "Une roquette est tombée."}\n{broken\n', "utf-8")
    path = base / "config.yaml"
    path.write_text(f"corpus: corpus\nindex_dir: index\nextract: {{actors: false}}\nindex: {{workers: 1}}\n")
    return path


def run(cfg: Path, *args: str) -> "subprocess.CompletedProcess[str]":
    result = CliRunner().invoke(cli, ["--config", str(cfg), *args], catch_exceptions=False)
    return result


def test_index_then_rerun_does_nothing(cfg: Path) -> None:
    first = run(cfg, "index", "--json")
    report = json.loads(first.output)
    assert first.exit_code == 0
    assert report["added"] == 7  # 5 seeds + latin-1 file + one good .jsonl line
    assert sorted(s.split(": ", 1)[1] for s in report["skipped"]) == [
        "binary file (NUL bytes), not text", "empty file", "malformed JSON (Expecting property name enclosed in double quotes)",
        "only a date header, no text",
    ]
    assert any(s.endswith("bulk.jsonl:2: malformed JSON (Expecting property name enclosed in double quotes)") for s in report["skipped"])
    assert [w.split(": ", 1)[1] for w in report["warnings"]] == ["not UTF-8: decoded as cp1252"]
    again = run(cfg, "index")
    assert again.exit_code == 0 and again.output.startswith("Nothing changed: 7 articles already indexed")


def test_index_follows_changes_and_deletions(cfg: Path) -> None:
    run(cfg, "index")
    corpus = cfg.parent / "corpus"
    (corpus / "new.txt").write_text("Une nouvelle attaque de drones.", "utf-8")
    rep = json.loads(run(cfg, "index", "--json").output)
    assert (rep["added"], rep["updated"], rep["removed"], rep["documents"]) == (1, 0, 0, 8)
    (corpus / "new.txt").write_text("Une attaque de drones, corrigée.", "utf-8")
    rep = json.loads(run(cfg, "index", "--json").output)
    assert (rep["added"], rep["updated"], rep["removed"], rep["documents"]) == (0, 1, 0, 8)
    (corpus / "new.txt").unlink()
    rep = json.loads(run(cfg, "index", "--json").output)
    assert (rep["added"], rep["updated"], rep["removed"], rep["documents"]) == (0, 0, 1, 7)


def test_search_json_and_text(cfg: Path) -> None:
    run(cfg, "index")
    res = run(cfg, "search", "roquettes", "--json", "--limit", "2")
    data = json.loads(res.output)
    assert res.exit_code == 0 and data["total"] == 6 and len(data["hits"]) == 2
    text = run(cfg, "search", "refugies")
    assert text.exit_code == 0 and "**réfugiés**" in text.output and "\x1b[" not in text.output


def test_search_zero_hits_exits_0(cfg: Path) -> None:
    res = run(cfg, "search", "xylophone", "--json")
    assert res.exit_code == 0 and json.loads(res.output)["total"] == 0


@pytest.mark.parametrize("bad", ['"unclosed', "AND", "title:", "(((", "titr:Bagdad"])
def test_malformed_queries_one_line_exit_2_when_strict(cfg: Path, bad: str) -> None:
    res = CliRunner().invoke(cli, ["--config", str(cfg), "search", bad, "--strict"])
    assert res.exit_code == 2
    assert res.output.count("\n") == 1 and res.output.startswith("error: ") and "hint:" in res.output
    assert "Traceback" not in res.output


@pytest.mark.parametrize("slip", ['"unclosed', "AND", "title:", "((("])
def test_slips_are_read_as_words_with_a_note(cfg: Path, slip: str) -> None:
    res = CliRunner().invoke(cli, ["--config", str(cfg), "search", slip, "--json"])
    assert res.exit_code == 0 and json.loads(res.output)["notices"], res.output


def test_missing_index(tmp_path: Path) -> None:
    p = tmp_path / "config.yaml"
    p.write_text("index_dir: nowhere\n")
    res = CliRunner().invoke(cli, ["--config", str(p), "search", "x"])
    assert res.exit_code == 1 and res.output.startswith("error: no index in") and "searchkit index" in res.output


def test_broken_config(tmp_path: Path) -> None:
    p = tmp_path / "config.yaml"
    p.write_text("search: {limit: [oops\n")
    res = CliRunner().invoke(cli, ["--config", str(p), "stats"])
    assert res.exit_code == 1 and "not valid YAML" in res.output and res.output.count("\n") == 1


def test_show_stats_analyze_facets(cfg: Path) -> None:
    run(cfg, "index")
    show = run(cfg, "show", "003_1abb85e4a02a73e3", "--query", "roquettes")
    assert show.exit_code == 0 and "**roquettes**" in show.output and "2020-12-20" in show.output
    missing = CliRunner().invoke(cli, ["--config", str(cfg), "show", "nope"])
    assert missing.exit_code == 1 and "no article with id 'nope'" in missing.output
    stats = json.loads(run(cfg, "stats", "--json").output)
    assert stats["documents"] == 7 and stats["size_bytes"] > 0 and stats["index_dir"].endswith("index")
    analyze = json.loads(run(cfg, "analyze", "L’aéroport", "--json").output)
    assert [t["term"] for t in analyze] == ["aeroport"]
    facets = json.loads(run(cfg, "facets", "published", "--json").output)
    assert {"value": "2020-12", "count": 1, "variants": []} in facets["published"]


def test_help_for_every_command() -> None:
    for name, command in cli.commands.items():
        res = CliRunner().invoke(cli, [name, "--help"])
        assert res.exit_code == 0 and command.help and "Usage:" in res.output, name
    readme = (ROOT / "README.md").read_text("utf-8")
    assert all(f"searchkit {name}" in readme for name in cli.commands)


def test_real_subprocess(cfg: Path) -> None:
    run(cfg, "index")
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "searchkit", "--config", str(cfg), "search", "aeroport", "--json"],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert {h["id"][:3] for h in data["hits"]} == {"001", "002"}
    assert "spacy" not in proc.stderr
    bad = subprocess.run([sys.executable, "-m", "searchkit", "--config", str(cfg), "search", "(((", "--strict"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.startswith("error:") and "Traceback" not in bad.stderr
    # Without --strict the same text is read as words, with a note on what was done.
    lenient = subprocess.run([sys.executable, "-m", "searchkit", "--config", str(cfg), "search", "(((aeroport"], capture_output=True, text=True, env=env, timeout=60)
    assert lenient.returncode == 0 and "note: 3 unmatched parentheses" in lenient.stdout, lenient.stdout + lenient.stderr
