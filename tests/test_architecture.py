"""The rules of ARCHITECTURE.md that a machine can check, read from the source with ``ast``.

* no import cycle inside searchkit/ (lazy imports in functions count: they are cycles
  waiting for a refactor to make them eager; ``if TYPE_CHECKING`` imports do not);
* the user-interface modules (cli, repl, render and the web server) import no Whoosh and no engine
  internals, and never reach for an ``engine``: they use ``SearchKit`` and ``results``;
* no module imports another module's private (``_name``) name;
* no class over 250 lines, no function over 80;
* nothing under tests/ imports bench/.

KNOWN_CYCLES and KNOWN_LONG below are the ratchet: an offender listed there is tolerated
while it is split, a new one fails. Both are empty today.
"""
from __future__ import annotations

import ast
import re
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "searchkit"

UI_MODULES = (
    "searchkit.ui.cli", "searchkit.ui.repl", "searchkit.ui.render",
    "searchkit.web", "searchkit.web.app", "searchkit.web.guard", "searchkit.web.params", "searchkit.web.server",
)
# What the user interface must not import: the search engine and its storage.
UI_FORBIDDEN = (
    "whoosh", "searchkit.search", "searchkit.index", "searchkit.text.analysis", "searchkit.corpus", "searchkit.extract",
    "searchkit.backends", "searchkit.semantic",
)
# What the query path (the search package and its engine) must never load: the indexer
# run, its workers and documents, and the corpus readers (searches stay light to import).
QUERY_MODULES = ("searchkit.search.engine",)
QUERY_FORBIDDEN = ("searchkit.index.run", "searchkit.index.indexer", "searchkit.index.workers", "searchkit.index.documents", "searchkit.corpus")
MAX_CLASS_LINES = 250
MAX_FUNCTION_LINES = 80

# Known offenders, each to be split; a new one fails the ratchet tests. Keys:
# "module:qualified name". Both are empty: every rule holds.
KNOWN_CYCLES: set[frozenset[str]] = set()
KNOWN_LONG: set[str] = set()


# -- reading the package ---------------------------------------------------------------


@lru_cache(maxsize=1)
def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


@lru_cache(maxsize=None)
def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def _type_checking_only(module: ast.Module) -> set[int]:
    """ids of the nodes under ``if TYPE_CHECKING:`` (never run)."""
    skip: set[int] = set()
    for node in ast.walk(module):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skip.update(id(n) for n in ast.walk(child))
    return skip


