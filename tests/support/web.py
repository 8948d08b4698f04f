"""The web server for tests: a real uvicorn on a free loopback port, in a thread, and a
headless chromium driven by selenium (skipped, with the reason, where either is missing).
"""
from __future__ import annotations

import contextlib
import os
import shutil
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMEDRIVER = ("/usr/bin/chromedriver",)

XSS_ARTICLE = """date 2020-12-22
L'ambassade et <script>window.__xss = 1</script> les roquettes

Un texte qui parle de roquettes tirées vers l'ambassade, avec <img src=x onerror="window.__xss = 2"> et
<b>balises</b> que la page doit montrer comme du texte. Les roquettes sont tombées près de l'ambassade.
"""


@contextlib.contextmanager
def running(kit: Any, token: str | None = None, hosts: frozenset[str] | None = frozenset({"localhost", "127.0.0.1", "::1"})) -> Iterator[str]:
    """``create_app(kit)`` served by uvicorn on 127.0.0.1:<free port>; yields its base URL."""
    import uvicorn

    from searchkit.web import create_app
    from searchkit.web.server import bind

    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(create_app(kit, hosts=hosts, token=token), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _first(paths: tuple[str, ...], name: str) -> str | None:
    return next((p for p in paths if Path(p).exists()), None) or shutil.which(name)


def _missing(reason: str) -> None:
    """Skip, except where the browser tests are required (CI sets
    SEARCHKIT_BROWSER_TESTS=required): there a missing browser is a failure."""
    if os.environ.get("SEARCHKIT_BROWSER_TESTS") == "required":
        pytest.fail(reason)
    pytest.skip(reason)


def chromium() -> Any:
    """A headless chromium WebDriver, or skip the test saying what is missing."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium is not installed (pip install -e '.[test]')")
    browser, driver = _first(CHROMIUM, "chromium"), _first(CHROMEDRIVER, "chromedriver")
    if not browser or not driver:
        _missing("chromium and chromium-driver are not installed (apt-get install chromium chromium-driver; CI installs them)")
    os.environ["SE_OFFLINE"] = "true"  # never let selenium-manager download a driver
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=fr-FR"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)
