"""Constructs outside the SQL-translatable subset must raise UnsupportedExpression, never
silently produce SQL; malformed calls raise ExpressionSyntaxError."""

from __future__ import annotations

import duckdb
import pytest

from parenting_assessment.validate.expressions import (
    ExpressionError,
    ExpressionSyntaxError,
    SqlContext,
    UnsupportedExpression,
    references,
    to_sql,
    to_sql_boolean,
)

CTX = SqlContext(column=lambda n: f'"{n}"', current='"v"')


@pytest.mark.parametrize(
    ("expr", "reason"),
    [
        ("indexed-repeat(${HL6}, ${roster}, 1)", "indexed-repeat"),
        ("pulldata('hhplotdetails', 'plotsize', 'hhid_key', ${hhid})", "pulldata"),
        ("jr:choice-name(${region}, '${region}')", "jr:choice-name"),
        ("jr:itext('label')", "jr:itext"),
        ("instance('districts')/root/item[name=${district}]/label", "location path"),
        ("count(instance('x')/root/item)", "location path"),
        ("once(today())", "once"),
        ("random() < 0.5", "random"),
        ("randomize(${x})", "randomize"),
        ("uuid()", "uuid"),
        ("../HL6 > 5", "location path"),
        ("/data/roster/HL6 > 5", "location path"),
        ("${roster}[position() = 1]", "location path"),
        ("current()/../district", "location path"),
        ("${a} | ${b}", "location path"),
        ("$var + 1", "location path"),
        ("HL6 > 5", "bare name"),
        ("..", "'..'"),
        ("position()", "position(..)"),
        ("join(' ', ${x})", "join"),
        ("area(${shape})", "unknown function"),
        ("digest(${x}, 'SHA-256')", "unknown function"),
        ("format-date(., ${fmt})", "string literal"),
        ("format-date(., '%Q')", "%Q"),
        ("round(${x}, ${places})", "integer literal"),
        ("round(${x}, 1.5)", "integer literal"),
        ("regex(., '(?=x)a')", "lookaround"),
        ("regex(., '(a)\\1')", "backreference"),
        ("regex(., 'a++')", "possessive"),
        ("regex(., '[a-z&&[^e]]')", "class intersection"),
        ("regex(., '[0-9')", "not valid RE2"),
        ("count(${x} + 1)", "single ${field}"),
        ("sum(1)", "single ${field}"),
        ("${last-saved#street}", "last-saved"),
    ],
)
def test_unsupported_constructs_raise(expr: str, reason: str) -> None:
    with pytest.raises(UnsupportedExpression) as info:
        to_sql(expr, CTX)
    assert reason in str(info.value)
    assert info.value.expr == expr
    assert isinstance(info.value, ExpressionError)  # callers can catch one base class


def test_context_dependent_constructs_need_their_context() -> None:
    bare = SqlContext(column=lambda n: f'"{n}"')
    for expr in [". > 5", "position(..)", "count(${roster})", "string-length()"]:
        with pytest.raises(UnsupportedExpression):
            to_sql_boolean(expr, bare)


def test_resolver_lookup_errors_become_unsupported() -> None:
    def column(name: str) -> str:
        raise LookupError(f"no column {name}")

    with pytest.raises(UnsupportedExpression, match="no column a"):
        to_sql("${a} = 1", SqlContext(column=column))


@pytest.mark.parametrize(
    "expr",
    ["if(${a}, 1)", "selected(${a})", "not()", "substr('a')", "today(1)", "coalesce(${a})"],
)
def test_wrong_arity_is_a_syntax_error_with_position(expr: str) -> None:
    with pytest.raises(ExpressionSyntaxError) as info:
        to_sql(expr, CTX)
    assert info.value.position == 0


def test_references_work_even_for_unsupported_functions() -> None:
    # so the caller can still list which questions an unchecked rule depends on
    assert references("pulldata('f', 'c', 'k', ${hhid}) = ${b}") == {"hhid", "b"}


def test_supported_regex_with_unicode_class_runs() -> None:
    sql = to_sql_boolean(r"regex(., '\p{Lu}[a-z]+')", SqlContext(column=str, current="v"))
    got = duckdb.sql(f"SELECT {sql} FROM (VALUES ('Ani'), ('ani'), (NULL)) t(v)").fetchall()
    assert got == [(True,), (False,), (False,)]
