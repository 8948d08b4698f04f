"""The pool of indexing worker processes (extraction, fast-postings copies): how a worker
starts (Ctrl-C left to the parent, a watcher that ends it when the parent dies, BLAS and
malloc tuned for extraction) and how the pool is stopped on Ctrl-C or an error.

It imports no corpus reader and no extraction code, so ``index.fastcopy`` can use it
without pulling the indexer in; it must not hold any state of a run.
"""
from __future__ import annotations

import os
import signal
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator


def worker_init() -> None:
    """Start-up of every indexing worker process (extraction, fast-postings copies)."""
    # Ctrl-C goes to the whole process group: only the parent decides what to do
    # with it, so workers never print a KeyboardInterrupt traceback of their own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A kill -9 of the indexer leaves its workers blocked on the task queue forever:
    # a watcher thread ends a worker whose parent is gone.
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="searchkit-parent-watch", daemon=True).start()
    # This process only extracts: one BLAS thread, malloc that keeps freed blocks.
    from searchkit.extract.runtime import tune_worker

    tune_worker()


@contextmanager
def worker_pool(workers: int) -> Iterator[Any]:
    """A pool of ``workers`` indexing processes (see ``worker_init``). On Ctrl-C or an
    error the busy ones are stopped at once rather than waited for (the executor has
    no public way to do that); either way the pool is shut down on exit."""
    from concurrent.futures import ProcessPoolExecutor  # only when indexing: searches skip it

    pool = ProcessPoolExecutor(max_workers=workers, initializer=worker_init)
    try:
        yield pool
    except BaseException:
        for process in list(getattr(pool, "_processes", {}).values()):
            process.terminate()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
