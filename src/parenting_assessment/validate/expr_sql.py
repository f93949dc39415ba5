"""Type-directed translation of an XLSForm expression AST into a DuckDB SQL expression.

XPath is dynamically typed and the exported columns are all text, so every AST node is
translated to SQL *plus a static kind* (str, num, bool, date, datetime); operators then insert
the conversions JavaRosa (ODK Collect's engine) would apply at run time:

* strings are never NULL: NULL and '' both mean "unanswered" and become '';
* numbers are DOUBLE and SQL NULL stands for XPath NaN, so arithmetic propagates it for free;
  DuckDB's own NaN (0/0, inf-inf) is folded to NULL because DuckDB orders NaN above +inf
  and would make ``0 div 0 > 5`` true; x div 0 stays +/-Infinity as in XPath;
* booleans are never NULL: a comparison involving NaN is FALSE, except ``!=`` which is TRUE.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from functools import partial

import duckdb

from .expr_parser import (
    Binary,
    Call,
    Current,
    Literal,
    Name,
    Node,
    Number,
    Parent,
    Ref,
    Unary,
    UnsupportedExpression,
)

__all__ = ["SqlContext", "Translator", "Typed", "re2_problem", "repeat_aggregate", "sql_string"]

_NUM_RE = r"^\s*(-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))\s*$"
_DATE_RE = r"^\s*([0-9]{4}-[0-9]{2}-[0-9]{2}\S*)\s*$"
_NAN = "'NaN'::DOUBLE"


@dataclass(frozen=True)
class SqlContext:
    """How names in an expression map onto SQL, supplied by the caller who knows the tables.

    ``column`` resolves ``${name}`` (current row or joined parent row); ``current`` is the SQL
    for ``.``; ``aggregate(func, name)`` returns a scalar subquery for ``count``/``sum``/``max``/
    ``min``/``count-non-empty`` over a repeat; ``position`` is the 1-based repeat index for
    ``position(..)``; ``choice_column`` resolves bare names in a choice_filter. Callbacks may
    raise ``LookupError`` to say "not available here" - it becomes UnsupportedExpression.
    """

    column: Callable[[str], str]
    current: str | None = None
    aggregate: Callable[[str, str], str] | None = None
    position: str | None = None
    today: str = "current_date"
    now: str = "localtimestamp"
    choice_column: Callable[[str], str] | None = None


@dataclass(frozen=True)
class Typed:
    """A SQL expression with its XPath kind: 'str', 'num', 'bool', 'date' or 'datetime'.

    ``lazy`` (set by if()/coalesce()) rebuilds the expression for another kind by converting
    inside each branch, so nested conditionals do not repeat a converted CASE exponentially.
    """

    sql: str
    kind: str
    lazy: Callable[[str], str] | None = field(default=None, compare=False)


def sql_string(value: str) -> str:
    """Quote a Python string as a SQL literal (XPath strings have no escapes of their own)."""
    return "'" + value.replace("'", "''") + "'"


def quote_ident(name: str) -> str:
    """Quote a SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def text_value(sql: str) -> str:
    """ODK stores every answer as text and blank as '': make NULL and '' the same value."""
    return f"COALESCE(CAST({sql} AS VARCHAR), '')"


def _str_to_ts(s: str) -> str:
    # Date/dateTime answers are text in the export; only ISO-looking values are parsed.
    return f"TRY_CAST(regexp_extract({s}, '{_DATE_RE}', 1) AS TIMESTAMP)"


def _str_to_num(s: str) -> str:
    # JavaRosa toNumeric: ',' read as '.', plain decimals only (no exponent, no 'inf'), else NaN.
    # A date answer converts to whole days since 1970 (JavaRosa does that for date-typed nodes;
    # the export lost the type, so ISO date text is recognised instead). ``s`` is embedded
    # only twice so that nested conversions stay small.
    number = f"TRY_CAST(regexp_extract(replace({s}, ',', '.'), '{_NUM_RE}', 1) AS DOUBLE)"
    return f"COALESCE({number}, floor(epoch({_str_to_ts(s)}) / 86400.0))"


def _num_to_str(n: str) -> str:
    # JavaRosa toString(Double): integral values print without '.0', NaN prints 'NaN'.
    return (
        f"(CASE WHEN {n} IS NULL THEN 'NaN' WHEN isinf({n}) THEN "
        f"(CASE WHEN {n} > 0 THEN 'Infinity' ELSE '-Infinity' END) "
        f"WHEN abs({n}) < 1e-12 THEN '0' "
        f"WHEN {n} = trunc({n}) AND abs({n}) < 1e15 THEN CAST(CAST({n} AS BIGINT) AS VARCHAR) "
        f"ELSE CAST({n} AS VARCHAR) END)"
    )


