"""A tiny evaluator for the XPath subset this XLSForm uses in `relevant` and `constraint`.

Written for the tests only, independently of the generator, so that "only relevant questions
are answered" and "constraints hold" are checked against the form's own expressions.
Semantics follow ODK: a non-relevant or blank value is '', which is NaN in a numeric comparison
(so every numeric comparison with it is false) and '' in a string comparison.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

TOKEN = re.compile(
    r"\$\{(?P<ref>[A-Za-z_][\w.-]*)\}|(?P<pos>position\(\.\.\))|(?P<fn>[a-z][a-z-]*)\(|"
    r"(?P<str>'[^']*')|(?P<num>\d+(?:\.\d+)?)|(?P<dot>\.)|(?P<op><=|>=|!=|=|<|>)|"
    r"(?P<kw>\band\b|\bor\b)|(?P<punct>[(),])|(?P<ws>\s+)"
)
FUNCS = {"string-length": "strlen", "count-selected": "count_selected", "regex": "regex",
         "selected": "selected", "not": "not_", "today": "today", "date": "date_"}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class X:
    """An answer as XPath sees it."""

    def __init__(self, s: str | None):
        self.s = "" if s is None else str(s)

    def num(self) -> float:
        try:
            return float(self.s)
        except ValueError:
            return math.nan

    def _cmp(self, other, op: Callable[[object, object], bool]) -> bool:
        o = other.s if isinstance(other, X) else other
        if isinstance(o, str) and DATE.match(o) and DATE.match(self.s):
            return op(self.s, o)
        if isinstance(o, str) and op in (_eq, _ne) and not isinstance(other, X):
            return op(self.s, o)
        a = self.num()
        b = other.num() if isinstance(other, X) else float(o)
        if math.isnan(a) or math.isnan(b):
            return op is _ne
        return op(a, b)

    def __eq__(self, o):
        return self._cmp(o, _eq)

    def __ne__(self, o):
        return self._cmp(o, _ne)

    def __lt__(self, o):
        return self._cmp(o, lambda a, b: a < b)

    def __le__(self, o):
        return self._cmp(o, lambda a, b: a <= b)

    def __gt__(self, o):
        return self._cmp(o, lambda a, b: a > b)

    def __ge__(self, o):
        return self._cmp(o, lambda a, b: a >= b)

    __hash__ = None


def _eq(a, b):
    return a == b


def _ne(a, b):
    return a != b


def translate(expr: str) -> str:
    """XPath subset -> Python source."""
    out, pos = [], 0
    while pos < len(expr):
        m = TOKEN.match(expr, pos)
        if not m:
            raise ValueError(f"cannot parse {expr!r} at {pos}")
        pos = m.end()
        kind, text = m.lastgroup, m.group()
        if kind == "ref":
            out.append(f"V({m.group('ref')!r})")
        elif kind == "pos":
            out.append("POS")
        elif kind == "fn":
            out.append(FUNCS[m.group("fn")] + "(")
        elif kind == "dot":
            out.append("V('.')")
        elif kind == "op":
            out.append("==" if text == "=" else text)
        elif kind == "kw":
            out.append(f" {text} ")
        elif kind == "str":
            out.append(repr(text[1:-1]))
        elif kind != "ws":
            out.append(text)
    return "".join(out)


def evaluate(expr: str, lookup: Callable[[str], str | None], position: int = 1,
             today: str = "2026-12-31") -> bool:
    """Evaluate ``expr``; ``lookup(name)`` gives an answer ('.' is the current value)."""
    env = {
        "V": lambda n: X(lookup(n)), "POS": position,
        "strlen": lambda x: len(x.s), "count_selected": lambda x: len(x.s.split()),
        "regex": lambda x, p: re.search(p, x.s) is not None,
        "selected": lambda x, c: c in x.s.split(), "not_": lambda b: not b,
        "today": lambda: today, "date_": lambda d: d,
    }
    return bool(eval(translate(expr), {"__builtins__": {}}, env))
