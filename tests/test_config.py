"""config.yaml validation: errors name the file, the key and what is allowed."""
from __future__ import annotations

from pathlib import Path

import pytest

from searchkit.config import load_config
from searchkit.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_config_loads_without_warnings() -> None:
    cfg = load_config(ROOT / "config.yaml")
    assert cfg.warnings == []
    assert cfg.corpus == [ROOT / "seeds"] and cfg.index_dir == ROOT / "index"
    assert cfg.aliases == {"Kataib Hezbollah": ["Brigades du Hezbollah"]}


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("search: {limit: -3}", "'search.limit' is -3, expected an integer from 1 to 1000"),
        ("extract: {actors: maybe}", "'extract.actors' is 'maybe', expected true or false"),
        ("corpus: [1, 2]", "'corpus' is [1, 2], expected a folder or a list of folders"),
        ("search: [1]", "'search' must be a mapping"),
        ("key: [unclosed", "not valid YAML"),
        ("- a\n- b", "expected a mapping of settings"),
        ("aliases: {X: 3}", "'aliases.X' must be a list of names"),
    ],
)
def test_bad_values_are_errors(tmp_path: Path, text: str, fragment: str) -> None:
    p = tmp_path / "config.yaml"
    p.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(p)
    assert str(p) in info.value.message and fragment in info.value.message


def test_unknown_keys_warn(tmp_path: Path) -> None:
    p = tmp_path / "config.yaml"
    p.write_text("colour: red\nsearch: {limt: 3}\n")
    cfg = load_config(p)
    assert [w.split(" (")[0] for w in cfg.warnings] == [f"{p}: unknown key 'colour' ignored", f"{p}: unknown key 'search.limt' ignored"]


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "nope.yaml")
    assert "no such config file" in info.value.message and info.value.hint