def convert(t: Typed, kind: str) -> str:
    """XPath type conversion of ``t`` to ``kind`` ('num', 'str', 'bool', 'date', 'datetime')."""
    if t.kind == kind:
        return t.sql
    if t.lazy is not None:
        return t.lazy(kind)
    return _CONVERTERS[kind](t)


# XPath number() (DOUBLE, NULL = NaN), string() and boolean() (never NULL), and JavaRosa's
# date conversions (TIMESTAMP / DATE, NULL when the value is not a date).
to_num: Callable[[Typed], str] = partial(convert, kind="num")
to_str: Callable[[Typed], str] = partial(convert, kind="str")
to_bool: Callable[[Typed], str] = partial(convert, kind="bool")
to_ts: Callable[[Typed], str] = partial(convert, kind="datetime")
to_date: Callable[[Typed], str] = partial(convert, kind="date")


def _num(t: Typed) -> str:
    if t.kind == "str":
        return _str_to_num(t.sql)
    if t.kind == "bool":
        return f"CAST({t.sql} AS DOUBLE)"
    # JavaRosa toNumeric(Date) is whole days; decimal-date-time() keeps the fraction.
    return f"floor(epoch(CAST({t.sql} AS TIMESTAMP)) / 86400.0)"


def _str(t: Typed) -> str:
    if t.kind == "num":
        return _num_to_str(t.sql)
    if t.kind == "bool":
        return f"(CASE WHEN {t.sql} THEN 'true' ELSE 'false' END)"
    fmt = "%Y-%m-%d" if t.kind == "date" else "%Y-%m-%dT%H:%M:%S.%g"
    return f"COALESCE(strftime({t.sql}, '{fmt}'), '')"


def _bool(t: Typed) -> str:
    if t.kind == "num":
        return f"COALESCE(abs({t.sql}) > 1e-12, FALSE)"
    if t.kind == "str":
        return f"({t.sql} <> '')"
    return f"({t.sql} IS NOT NULL)"


def _ts(t: Typed) -> str:
    if t.kind == "str":
        return _str_to_ts(t.sql)
    if t.kind == "num":
        us = f"TRY_CAST(round({t.sql} * 86400000000.0) AS BIGINT)"
        return f"(TIMESTAMP '1970-01-01' + to_microseconds({us}))"
    if t.kind == "date":
        return f"CAST({t.sql} AS TIMESTAMP)"
    return "CAST(NULL AS TIMESTAMP)"


def _date(t: Typed) -> str:
    if t.kind == "num":
        return f"(DATE '1970-01-01' + TRY_CAST(trunc({t.sql}) AS INTEGER))"
    return f"CAST({convert(t, 'datetime')} AS DATE)"


_CONVERTERS = {"num": _num, "str": _str, "bool": _bool, "datetime": _ts, "date": _date}


def common_kind(a: Typed, b: Typed) -> str:
    """Default kind of if()/coalesce() when used as a value; mixed kinds read as a string."""
    if a.kind == b.kind:
        return a.kind
    if {a.kind, b.kind} == {"date", "datetime"}:
        return "datetime"
    return "str"


class Translator:
    """Walks the AST of one expression; function calls live in :mod:`.expressions`."""

    def __init__(self, expr: str, ctx: SqlContext, call: Callable[[Translator, Call], Typed]):
        self.expr = expr
        self.ctx = ctx
        self._call = call

    def fail(self, reason: str) -> UnsupportedExpression:
        """Build the exception for a construct that cannot be evaluated in SQL."""
        return UnsupportedExpression(self.expr, reason)

    def resolve(self, fn: Callable[..., str], *args: str) -> str:
        """Call a caller-supplied resolver, mapping "not available" to UnsupportedExpression."""
        try:
            return fn(*args)
        except (LookupError, UnsupportedExpression) as exc:
            reason = exc.reason if isinstance(exc, UnsupportedExpression) else str(exc)
            raise self.fail(f"cannot resolve {args[-1]!r} here ({reason})") from exc

    def visit(self, node: Node) -> Typed:
        """Translate one node to SQL with its kind."""
        if isinstance(node, Literal):
            return Typed(sql_string(node.value), "str")
        if isinstance(node, Number):
            text = ("0" + node.text if node.text.startswith(".") else node.text).rstrip(".")
            return Typed(f"CAST('{text}' AS DOUBLE)", "num")
        if isinstance(node, Ref):
            return Typed(text_value(self.resolve(self.ctx.column, node.name)), "str")
        if isinstance(node, Current):
            if self.ctx.current is None:
                raise self.fail("'.' used but no current value was given")
            return Typed(text_value(self.ctx.current), "str")
        if isinstance(node, Parent):
            raise self.fail("'..' is only supported as position(..)")
        if isinstance(node, Name):
            if self.ctx.choice_column is None:
                raise self.fail(f"bare name {node.name!r} (relative path) outside a choice_filter")
            return Typed(text_value(self.resolve(self.ctx.choice_column, node.name)), "str")
        if isinstance(node, Unary):
            return Typed(f"(- {to_num(self.visit(node.operand))})", "num")
        if isinstance(node, Binary):
            return self.binary(node)
        return self._call(self, node)

    def binary(self, node: Binary) -> Typed:
        """Operators, with XPath 1.0 comparison rules (JavaRosa XPathEqExpr / XPathCmpExpr)."""
        left, right, op = self.visit(node.left), self.visit(node.right), node.op
        if op in ("and", "or"):
            return Typed(f"({to_bool(left)} {op.upper()} {to_bool(right)})", "bool")
        if op in ("=", "!="):
            kinds = {left.kind, right.kind}
            if "bool" in kinds:
                eq = f"({to_bool(left)} = {to_bool(right)})"
            elif "num" in kinds:
                eq = f"COALESCE(abs({to_num(left)} - {to_num(right)}) < 1e-12, FALSE)"
            else:  # strings, and dates compared through their ISO text like JavaRosa
                eq = f"({to_str(left)} = {to_str(right)})"
            return Typed(eq if op == "=" else f"(NOT {eq})", "bool")
        if op in ("<", "<=", ">", ">="):  # XPath: relational operators always compare numbers
            return Typed(f"COALESCE({to_num(left)} {op} {to_num(right)}, FALSE)", "bool")
        # DOUBLE '%' truncates like Java (sign of the dividend); DuckDB fmod() floors instead.
        sql_op = {"div": "/", "mod": "%"}.get(op, op)
        return Typed(f"NULLIF({to_num(left)} {sql_op} {to_num(right)}, {_NAN})", "num")


