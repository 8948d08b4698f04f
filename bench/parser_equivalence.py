"""Is our own parser (search/parse.py -> compile_whoosh) the Whoosh qparser's twin?

For every query string of the realistic sets (PIAF questions as asked and as the ranking
benchmark cleans them, with and without accents; OrangeSum test titles and abstracts;
the HTML pages' titles, descriptions and quoted lines; every string the tests pass to a
search or a parser; the examples of docs/search.md and README.md) and of a generated
syntax-heavy set, in lenient and strict mode, compare

    compile_whoosh(parse_query(text, resolver, strict=...).tree)
    build_query(text, schema, WhooshFacets(resolver), strict=...).query.normalize()

(``build_query``: the Whoosh qparser searchkit used before, tests/support/legacy_qparser.py)

(Whoosh query ``==``), the notices, the typed word kept on each leaf, and, when the old
parser raises, the error class, message and hint. Facets resolve against a real index
(read only). Prints counts per set and every difference class with examples.

    PYTHONPATH=. python bench/parser_equivalence.py [--index /work/idx36k/index] [--generated 6000]
"""
from __future__ import annotations

import argparse
import ast
import gzip
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Callable, Iterable

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
if not SHARED.exists():
    SHARED = Path("/work/shared/data")
sys.path.insert(0, str(ROOT))

from unidecode import unidecode  # noqa: E402

from searchkit.errors import SearchkitError  # noqa: E402
from searchkit.search.compile_whoosh import compile_whoosh, to_whoosh  # noqa: E402
from searchkit.index.schema import build_schema  # noqa: E402
from searchkit.search.parse import parse_query  # noqa: E402
from searchkit.search.resolve import facet_terms  # noqa: E402
from tests.support.legacy_qparser import WhooshFacets, build_query  # noqa: E402

_CLEAN = re.compile(r'["():*~?]')  # bench/ranking.py's clean()


def clean(q: str) -> str:
    return re.sub(r"\s+", " ", _CLEAN.sub(" ", q)).strip()


# -- query sets -------------------------------------------------------------------------
def piaf() -> list[str]:
    out: list[str] = []
    for name in ("spf", "cnil"):
        for line in (SHARED / "piaf_ir_dev" / f"{name}_dev_queries.tsv").read_text("utf-8").splitlines():
            q = line.partition("\t")[2]
            out += [q, clean(q), unidecode(q), clean(unidecode(q))]
    return out


def orangesum(limit: int) -> list[str]:
    wanted: set[int] = set()
    for split in ("title_test.txt", "heading_test.txt"):
        wanted |= {int(x.strip().removesuffix(".json")) for x in (SHARED / "orangesum" / "splits" / split).read_text().split() if x.strip()}
    out: list[str] = []
    with gzip.open(SHARED / "orangesum" / "orangesum_articles.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            obj = json.loads(line)
            if obj["id"] not in wanted:
                continue
            for q in (obj.get("title") or "", obj.get("abstract") or ""):
                if q.strip():
                    out += [q, clean(q), clean(unidecode(q))]
            if len(out) >= limit:
                break
    return out


def ranking_sets() -> list[str]:
    """Exactly the query strings of bench/ranking.py as it runs by default (5,000 articles,
    300 queries per OrangeSum set; every PIAF set): what a ranking re-run would search."""
    sys.path.insert(0, str(ROOT / "bench"))
    import ranking  # noqa: E402 - bench/ is this script's own folder

    samples = [ranking.load_sample(5000, 300), ranking.load_piaf("spf"), ranking.load_piaf("cnil")]
    return [q for sample in samples for queries in sample.queries.values() for _, q in queries]


def html_gold() -> list[str]:
    out: list[str] = []
    for page in json.loads((SHARED / "html_fr_dev" / "gold.json").read_text("utf-8")).values():
        for key in ("title", "description", "author"):
            if page.get(key):
                out.append(page[key])
        for key in ("with", "without"):
            value = page.get(key)
            items = ast.literal_eval(value) if isinstance(value, str) and value.startswith("[") else value or []
            out += [s for s in items if isinstance(s, str)]
    return out


_QUERY_CALLS = re.compile(r"search|parse|query|relax|check_syntax|count|explain|similar|timeline|facets|ask|run")


def _strings(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str) and 0 < len(n.value) < 1200]


