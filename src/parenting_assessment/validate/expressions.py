"""XLSForm / ODK XPath expressions -> DuckDB SQL, for vectorised skip-logic and constraint checks.

Public API: :func:`parse`, :func:`references`, :func:`translate`, :func:`to_sql`,
:func:`to_sql_boolean`, :func:`repeat_aggregate`, :class:`SqlContext` and the exceptions
:class:`ExpressionSyntaxError` / :class:`UnsupportedExpression`. Function semantics follow
JavaRosa (the engine in ODK Collect and KoboCollect), not generic XPath, where they differ -
e.g. ``regex`` must match the whole value and ``sum`` skips blank answers.

Callers evaluate constraints only on answered questions (ODK never checks a blank answer)
and treat :class:`UnsupportedExpression` as "rule not checked", never as pass or fail.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from .expr_parser import (
    Call,
    Current,
    ExpressionError,
    ExpressionSyntaxError,
    Literal,
    Node,
    Number,
    Parent,
    Ref,
    Unary,
    UnsupportedExpression,
    parse,
    references,
)
from .expr_sql import (
    SqlContext,
    Translator,
    Typed,
    common_kind,
    convert,
    re2_problem,
    repeat_aggregate,
    sql_string,
    to_bool,
    to_date,
    to_num,
    to_str,
    to_ts,
)

__all__ = [
    "ExpressionError",
    "ExpressionSyntaxError",
    "SqlContext",
    "Typed",
    "UnsupportedExpression",
    "parse",
    "references",
    "repeat_aggregate",
    "to_sql",
    "to_sql_boolean",
    "translate",
]

# Valid ODK functions we refuse, with the reason reported to the user.
_UNSUPPORTED = {
    "indexed-repeat": "reads another repeat instance by index",
    "pulldata": "reads an external CSV attached to the form",
    "jr:choice-name": "needs the choice labels of the form",
    "jr:itext": "needs the form translations",
    "instance": "reads a secondary instance",
    "current": "refers to the context node of a choice filter",
    "once": "depends on the order in which the form was filled in",
    "random": "is not deterministic",
    "randomize": "is not deterministic",
    "uuid": "is not deterministic",
    "join": "concatenates a node-set",
    "last": "needs a node-set context",
}
_AGGREGATES = ("count", "sum", "max", "min", "count-non-empty")
# ODK format-date codes (left) -> DuckDB strftime codes (right), pairwise.
_ODK_DATE, _DUCKDB_DATE = "Y y m n  b d e  a H h  M S 3 %", "Y y m -m b d -d a H -H M S g %"
_DATE_CODES = {o: "%" + d for o, d in zip(_ODK_DATE.split(), _DUCKDB_DATE.split(), strict=True)}


def _arity(t: Translator, node: Call, lo: int, hi: int | None) -> None:
    n = len(node.args)
    if n < lo or (hi is not None and n > hi):
        want = str(lo) if hi == lo else f"{lo}..{hi if hi is not None else 'n'}"
        raise ExpressionSyntaxError(
            t.expr, f"{node.name}() takes {want} arguments, got {n}", node.pos
        )


def _literal_int(t: Translator, node: Node, what: str) -> int:
    sign = 1
    if isinstance(node, Unary):
        sign, node = -1, node.operand
    if not isinstance(node, Number) or node.value != int(node.value):
        raise t.fail(f"{what} must be an integer literal")
    return sign * int(node.value)


def _aggregate(t: Translator, node: Call) -> Typed:
    name, args = node.name, node.args
    if len(args) == 1 and isinstance(args[0], Ref):
        if t.ctx.aggregate is None:
            raise t.fail(f"{name}() over a repeat needs an aggregate callback")
        return Typed(f"CAST(({t.resolve(t.ctx.aggregate, name, args[0].name)}) AS DOUBLE)", "num")
    if name in ("max", "min") and args:  # several scalar arguments; NaN ones are ignored
        nums = ", ".join(to_num(t.visit(a)) for a in args)
        return Typed(f"{'greatest' if name == 'max' else 'least'}({nums})", "num")
    raise t.fail(f"{name}() needs a single ${{field}} reference")


def _round(t: Translator, node: Call) -> Typed:
    _arity(t, node, 1, 2)
    x = to_num(t.visit(node.args[0]))
    digits = _literal_int(t, node.args[1], "round() places") if len(node.args) == 2 else 0
    if abs(digits) > 10:
        raise t.fail("round() to more than 10 places")
    p = format(Decimal(10) ** digits, "f")
    # Half up towards +inf (XPath/JavaRosa), computed in DECIMAL so 2.675 rounds to 2.68.
    dec = f"floor(TRY_CAST({x} AS DECIMAL(38,10)) * {p} + 0.5) / {p}"
    return Typed(f"COALESCE(CAST({dec} AS DOUBLE), {x})", "num")


def _substr(t: Translator, node: Call) -> Typed:
    # JavaRosa substr(s, start[, end]): 0-based, end exclusive, negatives count from the end.
    _arity(t, node, 2, 3)
    s = to_str(t.visit(node.args[0]))
    n = f"length({s})"

    def index(arg: Node) -> str:
        i = f"COALESCE(TRY_CAST(trunc({to_num(t.visit(arg))}) AS BIGINT), 0)"
        return f"least(greatest(CASE WHEN {i} < 0 THEN {n} + {i} ELSE {i} END, 0), {n})"

    start = index(node.args[1])
    end = index(node.args[2]) if len(node.args) == 3 else n
    return Typed(
        f"(CASE WHEN {start} < {end} THEN substring({s}, {start} + 1, {end} - {start})"
        " ELSE '' END)",
        "str",
    )


def _format_date(t: Translator, node: Call) -> Typed:
    _arity(t, node, 2, 2)
    fmt_node = node.args[1]
    if not isinstance(fmt_node, Literal):
        raise t.fail(f"{node.name}() format must be a string literal")

    def code(m: re.Match[str]) -> str:
        if m.group(1) not in _DATE_CODES:
            raise t.fail(f"format-date code %{m.group(1)} is not supported")
        return _DATE_CODES[m.group(1)]

    fmt = re.sub("%(.?)", code, fmt_node.value, flags=re.DOTALL)
    return Typed(
        f"COALESCE(strftime({to_ts(t.visit(node.args[0]))}, {sql_string(fmt)}), '')", "str"
    )


def _if(t: Translator, node: Call) -> Typed:
    _arity(t, node, 3, 3)
    cond, a, b = (t.visit(x) for x in node.args)
    return _branches(to_bool(cond), a, b)


def _branches(cond: str, a: Typed, b: Typed) -> Typed:
    # XPath converts whichever value is chosen, so convert inside the branches (lazily).
    def build(kind: str) -> str:
        return f"(CASE WHEN {cond} THEN {convert(a, kind)} ELSE {convert(b, kind)} END)"

    kind = common_kind(a, b)
    return Typed(build(kind), kind, build)


def _coalesce(t: Translator, node: Call) -> Typed:
    # JavaRosa: first argument unless it is '' or NaN.
    _arity(t, node, 2, 2)
    a, b = (t.visit(x) for x in node.args)
    present = f"({a.sql} <> '')" if a.kind == "str" else f"({a.sql} IS NOT NULL)"
    return _branches("TRUE" if a.kind == "bool" else present, a, b)


def _position(t: Translator, node: Call) -> Typed:
    if len(node.args) != 1 or not isinstance(node.args[0], Parent):
        raise t.fail("only position(..) is supported")
    if t.ctx.position is None:
        raise t.fail("position(..) used outside a repeat (no position given)")
    return Typed(f"CAST({t.ctx.position} AS DOUBLE)", "num")


def _regex(t: Translator, node: Call) -> Typed:
    _arity(t, node, 2, 2)
    problem = re2_problem(node.args[1].value) if isinstance(node.args[1], Literal) else None
    if problem:  # a computed pattern is rare; it is passed through unchecked
        raise t.fail(f"regex {node.args[1].value!r}: {problem}")  # type: ignore[union-attr]
    pattern = t.visit(node.args[1])
    return Typed(f"regexp_full_match({to_str(t.visit(node.args[0]))}, {to_str(pattern)})", "bool")


def _concat(t: Translator, node: Call) -> Typed:
    parts = [to_str(t.visit(a)) for a in node.args]
    return Typed("(" + " || ".join(parts) + ")" if parts else "''", "str")


_CONVERT: dict[str, Callable[[Typed], str]] = {
    "bool": to_bool,
    "num": to_num,
    "str": to_str,
    "date": to_date,
    "ts": to_ts,
    # an index as Java's Double.intValue() reads it (NaN -> 0)
    "int": lambda x: f"COALESCE(TRY_CAST(trunc({to_num(x)}) AS BIGINT), 0)",
}
# Multi-select answers are space-separated tokens; match whole tokens exactly like JavaRosa:
# (' ' + answer + ' ').contains(' ' + value.trim() + ' ').
_TOKENS = "regexp_extract_all({0}, '[^ ]+')"
_SELECTED = "contains(' ' || {0} || ' ', ' ' || trim({1}) || ' ')"
# Functions that are one SQL template over converted arguments: name: (min args, max args,
# argument kinds - comma-separated, the last one repeats -, template, result kind).
# A 0-argument call of a 1-argument function applies to '.', as JavaRosa's string-length().
_SIMPLE: dict[str, tuple[int, int, str, str, str]] = {
    "true": (0, 0, "", "TRUE", "bool"),
    "false": (0, 0, "", "FALSE", "bool"),
    "today": (0, 0, "", "CAST({today} AS DATE)", "date"),
    "now": (0, 0, "", "CAST({now} AS TIMESTAMP)", "datetime"),
    "not": (1, 1, "bool", "(NOT {0})", "bool"),
    "boolean": (1, 1, "bool", "{0}", "bool"),
    "number": (1, 1, "num", "{0}", "num"),
    "string": (1, 1, "str", "{0}", "str"),
    "int": (1, 1, "num", "trunc({0})", "num"),
    "abs": (1, 1, "num", "abs({0})", "num"),
    "floor": (1, 1, "num", "floor({0})", "num"),
    "ceiling": (1, 1, "num", "ceil({0})", "num"),
    "sqrt": (1, 1, "num", "NULLIF(sqrt({0}), 'NaN'::DOUBLE)", "num"),
    "pow": (2, 2, "num", "NULLIF(pow({0}, {1}), 'NaN'::DOUBLE)", "num"),
    "string-length": (0, 1, "str", "CAST(length({0}) AS DOUBLE)", "num"),
    "normalize-space": (0, 1, "str", "trim(regexp_replace({0}, '\\s+', ' ', 'g'))", "str"),
    "boolean-from-string": (1, 1, "str", "(lower({0}) = 'true' OR {0} = '1')", "bool"),
    "contains": (2, 2, "str", "contains({0}, {1})", "bool"),
    "starts-with": (2, 2, "str", "starts_with({0}, {1})", "bool"),
    "ends-with": (2, 2, "str", "ends_with({0}, {1})", "bool"),
    "date": (1, 1, "date", "{0}", "date"),
    "selected": (2, 2, "str", _SELECTED, "bool"),
    "is-selected": (2, 2, "str", _SELECTED, "bool"),
    "count-selected": (1, 1, "str", f"CAST(len({_TOKENS}) AS DOUBLE)", "num"),
    "selected-at": (
        2,
        2,
        "str,int",
        f"COALESCE(CASE WHEN {{1}} >= 0 THEN list_extract({_TOKENS}, {{1}} + 1) END, '')",
        "str",
    ),
    "date-time": (1, 1, "ts", "{0}", "datetime"),
    "decimal-date-time": (1, 1, "ts", "(epoch({0}) / 86400.0)", "num"),
}


def _simple(t: Translator, node: Call) -> Typed:
    lo, hi, arg_kinds, template, kind = _SIMPLE[node.name]
    _arity(t, node, lo, hi)
    args = node.args if node.args or hi == 0 else (Current(),)
    kinds = arg_kinds.split(",")
    sql = [_CONVERT[kinds[min(i, len(kinds) - 1)]](t.visit(a)) for i, a in enumerate(args)]
    return Typed(template.format(*sql, today=t.ctx.today, now=t.ctx.now), kind)


_FUNCTIONS: dict[str, Callable[[Translator, Call], Typed]] = {
    **dict.fromkeys(_SIMPLE, _simple),
    **dict.fromkeys(_AGGREGATES, _aggregate),
    "concat": _concat,
    "regex": _regex,
    "if": _if,
    "coalesce": _coalesce,
    "round": _round,
    "substr": _substr,
    "format-date": _format_date,
    "format-date-time": _format_date,
    "position": _position,
}


def _call(t: Translator, node: Call) -> Typed:
    if node.name in _UNSUPPORTED:
        raise t.fail(f"{node.name}() {_UNSUPPORTED[node.name]}")
    handler = _FUNCTIONS.get(node.name)
    if handler is None:
        raise t.fail(f"unknown function {node.name}()")
    return handler(t, node)


def translate(expr: str | Node, ctx: SqlContext) -> Typed:
    """Translate to SQL plus its kind ('str', 'num', 'bool', 'date', 'datetime')."""
    node = parse(expr) if isinstance(expr, str) else expr
    return Translator(expr if isinstance(expr, str) else repr(expr), ctx, _call).visit(node)


def to_sql(expr: str | Node, ctx: SqlContext) -> str:
    """SQL for the expression's value: VARCHAR, DOUBLE (NULL = NaN), BOOLEAN, DATE or TIMESTAMP."""
    return translate(expr, ctx).sql


def to_sql_boolean(expr: str | Node, ctx: SqlContext) -> str:
    """SQL BOOLEAN that is never NULL, as XPath boolean() of the result (relevant/constraint)."""
    return f"COALESCE({to_bool(translate(expr, ctx))}, FALSE)"
