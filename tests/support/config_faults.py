"""A bad value for every config.yaml key, unknown keys, and indexes stamped by another
analyzer or schema version (or damaged).
"""
from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from tests.support.harness import INDEX_NAME, inspect_index, searchkit

# ---------------------------------------------------------------------------
# config.yaml
# ---------------------------------------------------------------------------


def config_cases() -> list[tuple[str, str, str]]:
    """(yaml text, dotted key, what-is-allowed text) with a bad value for every key."""
    from searchkit import config as cfg_mod

    cases: list[tuple[str, str, str]] = []
    for section, keys in cfg_mod._SCHEMA.items():
        for key, (attr, typ, allowed) in keys.items():
            types = typ if isinstance(typ, tuple) else (typ,)
            bad_values: list[str] = []
            if bool in types:
                bad_values += ['"maybe"', "3"]
            elif int in types or float in types:
                bad_values += ['"lots"', "true", "[1]"]
                if int in types and float not in types:
                    bad_values.append("2.5")
                lo, hi = cfg_mod._RANGES.get(attr, (None, None))
                if lo is not None:
                    bad_values += [repr(lo - 1), repr(hi * 10 + 1)]
            elif dict in types:
                bad_values += ["[1, 2]", '"text"']
            else:  # str / list of folders
                bad_values += ["[1, 2]" if list not in types else "{a: 1}", '""', "7"]
            for value in bad_values:
                text = f"{key}: {value}\n" if not section else f"{section}:\n  {key}: {value}\n"
                cases.append((text, f"{section}.{key}" if section else key, allowed))
    return cases


def check_config_case(tmp: Path, text: str, dotted: str, allowed: str) -> str | None:
    """None when the error names the file, the key and what is allowed, else why not."""
    from searchkit.config import load_config
    from searchkit.errors import ConfigError

    path = tmp / "config.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_config(path)
    except ConfigError as exc:
        msg = exc.message
        if str(path) in msg and f"'{dotted}'" in msg and (allowed in msg or allowed in (exc.hint or "")) and "\n" not in msg:
            return None
        return f"{text.strip()!r}: unclear error {msg!r}"
    except Exception as exc:
        return f"{text.strip()!r}: crash {type(exc).__name__}: {exc}"
    return f"{text.strip()!r}: accepted"


def unknown_key_cases() -> list[tuple[str, str]]:
    from searchkit import config as cfg_mod

    cases = [("colour: red\n", "colour")]
    for section in cfg_mod._SCHEMA:
        if section:
            cases.append((f"{section}:\n  bogus_key: 1\n", f"{section}.bogus_key"))
    return cases


# ---------------------------------------------------------------------------
# Index compatibility
# ---------------------------------------------------------------------------

STAMP_FILE = "searchkit.json"


def tamper(index_dir: Path, how: str) -> None:
    """Make the index look built by another searchkit (or damaged)."""
    stamp = index_dir / STAMP_FILE
    if how == "analyzer_version":
        data = json.loads(stamp.read_text())
        data["analyzer_version"] = data.get("analyzer_version", 0) + 100
        stamp.write_text(json.dumps(data))
    elif how == "schema_version":
        data = json.loads(stamp.read_text())
        data["schema_version"] = data.get("schema_version", 0) + 100
        stamp.write_text(json.dumps(data))
    elif how == "no stamp":
        stamp.unlink()
    elif how == "stamp not JSON":
        stamp.write_text("{not json")
    elif how == "damaged TOC":
        toc = max(index_dir.glob(f"_{INDEX_NAME}_*.toc"), key=lambda p: p.stat().st_mtime_ns)
        toc.write_bytes(b"\x00garbage" * 10)
    else:
        raise ValueError(how)


COMPAT_CASES = ("analyzer_version", "schema_version", "no stamp", "stamp not JSON", "damaged TOC")


@dataclass
class CompatOutcome:
    case: str
    refused: dict[str, bool]  # command -> refused with a one-line --rebuild message, nothing on stdout
    messages: dict[str, str]
    rebuilt: bool  # `index --rebuild` then gives the exact corpus


def run_compat(
    base: Path, config: Path, expected: dict[str, str], case: str, run: Callable[..., subprocess.CompletedProcess[str]] = searchkit
) -> CompatOutcome:
    """Index, ``tamper`` with the index, then `search`, `stats` and `index` must each
    refuse it in one line pointing to ``--rebuild``, and ``index --rebuild`` must work.
    ``run``: ``searchkit`` (a real process) or ``cli_runner`` (in this process)."""
    index_dir = base / "index"
    shutil.rmtree(index_dir, ignore_errors=True)
    run(config, "index")
    tamper(index_dir, case)
    refused, messages = {}, {}
    for cmd in (["search", "Article", "--json"], ["stats", "--json"], ["index"]):
        r = run(config, *cmd, timeout=120)
        lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
        messages[cmd[0]] = lines[-1] if lines else f"exit {r.returncode}, no message"
        refused[cmd[0]] = r.returncode == 1 and len(lines) == 1 and "--rebuild" in r.stderr and not r.stdout.strip()
    r = run(config, "index", "--rebuild")
    return CompatOutcome(case, refused, messages, r.returncode == 0 and inspect_index(index_dir, expected).exact)
