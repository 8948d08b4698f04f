"""Shared fixtures: the sample articles indexed once per test session."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SHARED_DATA = ROOT.parent / "shared" / "data"


def shared_data(*parts: str) -> Path:
    """A file under ../shared/data, or skip the test cleanly when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not available (../shared/data is optional)")
    return path


@pytest.fixture(scope="session")
def seeds_kit(tmp_path_factory: pytest.TempPathFactory):
    """A SearchKit over a copy of seeds/, fully indexed (actors and dates)."""
    from searchkit import SearchKit

    base = tmp_path_factory.mktemp("seeds_kit")
    corpus = base / "seeds"
    shutil.copytree(SEEDS, corpus)
    kit = SearchKit.open(ROOT / "config.yaml", index_dir=base / "index", corpus=corpus)
    kit.config.workers = 1
    kit.index()
    yield kit
    kit.close()