# Java regex features RE2 (DuckDB) lacks or reads differently, found outside escapes and
# character classes: lookaround/atomic groups, possessive quantifiers; inside: && and nesting.
_JAVA_GROUP = re.compile(r"\(\?(<?[=!]|>)")
_ESCAPE = re.compile(r"\\([pP]\{[^}]*\}|[1-9]|.)", re.DOTALL)


def re2_problem(pattern: str) -> str | None:
    """Why a Java regex (ODK) cannot run as RE2 (DuckDB), or None if it can.

    Java-only syntax is refused rather than passed on, because RE2 would either reject the
    whole query at run time or, for ``&&`` in a class, silently read it differently.
    """
    i, quantified = 0, False
    while i < len(pattern):
        m = _ESCAPE.match(pattern, i)
        if m:
            if m.group(1)[0] in "123456789":
                return "Java-only backreference"
            i, quantified = m.end(), False
            continue
        c = pattern[i]
        if c == "[":
            j = i + 2 if pattern[i + 1 : i + 2] == "]" else i + 1
            while j < len(pattern) and pattern[j] != "]":
                if pattern.startswith("&&", j) or pattern[j] == "[":
                    return "Java-only class intersection/union"
                j += 2 if pattern[j] == "\\" else 1
            i, quantified = j + 1, False
            continue
        if c == "+" and quantified:
            return "Java-only possessive quantifier"
        if _JAVA_GROUP.match(pattern, i):
            return "Java-only lookaround or atomic group"
        quantified = c in "*+?}" and not (c == "?" and quantified)
        i += 1
    try:  # let DuckDB's own RE2 compile it now rather than fail the whole query later
        with duckdb.connect() as con:
            con.execute("SELECT regexp_full_match('', ?)", [pattern]).fetchall()
    except duckdb.Error as exc:
        return f"not valid RE2 ({exc})"
    return None


def repeat_aggregate(
    table: str,
    foreign_key: str,
    parent_key: str,
    columns: Collection[str] | None = None,
    repeat_name: str | None = None,
) -> Callable[[str, str], str]:
    """Build a :attr:`SqlContext.aggregate` that summarises one child (repeat) table.

    ``table`` is the SQL name of the child table, ``foreign_key`` its column pointing at the
    parent and ``parent_key`` the SQL for the current parent row's key. If ``columns`` is given,
    only those names (and ``repeat_name``, for ``count(${repeat})``) are aggregated; others
    raise ``LookupError``. Sums skip blanks (JavaRosa), max/min of all-blank is NaN.
    """

    def aggregate(func: str, name: str) -> str:
        if columns is not None and name not in columns and name != repeat_name:
            raise LookupError(f"{name!r} is not a field of repeat table {table}")
        if name == repeat_name and func != "count":
            raise LookupError(f"{func}() of the repeat group itself")
        val = text_value(f"_r.{quote_ident(name)}")
        num = to_num(Typed(val, "str"))
        body = {
            "count": "count(*)",
            "count-non-empty": f"count(*) FILTER (WHERE {val} <> '')",
            "sum": f"COALESCE(sum({num}), 0)",
            "max": f"max({num})",
            "min": f"min({num})",
        }[func]
        return (
            f"SELECT {body} FROM {table} AS _r WHERE _r.{quote_ident(foreign_key)} = {parent_key}"
        )

    return aggregate
