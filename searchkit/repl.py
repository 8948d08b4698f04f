"""Interactive REPL (placeholder being replaced): pipe mode reads one query per line."""
from __future__ import annotations

import sys
from typing import Any


def run(kit: Any) -> None:
    from searchkit.errors import SearchkitError
    from searchkit.render import Style, color_enabled, format_error, format_results

    style = Style(color_enabled(sys.stdout))
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            print(format_results(kit.search(line), style))
        except SearchkitError as exc:
            print(format_error(exc.message, exc.hint, style), file=sys.stderr)
