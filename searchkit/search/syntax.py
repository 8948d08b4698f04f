"""Query text -> syntax nodes: the tokeniser and grouping rules of the query language.

What it is for: ``parse.py`` turns these nodes into the query tree. The rules are the
ones Whoosh's qparser applied with the plugins searchkit's ``FrenchQueryParser`` configured
(tests/support/legacy_qparser.py)
(whitespace, single quotes, ``field:``, wildcards, groups, ``^boost``, ``*:*``,
multifield, phrases with ``~slop``, fuzzy ``~N/P``, the operators NOT/SAUF, AND/ET,
OR/OU, ANDNOT, ANDMAYBE, REQUIRE), reproduced step by step in Whoosh's order, quirks
included, so that a query reads exactly as it did (see bench/parser_equivalence.py):

1. ``tag``: at each position the first pattern of ``_TAGGERS`` that matches makes a
   node; the text between two matches is a word.
2. ``filters``: parentheses nest, stray boosts become words, fuzziness attaches to the
   word before it, wildcards absorb the text around them, ``field:`` applies to the next
   node, unfielded nodes become an OR over title and body, whitespace goes, boosts
   attach, and operators group their operands (NOT first, then AND, OR, ANDNOT,
   ANDMAYBE, REQUIRE; the default grouping is OR).

One deliberate difference: no ``[a TO b]`` ranges (Whoosh read "[photos]" as the term
range pho..s); brackets are ordinary characters.

What it must NOT do: import Whoosh, analyse words or know what a field means.
"""
from __future__ import annotations

import copy
import re
from typing import Any, Callable, Collection

__all__ = ["Group", "Text", "syntax_tree"]


class Node:
    has_fieldname = False
    has_text = False
    has_boost = False
    fieldname: str | None = None
    boost = 1.0

    def is_ws(self) -> bool:
        return False

    def is_text(self) -> bool:
        return False

    def set_fieldname(self, name: str, override: bool = False) -> None:
        if self.has_fieldname and (self.fieldname is None or override):
            self.fieldname = name

    def set_boost(self, boost: float) -> None:
        if self.has_boost:
            self.boost = boost

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.__dict__})"


class Whitespace(Node):
    def is_ws(self) -> bool:
        return True


class Marker(Node):
    """Open/close parenthesis, ``*:*``."""

    def __init__(self, kind: str) -> None:
        self.kind = kind


class Original(Node):
    """A node that turns back into a word where it cannot apply (``field:``, ``^2``, ``~2``)."""

    def __init__(self, original: str, **values: Any) -> None:
        self.original = original
        self.__dict__.update(values)


class FieldName(Original):
    has_fieldname = True


class BoostMark(Original):
    pass


class Fuzziness(Original):
    pass


class Text(Node):
    """A word, wildcard, prefix, fuzzy word or phrase (``kind``)."""

    has_fieldname = has_text = has_boost = True

    def __init__(self, text: str, kind: str = "word", **values: Any) -> None:
        self.text, self.kind, self.fieldname, self.boost = text, kind, None, 1.0
        self.__dict__.update(values)

    def is_text(self) -> bool:
        return True


class Op(Node):
    def __init__(self, text: str, group: type["Group"], prefix: bool = False) -> None:
        self.text, self.group, self.prefix = text, group, prefix


class Group(Node):
    has_boost = True
    merging = True
    binary = False

    def __init__(self, nodes: list[Node] | None = None, boost: float = 1.0) -> None:
        self.nodes, self.boost = nodes or [], boost

    def empty_copy(self) -> "Group":
        return type(self)(boost=self.boost)

    def set_fieldname(self, name: str, override: bool = False) -> None:
        for node in self.nodes:
            node.set_fieldname(name, override)


class AndGroup(Group):
    pass


class OrGroup(Group):
    pass


class NotGroup(Group):
    merging = False


class BinaryGroup(Group):
    has_boost = False
    merging = False
    binary = True


class AndNotGroup(BinaryGroup):
    pass


class AndMaybeGroup(BinaryGroup):
    pass


class RequireGroup(BinaryGroup):
    pass


def to_word(node: Original) -> Text:
    return Text(node.original)


def _boost(m: re.Match[str]) -> Node:
    try:
        return BoostMark(m.group(0), boost=float(m.group("boost")))
    except ValueError:
        return Text(m.group(0))


def _fuzziness(m: re.Match[str]) -> Node:
    dist, prefix = m.group("maxdist"), m.group("prefix")
    return Fuzziness(m.group(0), maxdist=int(dist) if dist else 1, prefixlength=int(prefix) if prefix else 0)


def _phrase(m: re.Match[str]) -> Node:
    slop = m.group("slop")
    return Text(m.group("text"), "phrase", slop=int(slop) if slop else 1)


