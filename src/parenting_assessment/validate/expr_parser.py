"""Lexer, AST and Pratt parser for the XPath subset that XLSForm expressions use.

Hand-written rather than built on a parser generator so the grammar stays exactly as small as
what we can translate: anything outside it (location paths, predicates, unions, variables)
is rejected here with :class:`UnsupportedExpression`, so no caller can silently mistranslate it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class ExpressionError(ValueError):
    """Base class: the expression cannot be turned into SQL (caller reports it as not checked)."""

    def __init__(self, expr: str, message: str) -> None:
        super().__init__(message)
        self.expr = expr


class ExpressionSyntaxError(ExpressionError):
    """The text is not a well-formed XPath expression; ``position`` is a 0-based offset."""

    def __init__(self, expr: str, message: str, position: int) -> None:
        super().__init__(expr, f"{message} at position {position} in {expr!r}")
        self.reason = message
        self.position = position


class UnsupportedExpression(ExpressionError):
    """Valid XPath/ODK, but outside what can be evaluated over flat DuckDB tables."""

    def __init__(self, expr: str, reason: str) -> None:
        super().__init__(expr, f"unsupported: {reason} in {expr!r}")
        self.reason = reason


@dataclass(frozen=True)
class Literal:
    """A quoted string literal."""

    value: str


@dataclass(frozen=True)
class Number:
    """A numeric literal; ``text`` keeps the source spelling for exact SQL output."""

    value: float
    text: str


@dataclass(frozen=True)
class Ref:
    """``${name}``: another question's value, resolved by the caller."""

    name: str


@dataclass(frozen=True)
class Current:
    """``.``: the value of the question being validated."""


@dataclass(frozen=True)
class Parent:
    """``..``: only meaningful as the argument of ``position(..)``."""


@dataclass(frozen=True)
class Name:
    """A bare name, i.e. a child step; in a choice_filter it names a column of the choice list."""

    name: str


@dataclass(frozen=True)
class Unary:
    """Unary minus."""

    op: str
    operand: Node


@dataclass(frozen=True)
class Binary:
    """Binary operator (``or and = != < <= > >= + - * div mod``)."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    """Function call; ``pos`` is kept so later errors can point at it."""

    name: str
    args: tuple[Node, ...]
    pos: int = 0


Node = Literal | Number | Ref | Current | Parent | Name | Unary | Binary | Call

# Binding powers, lowest first, as in the XPath 1.0 grammar (all left-associative).
_LEVELS = ["or", "and", "= !=", "< <= > >=", "+ -", "* div mod"]
_BINARY_BP = {op: bp for bp, ops in enumerate(_LEVELS, start=1) for op in ops.split()}
_WORD_OPS = {"or", "and", "div", "mod"}

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<ref>\$\{(?P<refname>[^}]*)\})
  | (?P<str>'[^']*'|"[^"]*")
  | (?P<num>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)
  | (?P<dotdot>\.\.)
  | (?P<dot>\.)
  | (?P<name>[^\W\d][\w.\-]*(?::[^\W\d][\w.\-]*)?)
  | (?P<op>!=|<=|>=|//|::|[=<>+\-*(),/\[\]@|$:])
    """,
    re.VERBOSE,
)
_REF_NAME_RE = re.compile(r"[^\W\d][\w.\-]*")
# Valid XPath we deliberately do not evaluate: paths, predicates, axes, attributes, unions.
_PATH_TOKENS = {"/", "//", "[", "]", "@", "|", "::", "$", ":"}


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    pos: int


def _tokenize(expr: str) -> list[_Tok]:
    toks: list[_Tok] = []
    pos = 0
    while pos < len(expr):
        m = _TOKEN_RE.match(expr, pos)
        if m is None:
            if expr[pos] in "'\"":
                raise ExpressionSyntaxError(expr, "unterminated string literal", pos)
            raise ExpressionSyntaxError(expr, f"unexpected character {expr[pos]!r}", pos)
        kind = m.lastgroup or ""
        if kind == "op" and expr.startswith("${", pos):
            raise ExpressionSyntaxError(expr, "unterminated ${...} reference", pos)
        if kind == "ref":
            name = m.group("refname").strip()
            if name.startswith("last-saved#"):
                raise UnsupportedExpression(expr, "${last-saved#...} reads the previous record")
            if not _REF_NAME_RE.fullmatch(name):
                raise ExpressionSyntaxError(expr, f"invalid question name {name!r}", pos)
            toks.append(_Tok("ref", name, pos))
        elif kind == "str":
            toks.append(_Tok("str", m.group()[1:-1], pos))
        elif kind != "ws":
            toks.append(_Tok(kind, m.group(), pos))
        pos = m.end()
    toks.append(_Tok("eof", "", len(expr)))
    return toks


