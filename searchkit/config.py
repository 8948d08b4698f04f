"""config.yaml: loading, defaults and validation.

Every key is checked; an error names the file, the key and what is allowed, and
unknown keys come back as warnings. Relative paths are relative to the config
file's folder. No I/O beyond reading the one file.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from searchkit.corpus.registry import format_names
from searchkit.errors import ConfigError

__all__ = ["Config", "load_config"]


def enabled_formats(cfg: "Config") -> set[str]:
    """The names of the formats to read."""
    return {name for name, on in cfg.formats.items() if on}


@dataclass
class Config:
    """Validated settings with defaults (see config.yaml for what each does)."""

    corpus: list[Path] = field(default_factory=lambda: [Path("seeds")])
    index_dir: Path = Path("index")
    actors: bool = True
    dates: bool = True
    model: str = "fr_core_news_md"
    duplicates: bool = True  # near-duplicate detection (dedup.py) and collapsing
    acronyms: bool = True  # an acronym and its long form as one facet value (extract/acronyms.py)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    limit: int = 10
    title_boost: float = 2.0
    snippets: int = 2
    workers: int = 2
    max_file_mb: float = 20.0
    commit_every: int = 2000
    # Formats to read (formats: {pdf: false} in config.yaml turns one off); all by default.
    formats: dict[str, bool] = field(default_factory=lambda: {name: True for name in format_names()})
    semantic: bool | None = None  # passage vectors: on, off, or None = as the index already is
    # Where the index lives: "whoosh" (index_dir) or "opensearch" (the keys below).
    backend: str = "whoosh"
    opensearch_url: str = "http://127.0.0.1:9200"
    opensearch_index: str = "searchkit"
    opensearch_shards: int = 1
    opensearch_replicas: int = 0
    source: Path | None = None  # the file these settings came from
    warnings: list[str] = field(default_factory=list)


# key -> (section, attribute, type, description of what is allowed)
_SCHEMA: dict[str, dict[str, tuple[str, type | tuple[type, ...], str]]] = {
    "": {
        "corpus": ("corpus", (str, list), "a folder or a list of folders"),
        "index_dir": ("index_dir", str, "a folder path"),
        "aliases": ("aliases", dict, "a mapping of name: [variants]"),
        "semantic": ("semantic", bool, "true or false"),
        "backend": ("backend", str, "whoosh or opensearch"),
    },
    "opensearch": {
        "url": ("opensearch_url", str, "a URL such as http://127.0.0.1:9200"),
        "index": ("opensearch_index", str, "an index name: lowercase letters, digits, - and _"),
        "shards": ("opensearch_shards", int, "an integer from 1 to 1024"),
        "replicas": ("opensearch_replicas", int, "an integer from 0 to 16"),
    },
    "extract": {
        "actors": ("actors", bool, "true or false"),
        "dates": ("dates", bool, "true or false"),
        "model": ("model", str, "a spaCy French pipeline name, e.g. fr_core_news_md"),
        "duplicates": ("duplicates", bool, "true or false"),
        "acronyms": ("acronyms", bool, "true or false"),
    },
    "search": {
        "limit": ("limit", int, "an integer from 1 to 1000"),
        "title_boost": ("title_boost", (int, float), "a number from 0 to 100"),
        "snippets": ("snippets", int, "an integer from 0 to 10"),
    },
    "index": {
        "workers": ("workers", int, "an integer from 1 to 64"),
        "max_file_mb": ("max_file_mb", (int, float), "a number of megabytes above 0"),
        "commit_every": ("commit_every", int, "an integer from 1 to 1000000"),
    },
    # One switch per format of corpus/registry.py: "formats: {pdf: false}".
    "formats": {name: (f"format:{name}", bool, "true or false") for name in format_names()},
}
_RANGES: dict[str, tuple[float, float]] = {
    "limit": (1, 1000),
    "title_boost": (0, 100),
    "snippets": (0, 10),
    "workers": (1, 64),
    "max_file_mb": (0.001, 1e6),
    "commit_every": (1, 1_000_000),
    "opensearch_shards": (1, 1024),
    "opensearch_replicas": (0, 16),
}


def load_config(path: str | Path | None) -> Config:
    """Read and validate ``path``; ``None`` or a missing default file gives the defaults."""
    cfg = Config()
    if path is None:
        cfg.opensearch_url = os.environ.get("SEARCHKIT_OPENSEARCH_URL") or cfg.opensearch_url
        return cfg
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file", hint="pass --config PATH, or run from the project folder") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc})", hint="check the file's permissions and that it is UTF-8") from None
    import yaml  # only when there is a file to read: keeps the bare start fast

    # libyaml's parser when PyYAML has it (the same documents, ten times faster on this
    # commented file: it is read by every command, a one-shot search included).
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader, C or Python
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}:{where} not valid YAML ({getattr(exc, 'problem', exc)})", hint="fix the indentation or quoting there") from None
    cfg.source = path
    base = path.resolve().parent
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level", hint="see the shipped config.yaml")
    _apply(cfg, data, "", path)
    cfg.corpus = [p if p.is_absolute() else base / p for p in cfg.corpus]
    cfg.index_dir = cfg.index_dir if cfg.index_dir.is_absolute() else base / cfg.index_dir
    cfg.opensearch_url = os.environ.get("SEARCHKIT_OPENSEARCH_URL") or cfg.opensearch_url
    return cfg


def _apply(cfg: Config, data: dict[str, Any], section: str, path: Path) -> None:
    schema = _SCHEMA[section]
    for key, value in data.items():
        dotted = f"{section}.{key}" if section else str(key)
        if not section and key in _SCHEMA and key != "":
            if value is None:  # "extract:" with every setting under it commented out
                continue
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: '{dotted}' must be a mapping", hint=f"allowed keys: {', '.join(_SCHEMA[key])}")
            _apply(cfg, value, key, path)
            continue
        if key not in schema:
            cfg.warnings.append(f"{path}: unknown key '{dotted}' ignored (allowed here: {', '.join(sorted({k for k in schema if k} | _sections(section)))})")
            continue
        attr, typ, allowed = schema[key]
        if isinstance(value, bool) and typ is not bool and bool not in (typ if isinstance(typ, tuple) else (typ,)):
            raise ConfigError(f"{path}: '{dotted}' is {value!r}, expected {allowed}")
        if not isinstance(value, typ):
            raise ConfigError(f"{path}: '{dotted}' is {value!r}, expected {allowed}")
        if attr in _RANGES and not (_RANGES[attr][0] <= value <= _RANGES[attr][1]):
            raise ConfigError(f"{path}: '{dotted}' is {value!r}, expected {allowed}")
        if attr == "corpus":
            items = value if isinstance(value, list) else [value]
            if not items or not all(isinstance(v, str) and v.strip() for v in items):
                raise ConfigError(f"{path}: 'corpus' is {value!r}, expected {allowed}")
            value = [Path(v) for v in items]
        elif attr == "index_dir":
            if not value.strip():
                raise ConfigError(f"{path}: 'index_dir' is empty, expected {allowed}")
            value = Path(value)
        elif isinstance(value, str) and not value.strip():
            raise ConfigError(f"{path}: '{dotted}' is empty, expected {allowed}")
        elif attr == "backend" and value not in ("whoosh", "opensearch"):
            raise ConfigError(f"{path}: 'backend' is {value!r}, expected {allowed}")
        elif attr == "opensearch_index" and not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", value):
            raise ConfigError(f"{path}: 'opensearch.index' is {value!r}, expected {allowed}")
        elif attr == "aliases":
            value = _aliases(value, path)
        if attr.startswith("format:"):
            cfg.formats[attr.split(":", 1)[1]] = value
            continue
        setattr(cfg, attr, value)


def _sections(section: str) -> set[str]:
    return {k for k in _SCHEMA if k} if not section else set()


def _aliases(value: dict[Any, Any], path: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, variants in value.items():
        if isinstance(variants, str):
            variants = [variants]
        if not isinstance(name, str) or not isinstance(variants, list) or not all(isinstance(v, str) for v in variants):
            raise ConfigError(
                f"{path}: 'aliases.{name}' must be a list of names",
                hint="for example  aliases: {Kataib Hezbollah: [Brigades du Hezbollah]}",
            )
        out[name] = list(variants)
    return out