def _op(group: type[Group], prefix: bool = False) -> Callable[[re.Match[str]], Node]:
    return lambda m: Op(m.group(0), group, prefix)


_FUZZY = r"(?<=\S)~(?P<maxdist>[0-9])?(/(?P<prefix>[1-9][0-9]*))?"
# In Whoosh's order: by priority, then by plugin order.
_TAGGERS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], Node]]] = [
    (re.compile(p), f) for p, f in [
        (r"(?<=\s)ANDNOT(?=\s)", _op(AndNotGroup)),
        (r"(?<=\s)ANDMAYBE(?=\s)", _op(AndMaybeGroup)),
        (r"[*]:[*]", lambda m: Marker("every")),
        (r"(^|(?<=\W))'(?P<text>.*?)'(?=\s|\]|[)}]|$)", lambda m: Text(m.group("text"))),
        (r"(?P<text>\w+|[*]):", lambda m: FieldName(m.group(0), fieldname=m.group("text"))),
        ("(?P<text>[*?\u055e\u061f\u1367])", lambda m: Text(m.group("text"), "wildcard")),
        (r"[(]", lambda m: Marker("(")),
        (r"[)]", lambda m: Marker(")")),
        (r"\^(?P<boost>[0-9]*(\.[0-9]+)?)($|(?=[ \t\r\n)]))", _boost),
        (r'"(?P<text>.*?)"(~(?P<slop>[1-9][0-9]*))?', _phrase),
        (_FUZZY, _fuzziness),
        (r"(^|(?<=(\s|[()])))(?:NOT|SAUF)(?=\s)", _op(NotGroup, prefix=True)),
        (r"(?<=\s)(?:AND|ET)(?=\s)", _op(AndGroup)),
        (r"(?<=\s)(?:OR|OU)(?=\s)", _op(OrGroup)),
        (r"(^|(?<=\s))REQUIRE(?=\s)", _op(RequireGroup)),
        (r"\s+", lambda m: Whitespace()),
    ]
]
# do_operators' order: NOT, AND, OR, ANDNOT, ANDMAYBE, REQUIRE.
_OPERATOR_ORDER = (NotGroup, AndGroup, OrGroup, AndNotGroup, AndMaybeGroup, RequireGroup)
_QMARKS = "?\u055e\u061f\u1367"


def tag(text: str) -> list[Node]:
    """The flat list of nodes: each tagger's match, and the words between them."""
    out: list[Node] = []
    prev = pos = 0
    while pos < len(text):
        for expr, make in _TAGGERS:
            m = expr.match(text, pos)
            if m:
                if prev < pos:
                    out.append(Text(text[prev:pos]))
                out.append(make(m))
                prev = pos = m.end()
                break
        else:
            pos += 1
    if prev < len(text):
        out.append(Text(text[prev:]))
    return out


def syntax_tree(text: str, fields: Collection[str], multifield: tuple[str, ...]) -> Group:
    """The grouped nodes of ``text``; ``fields`` are the schema's field names (another
    ``name:`` is text) and ``multifield`` the fields an unfielded node searches."""
    group = _do_groups(tag(text))
    _clean_boost(group)
    group = _do_fuzzy(group)
    _do_wildcards(group)
    group = _do_fieldnames(group, fields)
    _do_multifield(group, multifield)
    group = _remove_whitespace(group)
    group = _do_boost(group)
    return _do_operators(group)


def _do_groups(nodes: list[Node]) -> Group:
    stack: list[Group] = [OrGroup()]
    for node in nodes:
        if isinstance(node, Marker) and node.kind == "(":
            stack.append(OrGroup())
        elif isinstance(node, Marker) and node.kind == ")":
            if len(stack) > 1:
                last = stack.pop()
                stack[-1].nodes.append(last)
        else:
            stack[-1].nodes.append(node)
    top = stack[0]
    for level in stack[1:]:  # unclosed: their nodes join the top level
        top.nodes.extend(level.nodes)
    if len(top.nodes) == 1 and isinstance(top.nodes[0], Group):
        boost, top = top.boost, top.nodes[0]
        top.boost = boost
    return top


def _clean_boost(group: Group) -> None:
    for i, node in enumerate(group.nodes):
        if isinstance(node, BoostMark) and (not i or not group.nodes[i - 1].has_boost):
            group.nodes[i] = to_word(node)


def _do_fuzzy(group: Group) -> Group:
    new, nodes, i = group.empty_copy(), group.nodes, 0
    while i < len(nodes):
        node = nodes[i]
        if i < len(nodes) - 1 and isinstance(node, Text) and node.kind == "word" and isinstance(nodes[i + 1], Fuzziness):
            nxt = nodes[i + 1]
            node = Text(node.text, "fuzzy", fieldname=node.fieldname, boost=node.boost,
                        maxdist=nxt.maxdist, prefixlength=nxt.prefixlength)  # type: ignore[attr-defined]
            i += 1
        if isinstance(node, Fuzziness):
            node = to_word(node)
        if isinstance(node, Group):
            node = _do_fuzzy(node)
        new.nodes.append(node)
        i += 1
    return new