def test_strings(every_literal: bool = False) -> list[str]:
    """The query strings of tests/*.py: the first argument (or ``query=``/``text=``) of a call
    whose name looks like a search or a parse, the argument after ``"search"`` in a CLI
    call, every string of a ``parametrize``; ``every_literal``: every string literal."""
    out: list[str] = []
    for path in sorted((ROOT / "tests").glob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        if every_literal:
            out += _strings(tree)
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name == "parametrize":
                out += _strings(node)
            elif _QUERY_CALLS.search(name.lower()):
                args = list(node.args[:1]) + [k.value for k in node.keywords if k.arg in ("query", "text", "q")]
                out += [s for a in args for s in _strings(a) if isinstance(a, ast.Constant)]
            flat = [a for arg in node.args for a in (arg.elts if isinstance(arg, (ast.List, ast.Tuple)) else [arg])]
            for before, after in zip(flat, flat[1:]):
                if isinstance(before, ast.Constant) and before.value == "search" and isinstance(after, ast.Constant) and isinstance(after.value, str):
                    out.append(after.value)
    return out


def doc_strings() -> list[str]:
    out: list[str] = []
    for path in (ROOT / "docs" / "search.md", ROOT / "README.md"):
        text = path.read_text("utf-8")
        out += re.findall(r"`([^`\n]+)`", text)
        out += [a or b for a, b in re.findall(r"searchkit search (?:'([^']+)'|\"([^\"]+)\")", text)]
    return out


_WORDS = ["roquettes", "Bagdad", "ambassade", "l'avion", "L’État", "États-Unis", "aujourd'hui", "le", "les", "de",
          "sécurité", "securite", "14:30", "2020", "Kazimi", "Macron", "Trump", "Paris", "x", "a", "être", "œuvre",
          "qu’il", "C'est", "photos", "TO", "to", "mineur?", "zone", "verte", "Téhéran", "Hezbollah", "l’", "d'Irak"]
_FIELDS = ["titre:", "title:", "texte:", "body:", "personne:", "person:", "lieu:", "org:", "acteur:", "date:",
           "mentionne:", "publié:", "id:", "Note:", "titr:", "http:", "source:", "14:", "_x:", "*:", "title_exact:"]
_OPS = ["AND", "OR", "NOT", "ET", "OU", "SAUF", "ANDNOT", "ANDMAYBE", "REQUIRE", "et", "ou", "not"]
_MODS = ["~", "~2", "~3", "~/2", "~1/9", "*", "?", "^2", "^0.5", "^", "~5", "*x", ""]
_PUNCT = ["(", ")", "«", "»", "'", '"', ",", ";", ":", "!", "?", "[", "]", "{", "}", "-", "…", "*:*", "*", "\\",
          "\u061f", "\u055e", "\n", "'zone verte'", "'l'avion'", "((", "))", "^3", "~", "..", "’"]
_DATES = ["2020-12", "2020-13", '"décembre 2020"', "2020-11..2021-01", "2020", "undated"]


EDGE_CASES = [
    "*:*", "a *:* b", "NOT *:*", "titre:*", "(*)", "title:*:*", "foo:*:*", "a (*) b", "titre:* x", "a* *b",
    "a REQUIRE b", "REQUIRE a", "a ANDMAYBE b", "a ANDNOT b c", "a ANDNOT ANDMAYBE b", "x ANDNOT AND y",
    "NOT NOT a", "NOT (NOT a)", "a AND NOT b", "a OR NOT b SAUF c", "(NOT a) OR b", "NOT a b", "a SAUF b SAUF c",
    "'l'avion' x", "'zone verte'", "''", "(' a ')", "x 'a b' y", "'Tis the season'",
    "(" * 120 + "roquettes" + ")" * 120, "(" * 400 + "roquettes" + ")" * 400, "NOT " * 200 + "roquettes",
    "x~1/5 x~1/6", "a\\*b", "ab\\*", "a\\?", '"a\nb" c', "é:x", "É:x", "x^2^3", "(a b)^2 OR c", "roquettes^2 OR bagdad^3",
    '"zone verte"^2', "title:(roquettes bagdad)^2", "NOT roquettes^2", "(NOT roquettes)^2", "roquettes ^2", "(roquettes ^2)",
    "personne:(Macron OR Trump)", "date:(2020 OR 2021)", "roquettes date:2020-11", "roquettes OR date:2020-11",
    "personne:Macron lieu:Paris", "personne:Macron lieu:Paris roquettes", "personne:Macron SAUF lieu:Paris roquettes",
    "id:abc", "id:abc*", 'id:"a b"', "id:abc~", "id:abc^2 roquettes", "~", "~2", "roquettes ~2", "roquettes~2b",
    '"zone verte"~2', '"zone verte"~0', '"zone"~3', '""', 'NOT ""', "14:30", "http://example.com/a?b=c", "https:x",
    "États-Unis~", "aujourd'hui*", "l'avi*", "L'avi*", "d'Irak?", "roquettes " * 150, "a" * 1001,
    "date:2020-13", "date:\"décembre 2020\"", "date:2020-11..2021-01", "mentionne:2021", "personne:Kazimi~",
    "personne:Kaz*", "lieu:\"Bagdad\"", "org:Hezbollah^2", "acteur:Trump~2", "personne:*", "le la les", "être ou ne pas être",
    "ou ne pas", "pour quelle", "AND", "NOT", "( )", "titre:", "titre: roquettes", "Note: roquettes", "titr:Bagdad",
    "déclaré:Le président", "Bagdad: la zone verte", "roquettes AND", "OR roquettes", "roquettes AND OR bagdad",
    "roquettes\u061f", "roquettes\u055e x", "roquettes؟ bagdad", "x ET y OU z", "x OU y ET z", "(x OU y) ET z",
    "title_exact:x", '"a"title_exact:x', '"a"date_key:5', '"a"source:x', '"a"personne:x', "_x:y", "1x:y", "x-y:z",
]


def _token(rng: random.Random, depth: int = 0, ranges: bool = True) -> str:
    r = rng.random()
    if r < 0.35:
        return rng.choice(_WORDS) + (rng.choice(_MODS) if rng.random() < 0.3 else "")
    if r < 0.5:
        value = rng.choice(_DATES) if rng.random() < 0.3 else _token(rng, depth + 1, ranges) if depth < 2 else rng.choice(_WORDS)
        return rng.choice(_FIELDS) + value
    if r < 0.6:
        words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(0, 3)))
        return f'"{words}"' + (rng.choice(["~2", "~1", "^3", "*", ""]) if rng.random() < 0.4 else "")
    if r < 0.7 and depth < 3:
        inner = " ".join(_token(rng, depth + 1, ranges) for _ in range(rng.randint(1, 3)))
        return f"({inner})" + (rng.choice(["^2", "~", ""]) if rng.random() < 0.3 else "")
    if r < 0.85:
        return rng.choice(_OPS)
    if r < 0.92 and ranges:
        return f"[{rng.choice(_WORDS)} TO {rng.choice(_WORDS)}]"
    punct = rng.choice(_PUNCT)
    return punct if ranges or punct not in "[]{}" else "-"


