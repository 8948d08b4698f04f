"""kill -9 and Ctrl-C of the indexer at chosen moments, and what the index holds after.
"""
from __future__ import annotations

import json
import shutil
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.harness import Inspection, LOCK_FILE, Opened, committed_generation, inspect_index, open_and_search, reap_group, searchkit, start, wait_for

# ---------------------------------------------------------------------------
# Interruption: kill -9 and Ctrl-C
# ---------------------------------------------------------------------------


@dataclass
class KillTrial:
    """One indexer run killed at ``delay`` seconds, then checked, then finished."""

    signal: str
    delay: float
    landed: bool = False  # False: the run had finished before the signal
    returncode: int = 0
    stderr: str = ""
    orphans: int = 0  # worker processes still alive a second after the parent died
    lock_left: bool = False  # the lock file was on disk after the kill
    committed: int = -1  # Whoosh generation on disk after the kill
    after: Inspection = field(default_factory=Inspection)
    opened: Opened | None = None
    resume_rc: int = 0
    resume_error: str = ""
    resume_added: int = 0
    final: Inspection = field(default_factory=Inspection)

    @property
    def lost(self) -> int:
        return self.final.missing

    @property
    def open_ok(self) -> bool:
        """`stats` and `search` worked and agreed after the kill; killed before the
        index even existed, the right answer is a one-line "no index" error."""
        if self.opened is None:
            return True
        if self.committed < 0:
            return self.opened.stats_rc == 1 and "no index" in self.opened.error
        return self.opened.ok


def kill_trial(
    config: Path,
    index_dir: Path,
    expected: dict[str, str],
    delay: float,
    *,
    sig: int = signal.SIGKILL,
    fresh: bool = True,
    after_first_commit: bool = False,
    check_open: bool = True,
    resume: bool = True,
) -> KillTrial:
    """Start ``searchkit index``, send ``sig`` after ``delay`` s (counted from the first
    commit when ``after_first_commit``), inspect the index, then run ``searchkit index``
    to the end and inspect again."""
    if fresh and index_dir.exists():
        shutil.rmtree(index_dir)
    trial = KillTrial(signal.Signals(sig).name, delay)
    proc = start(config, "index", "--json")
    try:
        if after_first_commit:
            wait_for(lambda: committed_generation(index_dir) >= 1 or proc.poll() is not None, timeout=120)
        time.sleep(delay)
        trial.landed = proc.poll() is None
        if trial.landed:
            proc.send_signal(sig)
        # Not communicate(): worker processes orphaned by a kill -9 keep the pipes open.
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        trial.orphans = reap_group(proc)
    _, err = proc.communicate(timeout=60)
    trial.returncode, trial.stderr = proc.returncode, err
    trial.lock_left = (index_dir / LOCK_FILE).exists()
    trial.committed = committed_generation(index_dir)
    trial.after = inspect_index(index_dir, expected)
    if check_open:
        trial.opened = open_and_search(config, expected)
    if not resume:
        return trial
    again = searchkit(config, "index", "--json")
    trial.resume_rc = again.returncode
    trial.resume_error = again.stderr.strip().splitlines()[-1] if again.returncode and again.stderr.strip() else ""
    if again.returncode == 0:
        trial.resume_added = json.loads(again.stdout)["added"]
    trial.final = inspect_index(index_dir, expected)
    return trial


def one_line_interrupt(trial: KillTrial) -> bool:
    """Ctrl-C: exit 130 and exactly one line on stderr, no traceback."""
    lines = [ln for ln in trial.stderr.splitlines() if ln.strip()]
    return trial.returncode == 130 and len(lines) == 1 and lines[0].startswith("interrupted") and "Traceback" not in trial.stderr