def _do_wildcards(group: Group) -> None:
    nodes, i = group.nodes, 0
    while i < len(nodes):
        node = nodes[i]
        if isinstance(node, Text) and node.kind == "wildcard":
            if i < len(nodes) - 1 and nodes[i + 1].is_text():
                node.text += nodes.pop(i + 1).text  # type: ignore[attr-defined]
            if i > 0 and nodes[i - 1].is_text():
                node.text = nodes.pop(i - 1).text + node.text  # type: ignore[attr-defined]
            else:
                i += 1
        else:
            if isinstance(node, Group):
                _do_wildcards(node)
            i += 1
    for i, node in enumerate(nodes):
        if isinstance(node, Text) and node.kind == "wildcard":
            t = node.text
            if len(t) > 1 and not any(q in t for q in _QMARKS) and t.find("*") == len(t) - 1:
                nodes[i] = Text(t[:-1], "prefix")


def _do_fieldnames(group: Group, fields: Collection[str]) -> Group:
    # A name that is no field of the schema is text: glued to the next text node.
    known, pending = group.empty_copy(), None
    for node in group.nodes:
        if isinstance(node, FieldName) and node.fieldname not in fields:
            pending = node
            continue
        if pending is not None:
            if node.has_text:
                node.text = pending.original + node.text  # type: ignore[attr-defined]
            else:
                known.nodes.append(to_word(pending))
            pending = None
        known.nodes.append(node)
    if pending is not None:
        known.nodes.append(to_word(pending))
    # Backwards: a field name applies to the node after it.
    new, nodes, i = group.empty_copy(), known.nodes, len(known.nodes)
    while i > 0:
        i -= 1
        node = nodes[i]
        if isinstance(node, FieldName):
            node = to_word(node)
        elif isinstance(node, Group):
            node = _do_fieldnames(node, fields)
        if i > 0 and not node.is_ws() and isinstance(nodes[i - 1], FieldName):
            node.set_fieldname(nodes[i - 1].fieldname, override=False)  # type: ignore[arg-type]
            i -= 1
        new.nodes.append(node)
    new.nodes.reverse()
    return new


def _do_multifield(group: Group, fieldnames: tuple[str, ...]) -> None:
    for i, node in enumerate(group.nodes):
        if isinstance(node, Group):
            _do_multifield(node, fieldnames)
        elif node.has_fieldname and node.fieldname is None:
            copies = []
            for name in fieldnames:
                c = copy.copy(node)
                c.set_fieldname(name)
                c.set_boost(1.0)
                copies.append(c)
            group.nodes[i] = OrGroup(copies)


def _remove_whitespace(group: Group) -> Group:
    new = group.empty_copy()
    for node in group.nodes:
        if isinstance(node, Group):
            new.nodes.append(_remove_whitespace(node))
        elif not node.is_ws():
            new.nodes.append(node)
    return new


def _do_boost(group: Group) -> Group:
    new = group.empty_copy()
    for node in group.nodes:
        if isinstance(node, Group):
            node = _do_boost(node)
        elif isinstance(node, BoostMark):
            if new.nodes and new.nodes[-1].has_boost:
                new.nodes[-1].set_boost(node.boost)  # type: ignore[attr-defined]
                continue
            node = to_word(node)
        new.nodes.append(node)
    return new


def _do_operators(group: Group) -> Group:
    nodes = group.nodes
    for gtype in _OPERATOR_ORDER:
        i = 0
        while i < len(nodes):
            t = nodes[i]
            if isinstance(t, Op) and t.group is gtype:
                i = _replace_prefix(nodes, i, gtype) if t.prefix else _replace_infix(nodes, i, gtype)
            else:
                i += 1
    for i, t in enumerate(nodes):
        if isinstance(t, Group):
            nodes[i] = _do_operators(t)
    return group


def _replace_prefix(nodes: list[Node], i: int, gtype: type[Group]) -> int:
    length = len(nodes)
    del nodes[i]
    if i < length - 1:
        nodes[i] = gtype([nodes[i]])
    return i


def _replace_infix(nodes: list[Node], i: int, gtype: type[Group]) -> int:
    if 0 < i < len(nodes) - 1:
        left, right = nodes[i - 1], nodes[i + 1]
        if gtype.merging and isinstance(left, gtype):
            left.nodes.append(right)
            del nodes[i : i + 2]
        else:
            nodes[i - 1 : i + 2] = [gtype([left, right])]
    else:
        del nodes[i]
    return i
