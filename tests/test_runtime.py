"""extract is pure: loading the NER model or indexing in-process leaves the process's BLAS
thread count as it was; only indexing worker processes tune themselves (extract/runtime.py)."""
from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest
from threadpoolctl import threadpool_info

from searchkit.extract.actors import DEFAULT_MODEL
from searchkit.extract.runtime import one_blas_thread


def blas_threads() -> list[int]:
    import numpy  # noqa: F401 - loads OpenBLAS, which threadpoolctl then sees

    return [i["num_threads"] for i in threadpool_info() if i.get("user_api") == "blas"]


def test_one_blas_thread_is_scoped() -> None:
    before = blas_threads()
    with one_blas_thread():
        assert set(blas_threads()) <= {1}
    assert blas_threads() == before


def test_loading_the_model_changes_nothing_process_wide() -> None:
    if importlib.util.find_spec(DEFAULT_MODEL) is None:
        pytest.skip(f"spaCy model {DEFAULT_MODEL} not installed")
    # A fresh process: the default thread count there is the machine's, not pytest's.
    code = (
        "import numpy; from threadpoolctl import threadpool_info as t\n"
        "n = lambda: [i['num_threads'] for i in t() if i.get('user_api') == 'blas']\n"
        "before = n()\n"
        "from searchkit.extract import extract_actors\n"
        "extract_actors('Emmanuel Macron est à Paris.')\n"
        "print(before == n(), before, n())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.stdout.startswith("True"), out.stdout + out.stderr


def test_a_worker_tunes_itself() -> None:
    code = (
        "from searchkit.extract.runtime import tune_worker; tune_worker()\n"
        "from threadpoolctl import threadpool_info as t\n"
        "print(sorted({i['num_threads'] for i in t() if i.get('user_api') == 'blas'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() in ("[1]", "[]"), out.stdout + out.stderr