class _Parser:
    """Pratt parser over the token list; one instance per expression."""

    def __init__(self, expr: str) -> None:
        self.expr = expr
        self.toks = _tokenize(expr)
        self.i = 0

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def next(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def error(self, message: str, tok: _Tok) -> ExpressionSyntaxError:
        return ExpressionSyntaxError(self.expr, message, tok.pos)

    def expect(self, text: str) -> _Tok:
        tok = self.next()
        if tok.kind != "op" or tok.text != text:
            found = "end of expression" if tok.kind == "eof" else repr(tok.text)
            raise self.error(f"expected {text!r} but found {found}", tok)
        return tok

    def parse(self) -> Node:
        if self.peek().kind == "eof":
            raise self.error("empty expression", self.peek())
        node = self.expression(0)
        tok = self.peek()
        if tok.kind != "eof":
            self._reject_path(tok)
            raise self.error(f"unexpected {tok.text!r}", tok)
        return node

    def _infix_op(self, tok: _Tok) -> str | None:
        if tok.kind == "op" and tok.text in _BINARY_BP:
            return tok.text
        if tok.kind == "name" and tok.text in _WORD_OPS:
            return tok.text
        return None

    def expression(self, min_bp: int) -> Node:
        left = self.unary()
        while True:
            tok = self.peek()
            op = self._infix_op(tok)
            if op is None:
                self._reject_path(tok)
                return left
            bp = _BINARY_BP[op]
            if bp <= min_bp:
                return left
            self.next()
            if op == "=" and self.peek().kind == "op" and self.peek().text == "=":
                raise self.error("'==' is not XPath; use '='", self.peek())
            left = Binary(op, left, self.expression(bp))

    def unary(self) -> Node:
        tok = self.peek()
        if tok.kind == "op" and tok.text == "-":
            self.next()
            return Unary("-", self.unary())
        return self.primary()

    def _reject_path(self, tok: _Tok) -> None:
        if tok.kind == "op" and tok.text in _PATH_TOKENS:
            raise UnsupportedExpression(
                self.expr, f"XPath location path/predicate/union ({tok.text!r} at {tok.pos})"
            )

    def primary(self) -> Node:
        tok = self.next()
        if tok.kind == "ref":
            return Ref(tok.text)
        if tok.kind == "str":
            return Literal(tok.text)
        if tok.kind == "num":
            return Number(float(tok.text), tok.text)
        if tok.kind == "dot":
            return Current()
        if tok.kind == "dotdot":
            return Parent()
        if tok.kind == "name":
            nxt = self.peek()
            if nxt.kind == "op" and nxt.text == "(":
                return self.call(tok)
            if nxt.kind == "op" and nxt.text in _PATH_TOKENS:
                self._reject_path(nxt)
            return Name(tok.text)
        if tok.kind == "op" and tok.text == "(":
            inner = self.expression(0)
            self.expect(")")
            return inner
        self._reject_path(tok)
        found = "end of expression" if tok.kind == "eof" else repr(tok.text)
        raise self.error(f"expected a value but found {found}", tok)

    def call(self, name_tok: _Tok) -> Call:
        self.expect("(")
        args: list[Node] = []
        if not (self.peek().kind == "op" and self.peek().text == ")"):
            args.append(self.expression(0))
            while self.peek().kind == "op" and self.peek().text == ",":
                self.next()
                args.append(self.expression(0))
        self.expect(")")
        return Call(name_tok.text, tuple(args), name_tok.pos)


def parse(expr: str) -> Node:
    """Parse an XLSForm expression into an AST.

    Raises :class:`ExpressionSyntaxError` for malformed text and :class:`UnsupportedExpression`
    for valid XPath that needs a document tree (paths, predicates, unions).
    """
    return _Parser(expr).parse()


def _walk(node: Node) -> list[Node]:
    out: list[Node] = [node]
    if isinstance(node, Unary):
        out += _walk(node.operand)
    elif isinstance(node, Binary):
        out += _walk(node.left) + _walk(node.right)
    elif isinstance(node, Call):
        for arg in node.args:
            out += _walk(arg)
    return out


def references(expr: str | Node) -> set[str]:
    """Names of the questions referenced as ``${name}`` (used to order/join checks)."""
    node = parse(expr) if isinstance(expr, str) else expr
    return {n.name for n in _walk(node) if isinstance(n, Ref)}
