"""Reading free text the way a person means it, before the query parser sees it.

People paste sentences from articles into the search box: news text is full of
quotes, « », parentheses, colons and upper-case words that happen to be operators
("PARIS ET LYON"). The query language gives some of these characters a meaning, and
read literally, an odd quote or a stray ``)`` is a syntax error. ``relax`` rewrites
only what cannot be meant as syntax (an unclosed quote, a parenthesis that closes
nothing, an operator with nothing on one side, ``Note:`` followed by a space) and
says what it did, one notice per reinterpretation, so that the CLI, the REPL and
programs can show it (``Results.notices``).

What it must not do: guess at what looks like intended syntax (``titre:Bagdad``,
``"zone verte"``, ``mot~9``) -- those stay exact, and their errors stay errors; import
Whoosh or touch an index: this module is pure string work, shared by every backend.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from searchkit.vocab import (
    BINARY_OPERATORS,
    FIELD_ALIASES,
    FIELDS_HINT,
    MAX_QUERY_CHARS,
    NOT_OPERATORS,
    OPERATORS,
    canonical_field,
)

__all__ = ["Relaxed", "plain_words", "relax"]

# A field reference as the parser sees one: a word that starts with a letter, then ':'.
_FIELD_REF = re.compile(r"(?<![\w\"])([^\W\d_][\w-]*):(?=(\S)?)")
# A question or exclamation mark glued to the end of a word is punctuation, not a
# one-character wildcard: "mineur?" must find "mineur".
_TRAILING_PUNCT = re.compile(r"(?<=\w)[?!]+(?=\s|$)")
# Characters that are syntax in the query language; ``plain_words`` removes them all.
_SYNTAX_CHARS = re.compile(r'["()\[\]{}~^*?:!]')


@dataclass
class Relaxed:
    """The text to parse and what was changed to make it parse."""

    text: str
    notices: list[str] = field(default_factory=list)


def relax(text: str) -> Relaxed:
    """Rewrite what cannot be meant as query syntax; each change gives a notice.

    >>> relax('le "Monde').text, relax('le "Monde').notices
    ('le  Monde', ['an unclosed " was read as a space'])
    >>> relax("roquettes ET").text
    'roquettes et'
    >>> relax('titre:Bagdad "zone verte"').notices
    []
    """
    out = Relaxed(text)
    _cut(out)
    _close_quotes(out)
    _balance_parentheses(out)
    _loose_fields(out)
    _stray_operators(out)
    out.text = _outside_quotes(out.text, lambda seg: _TRAILING_PUNCT.sub("", seg))
    return out


def plain_words(text: str) -> str:
    """``text`` with every syntax character and operator read as a plain word: the
    last resort when even the relaxed text does not parse.

    >>> plain_words('a (b OR "c')
    'a  b or  c'
    """
    text = _SYNTAX_CHARS.sub(" ", text)
    return " ".join(w.lower() if w in OPERATORS else w for w in text.split(" "))


# -- steps ---------------------------------------------------------------------
def _cut(out: Relaxed) -> None:
    if len(out.text) <= MAX_QUERY_CHARS:
        return
    cut = out.text[:MAX_QUERY_CHARS]
    # At a word boundary, so that the last word is not a fragment.
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    out.text = cut
    out.notices.append(f"the query was cut to its first {len(cut):,} characters (at most {MAX_QUERY_CHARS:,})")


def _close_quotes(out: Relaxed) -> None:
    text = out.text
    if text.count('"') % 2 == 0:
        return
    # The last quote is the one left open: the pairs before it stay phrases.
    i = text.rfind('"')
    out.text = text[:i] + " " + text[i + 1 :]
    out.notices.append('an unclosed " was read as a space')


def _split_quotes(text: str) -> list[str]:
    """Alternating segments: outside, "inside", outside... (quotes are balanced here)."""
    return re.split(r'("[^"]*")', text)


def _outside_quotes(text: str, fn: object) -> str:
    parts = _split_quotes(text)
    for i in range(0, len(parts), 2):
        parts[i] = fn(parts[i])  # type: ignore[operator]
    return "".join(parts)


def _balance_parentheses(out: Relaxed) -> None:
    parts = _split_quotes(out.text)
    # Positions (segment, index) of each parenthesis outside quotes.
    opened: list[tuple[int, int]] = []
    drop: set[tuple[int, int]] = set()
    for p in range(0, len(parts), 2):
        for i, ch in enumerate(parts[p]):
            if ch == "(":
                opened.append((p, i))
            elif ch == ")":
                if opened:
                    opened.pop()
                else:
                    drop.add((p, i))
    drop.update(opened)
    if not drop:
        return
    for p in {p for p, _ in drop}:
        seg = list(parts[p])
        for pp, i in drop:
            if pp == p:
                seg[i] = " "
        parts[p] = "".join(seg)
    out.text = "".join(parts)
    n = len(drop)
    out.notices.append(f"{n} unmatched parenthes{'is was' if n == 1 else 'es were'} read as a space")


def _loose_fields(out: Relaxed) -> None:
    """``Note: …`` or ``titre:`` with nothing after it: a colon in a sentence, not a field.
    So is ``word:Value`` when the word is no field nor one letter away from one
    (``titr:Bagdad`` stays a field typo that the parser reports)."""
    found: list[str] = []
    words: list[str] = []

    # Over the whole text (a value may be a phrase: date:"décembre 2020"), skipping
    # what is inside quotes.
    quoted = [m.span() for m in re.finditer(r'"[^"]*"', out.text)]

    def one(m: re.Match[str]) -> str:
        name, following = m.group(1), m.group(2)
        if any(a <= m.start() < b for a, b in quoted) or name.lower() in ("http", "https"):
            return m.group(0)
        if following is not None and following not in ")":
            if canonical_field(name) or _near_a_field(name):
                return m.group(0)  # a field, or a typo of one: the parser checks it
            # "déclaré:Le", "Bagdad:" -- a word and a colon in pasted text.
            words.append(name)
            return name + " "
        found.append(name)
        return name + " "

    out.text = _FIELD_REF.sub(one, out.text)
    for name in dict.fromkeys(words):
        out.notices.append(f"'{name}:' is not a field: read as a word ({FIELDS_HINT})")
    for name in dict.fromkeys(found):
        what = "field name" if canonical_field(name) else "word"
        out.notices.append(f"'{name}:' has no value: read as a {what}, not a field")


def _near_a_field(name: str) -> bool:
    """One edit from a field name (two for long ones): a typo, not a word of a sentence.
    Short names never count: "est" is one letter from "text"."""
    name = name.lower()
    if len(name) < 4:
        return False
    limit = 1 if len(name) < 7 else 2
    return any(abs(len(a) - len(name)) <= limit and _distance(a, name) <= limit for a in FIELD_ALIASES)


def _distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _stray_operators(out: Relaxed) -> None:
    """An operator needs a word on each side (NOT/SAUF: after it): else it is a word."""
    changed: list[str] = []
    parts = _split_quotes(out.text)
    # Tokens outside quotes, with phrases standing as one word.
    tokens: list[tuple[int, int, int, str]] = []  # (part, start, end, token)
    for p, part in enumerate(parts):
        if p % 2:
            tokens.append((p, 0, len(part), "PHRASE"))
            continue
        for m in re.finditer(r"[()]|[^\s()]+", part):
            tokens.append((p, m.start(), m.end(), m.group(0)))
    lower: set[int] = set()
    for k, (_, _, _, tok) in enumerate(tokens):
        if tok not in OPERATORS:
            continue
        before = tokens[k - 1][3] if k > 0 else None
        after = tokens[k + 1][3] if k + 1 < len(tokens) else None
        right_ok = after is not None and after != ")" and after not in BINARY_OPERATORS
        left_ok = before is not None and before != "(" and (before not in OPERATORS or k - 1 in lower)
        ok = right_ok if tok in NOT_OPERATORS else right_ok and left_ok
        if not ok:
            lower.add(k)
            changed.append(tok)
    if not lower:
        return
    # Rewrite right to left so that offsets stay valid.
    for k in sorted(lower, reverse=True):
        p, a, b, tok = tokens[k]
        parts[p] = parts[p][:a] + tok.lower() + parts[p][b:]
    out.text = "".join(parts)
    for tok in dict.fromkeys(changed):
        out.notices.append(f"'{tok}' has no word on one side: read as a word, not an operator")
