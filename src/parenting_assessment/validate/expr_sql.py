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

from collections.abc import Callable, Collection
from dataclasses import dataclass

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

__all__ = ["SqlContext", "Translator", "Typed", "quote_ident", "repeat_aggregate", "sql_string"]

_NUM_RE = r"\s*-?([0-9]+(\.[0-9]*)?|\.[0-9]+)\s*"
_DATE_PREFIX_RE = r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}"
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
    """A SQL expression with its XPath kind: 'str', 'num', 'bool', 'date' or 'datetime'."""

    sql: str
    kind: str


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
    return f"(CASE WHEN regexp_matches({s}, '{_DATE_PREFIX_RE}') THEN TRY_CAST(trim({s}) AS TIMESTAMP) END)"  # noqa: E501


def _str_to_num(s: str) -> str:
    # JavaRosa toNumeric: ',' read as '.', plain decimals only (no exponent, no 'inf'), else NaN.
    # A date answer converts to whole days since 1970 (JavaRosa does that for date-typed nodes;
    # the export lost the type, so ISO date text is recognised instead).
    c = f"replace({s}, ',', '.')"
    return (
        f"(CASE WHEN regexp_full_match({c}, '{_NUM_RE}') THEN CAST(trim({c}) AS DOUBLE) "
        f"ELSE floor(epoch({_str_to_ts(s)}) / 86400.0) END)"
    )


def _num_to_str(n: str) -> str:
    # JavaRosa toString(Double): integral values print without '.0', NaN prints 'NaN'.
    return (
        f"(CASE WHEN {n} IS NULL THEN 'NaN' WHEN isinf({n}) THEN "
        f"(CASE WHEN {n} > 0 THEN 'Infinity' ELSE '-Infinity' END) "
        f"WHEN abs({n}) < 1e-12 THEN '0' "
        f"WHEN {n} = trunc({n}) AND abs({n}) < 1e15 THEN CAST(CAST({n} AS BIGINT) AS VARCHAR) "
        f"ELSE CAST({n} AS VARCHAR) END)"
    )


def to_num(t: Typed) -> str:
    """XPath number(): DOUBLE, NULL meaning NaN."""
    if t.kind == "num":
        return t.sql
    if t.kind == "str":
        return _str_to_num(t.sql)
    if t.kind == "bool":
        return f"CAST({t.sql} AS DOUBLE)"
    # JavaRosa toNumeric(Date) is whole days; decimal-date-time() keeps the fraction.
    return f"floor(epoch(CAST({t.sql} AS TIMESTAMP)) / 86400.0)"


def to_str(t: Typed) -> str:
    """XPath string(): never NULL."""
    if t.kind == "str":
        return t.sql
    if t.kind == "num":
        return _num_to_str(t.sql)
    if t.kind == "bool":
        return f"(CASE WHEN {t.sql} THEN 'true' ELSE 'false' END)"
    fmt = "%Y-%m-%d" if t.kind == "date" else "%Y-%m-%dT%H:%M:%S.%g"
    return f"COALESCE(strftime({t.sql}, '{fmt}'), '')"


def to_bool(t: Typed) -> str:
    """XPath boolean(): never NULL (NaN and '' are false)."""
    if t.kind == "bool":
        return t.sql
    if t.kind == "num":
        return f"COALESCE(abs({t.sql}) > 1e-12, FALSE)"
    if t.kind == "str":
        return f"({t.sql} <> '')"
    return f"({t.sql} IS NOT NULL)"


def to_ts(t: Typed) -> str:
    """Date-time value (TIMESTAMP, NULL if not a date), as JavaRosa toDate(x, keepTime)."""
    if t.kind == "str":
        return _str_to_ts(t.sql)
    if t.kind == "num":
        us = f"TRY_CAST(round({t.sql} * 86400000000.0) AS BIGINT)"
        return f"(TIMESTAMP '1970-01-01' + to_microseconds({us}))"
    if t.kind in ("date", "datetime"):
        return f"CAST({t.sql} AS TIMESTAMP)"
    return "CAST(NULL AS TIMESTAMP)"


def to_date(t: Typed) -> str:
    """Date value (DATE, NULL if not a date); numbers are whole days since 1970-01-01."""
    if t.kind == "num":
        return f"(DATE '1970-01-01' + TRY_CAST(trunc({t.sql}) AS INTEGER))"
    return f"CAST({to_ts(t)} AS DATE)"


def convert(t: Typed, kind: str) -> str:
    """Convert to any kind (used when the branches of if()/coalesce() disagree)."""
    conv = {"num": to_num, "str": to_str, "bool": to_bool, "date": to_date, "datetime": to_ts}
    return t.sql if t.kind == kind else conv[kind](t)


def common_kind(a: Typed, b: Typed) -> str:
    """Static result kind of if()/coalesce(); mixed kinds fall back to string like XPath."""
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