def imports(name: str, lazy: bool = True) -> list[tuple[str, str | None, int]]:
    """(module imported, name imported from it or None, line) for every import that runs;
    ``lazy=False``: only those at module level (run by ``import`` itself)."""
    path = modules()[name]
    module = tree(path)
    skip = _type_checking_only(module)
    top = {id(n) for n in module.body}
    out: list[tuple[str, str | None, int]] = []
    for node in ast.walk(module):
        if id(node) in skip or (not lazy and id(node) not in top):
            continue
        if isinstance(node, ast.Import):
            out += [(a.name, None, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name if path.name == "__init__.py" else name.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{node.module}" if node.module else package
            out += [(base, a.name, node.lineno) for a in node.names]
    return out


def graph(lazy: bool = True) -> dict[str, set[str]]:
    """searchkit module -> the searchkit modules it imports (``from pkg import mod`` is mod)."""
    mods = modules()
    g: dict[str, set[str]] = {}
    for name in mods:
        deps = set()
        for base, imported, _ in imports(name, lazy):
            if not base.startswith("searchkit"):
                continue
            sub = f"{base}.{imported}" if imported else None
            target = sub if sub in mods else base
            while target not in mods and "." in target:
                target = target.rpartition(".")[0]
            if target != name:
                deps.add(target)
        g[name] = deps
    return g


def cycles(g: dict[str, set[str]]) -> set[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: set[frozenset[str]] = set()

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in g.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.add(frozenset(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return found


def long_definitions() -> dict[str, int]:
    """"module:Qualified.name" -> lines, for classes and functions over the limits."""
    out: dict[str, int] = {}
    for name, path in modules().items():

        def walk(node: ast.AST, prefix: str) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                    qual = f"{prefix}{child.name}"
                    lines = child.end_lineno - child.lineno + 1  # type: ignore[operator]
                    limit = MAX_CLASS_LINES if isinstance(child, ast.ClassDef) else MAX_FUNCTION_LINES
                    if lines > limit:
                        out[f"{name}:{qual}"] = lines
                    walk(child, qual + ".")
                else:
                    walk(child, prefix)

        walk(tree(path), "")
    return out


# -- the rules -------------------------------------------------------------------------


def test_the_checks_see_the_whole_package() -> None:
    g = graph()
    assert {"searchkit.api", "searchkit.ui.cli", "searchkit.search.engine", "searchkit.extract.dates"} <= set(g)
    assert "searchkit.api" in g["searchkit.ui.cli"]
    # Lazy imports (in a function) count: runs imports the indexer only when indexing.
    assert "searchkit.index.indexer" in g["searchkit.runs"]
    assert "searchkit.index.indexer" not in graph(lazy=False)["searchkit.runs"]
    # A cycle made on purpose is found.
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == {frozenset("abc")}


def test_no_import_cycle_at_module_level() -> None:
    """Eager imports: a cycle here breaks ``import`` itself, depending on who comes first."""
    assert cycles(graph(lazy=False)) == set()


def test_no_new_import_cycle() -> None:
    assert cycles(graph()) <= KNOWN_CYCLES


def test_no_import_cycle() -> None:
    assert cycles(graph()) == set()


def test_the_query_path_never_loads_the_indexer() -> None:
    """Everything the engine imports, eagerly or lazily, transitively."""
    g = graph()
    for start in QUERY_MODULES:
        seen, todo = set(), [start]
        while todo:
            for dep in g.get(todo.pop(), ()):
                if dep not in seen:
                    seen.add(dep)
                    todo.append(dep)
        assert sorted(m for m in seen if m.startswith(QUERY_FORBIDDEN)) == [], start


def test_ui_modules_import_only_the_public_library() -> None:
    bad = []
    for name in UI_MODULES:
        for base, imported, line in imports(name):
            full = f"{base}.{imported}" if imported else base
            for forbidden in UI_FORBIDDEN:
                if base == forbidden or base.startswith(forbidden + ".") or full == forbidden:
                    bad.append(f"{name}:{line} imports {full}")
    assert bad == []


def test_ui_modules_never_reach_for_the_engine() -> None:
    bad = []
    for name in UI_MODULES:
        for node in ast.walk(tree(modules()[name])):
            if isinstance(node, ast.Attribute) and node.attr in ("engine", "_engine", "_opened"):
                bad.append(f"{name}:{node.lineno} .{node.attr}")
    assert bad == []


def test_ui_exit_codes_are_exit_statuses() -> None:
    """``ctx.exit(130)``, ``sys.exit(1)``, ``SystemExit(2)``: the codes are errors.ExitStatus."""
    bad = []
    for name in UI_MODULES:
        for node in ast.walk(tree(modules()[name])):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, int):
                func = ast.unparse(node.func)
                if func.endswith(("exit", "SystemExit", "_exit")):
                    bad.append(f"{name}:{node.lineno} {func}({node.args[0].value})")
    assert bad == []


def test_no_module_imports_a_private_name() -> None:
    """``from searchkit.x import _y`` (or ``x._y`` on an imported searchkit module) couples
    two modules through something one of them may change at will. ``__dunder__`` names
    and importing a public name under a private alias are fine."""
    bad = []
    for name, path in modules().items():
        aliases: dict[str, str] = {}
        for base, imported, line in imports(name):
            if not base.startswith("searchkit"):
                continue
            if imported and imported.startswith("_") and not imported.startswith("__"):
                bad.append(f"{name}:{line} from {base} import {imported}")
        for node in ast.walk(tree(path)):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.startswith("searchkit"):
                        aliases[a.asname or a.name.split(".")[0]] = a.name
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("searchkit"):
                for a in node.names:
                    if f"{node.module}.{a.name}" in modules():
                        aliases[a.asname or a.name] = f"{node.module}.{a.name}"
        for node in ast.walk(tree(path)):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                    and node.attr.startswith("_") and not node.attr.startswith("__")):
                bad.append(f"{name}:{node.lineno} {node.value.id}.{node.attr}")
    assert bad == []


def test_no_new_long_class_or_function() -> None:
    assert set(long_definitions()) <= KNOWN_LONG, long_definitions()


def test_no_class_over_250_lines_no_function_over_80() -> None:
    assert long_definitions() == {}


_BENCH_BY_PATH = re.compile(r"""(?:spec_from_file_location|sys\.path\.(?:insert|append))\(.*bench|["']bench["']\s*/""")


def test_tests_import_nothing_from_bench() -> None:
    bad = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        module = ast.parse(text)
        for node in ast.walk(module):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            bad += [f"{path.name}:{node.lineno} imports {n}" for n in names if n == "bench" or n.startswith("bench.")]
        # Loading a bench script by path, or putting bench/ on sys.path, is importing it too.
        if path.name != "test_architecture.py":
            bad += [f"{path.name} loads bench/ by path" for m in _BENCH_BY_PATH.finditer(text)]
    assert bad == []


def test_bench_imports_the_harness_not_the_reverse() -> None:
    support = ROOT / "tests" / "support"
    assert (support / "__init__.py").is_file()
    text = (ROOT / "bench" / "reliability.py").read_text(encoding="utf-8")
    assert "from tests.support" in text


def test_no_test_module_skips_at_import_for_missing_shared_data() -> None:
    """``shared_data()`` skips; called at a test module's top level it breaks the
    collection of the whole suite on a machine without ../shared (a fresh clone):
    pytest refuses a skip outside a test. It belongs in fixtures and tests."""
    bad = []
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            calls = [n for n in ast.walk(node) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "shared_data"]
            if calls and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bad.append(f"{path.name}:{node.lineno}")
    assert bad == []