def generated(n: int, seed: int = 22, ranges: bool = True) -> list[str]:
    """``n`` random syntax-heavy strings; ``ranges=False``: no ``[a TO b]`` nor brackets."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        toks = [_token(rng, 0, ranges) for _ in range(rng.randint(1, 7))]
        glue = [" " if rng.random() < 0.85 else rng.choice(["", "  ", "\t"]) for _ in toks]
        out.append("".join(t + g for t, g in zip(toks, glue)).strip())
    return out


# -- comparing ------------------------------------------------------------------------------
def _walk(q: Any) -> Iterable[Any]:
    yield q
    for c in q.children():
        yield from _walk(c)


def _typed(q: Any) -> list[Any]:
    return [getattr(x, "typed", None) for x in _walk(q) if x.is_leaf()]


def _outcome(fn: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return "ok", fn()
    except SearchkitError as exc:
        return "raise", (type(exc).__name__, exc.message, exc.hint)
    except Exception as exc:  # a crash: compared like an error
        return "crash", (type(exc).__name__, str(exc), None)


def compare(text: str, strict: bool, schema: Any, engine: Any, resolver: Any) -> tuple[str, str]:
    """(outcome, difference class): equal / both-raise-same / different / raise-mismatch."""
    k_old, old = _outcome(lambda: build_query(text, schema, engine, strict=strict))
    k_new, new = _outcome(lambda: parse_query(text, resolver, strict=strict))
    if k_old != "ok" or k_new != "ok":
        if k_old == k_new and old == new:
            return "both-raise-same", ""
        return "raise-mismatch", _classify(text, old if k_old == "ok" else None) + f" old={k_old}:{_short(old)} new={k_new}:{_short(new)}"
    compiled = compile_whoosh(new.tree)
    if old.query.normalize() != compiled:
        return "different", _classify(text, old)
    if old.notices != new.notices:
        return "different", "notices"
    if _typed(old.query) != _typed(to_whoosh(new.tree)) and old.query == to_whoosh(new.tree):
        return "different", _classify(text, old) + ": typed word on leaves"
    return ("equal" if old.query == to_whoosh(new.tree) else "equal-normalized"), ""


def _short(x: Any) -> str:
    if isinstance(x, tuple):
        return f"{x[0]}({x[1]!r})"
    return repr(getattr(x, "query", x))[:120]


def _classify(text: str, old: Any) -> str:
    q = getattr(old, "query", None)
    if re.search(r"[\[{][^\]}]*[Tt][Oo][^\]}]*[\]}]", text) or q is not None and any(
            type(x).__name__ in ("TermRange", "NumericRange") for x in _walk(q)):
        return "range [a TO b] (deliberate: no ranges)"
    return "other"


class TreeResolver:
    """The engine's facet vocabulary, answering with tree nodes."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine

    def facet_terms(self, field: str, value: str) -> Any:
        return facet_terms(field, value, self.engine.groups, self.engine.backend.terms)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index", type=Path, default=Path("/work/idx36k/index"))
    ap.add_argument("--generated", type=int, default=6000)
    ap.add_argument("--orangesum", type=int, default=9000, help="OrangeSum query strings (titles, abstracts, cleaned)")
    ap.add_argument("--examples", type=int, default=3)
    ap.add_argument("--seed", type=int, default=22, help="of the generated set")
    ap.add_argument("--sets", default="ranking,piaf,orangesum,html,tests,tests-every-literal,docs,edge,generated,generated-no-brackets", help="comma-separated set names")
    args = ap.parse_args()
    from searchkit.search.engine import Engine

    engine = Engine.open(args.index)
    schema, resolver = build_schema(), TreeResolver(engine)
    old_resolver = WhooshFacets(resolver)  # the old parser's resolver: Whoosh queries of the same terms
    loaders: dict[str, Callable[[], list[str]]] = {
        "ranking": ranking_sets, "piaf": piaf, "orangesum": lambda: orangesum(args.orangesum), "html": html_gold, "tests": test_strings,
        "tests-every-literal": lambda: test_strings(every_literal=True),
        "docs": doc_strings, "edge": lambda: EDGE_CASES, "generated": lambda: generated(args.generated, args.seed),
        "generated-no-brackets": lambda: generated(args.generated, args.seed + 1, ranges=False),
    }
    sets = {name: loaders[name]() for name in args.sets.split(",")}
    total: Counter[str] = Counter()
    diffs: dict[str, list[str]] = defaultdict(list)
    started = time.time()
    for name, queries in sets.items():
        queries = list(dict.fromkeys(q for q in queries if q))
        counts: Counter[str] = Counter()
        for text in queries:
            for strict in (False, True):
                outcome, why = compare(text, strict, schema, old_resolver, resolver)
                counts[outcome] += 1
                if why:
                    diffs[f"{name}: {outcome}: {why.split(' old=')[0]}"].append(f"{'strict' if strict else 'lenient'} {text!r} {why}")
        total.update(counts)
        print(f"{name:10} {len(queries):6} queries x 2 modes: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    print(f"{'all':10} " + ", ".join(f"{k} {v}" for k, v in sorted(total.items())) + f"  ({time.time() - started:.0f} s)")
    for cls, examples in sorted(diffs.items(), key=lambda kv: -len(kv[1])):
        print(f"\n[{len(examples)}] {cls}")
        for ex in examples[: args.examples]:
            print("   ", ex[:400])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
