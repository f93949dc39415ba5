"""Parser unit tests: precedence, associativity, literals, references and syntax errors."""

from __future__ import annotations

import pytest

from parenting_assessment.validate.expr_parser import (
    Binary,
    Call,
    Current,
    Literal,
    Name,
    Number,
    Parent,
    Ref,
    Unary,
)
from parenting_assessment.validate.expressions import (
    ExpressionSyntaxError,
    UnsupportedExpression,
    parse,
    references,
)


def num(v: str) -> Number:
    return Number(float(v), v)


def test_or_binds_looser_than_and() -> None:
    assert parse("${a} or ${b} and ${c}") == Binary(
        "or", Ref("a"), Binary("and", Ref("b"), Ref("c"))
    )
    assert parse("${a} and ${b} or ${c}") == Binary(
        "or", Binary("and", Ref("a"), Ref("b")), Ref("c")
    )


def test_comparison_binds_tighter_than_and() -> None:
    assert parse(". >= 0 and . <= 7 or . = 8") == Binary(
        "or",
        Binary("and", Binary(">=", Current(), num("0")), Binary("<=", Current(), num("7"))),
        Binary("=", Current(), num("8")),
    )


def test_relational_binds_tighter_than_equality() -> None:
    # XPath: EqualityExpr is built from RelationalExprs
    assert parse("${a} < 1 = ${b} > 2") == Binary(
        "=", Binary("<", Ref("a"), num("1")), Binary(">", Ref("b"), num("2"))
    )


def test_arithmetic_precedence_and_left_associativity() -> None:
    assert parse("1 + 2 * 3") == Binary("+", num("1"), Binary("*", num("2"), num("3")))
    assert parse("8 - 4 - 2") == Binary("-", Binary("-", num("8"), num("4")), num("2"))
    assert parse("${a} div ${b} mod 3") == Binary(
        "mod", Binary("div", Ref("a"), Ref("b")), num("3")
    )
    assert parse("(1 + 2) * 3") == Binary("*", Binary("+", num("1"), num("2")), num("3"))


def test_unary_minus_binds_tighter_than_multiplication() -> None:
    assert parse("-2 * 3") == Binary("*", Unary("-", num("2")), num("3"))
    assert parse("${x} - -1") == Binary("-", Ref("x"), Unary("-", num("1")))
    assert parse("--${x}") == Unary("-", Unary("-", Ref("x")))
    assert parse("-5 mod 3") == Binary("mod", Unary("-", num("5")), num("3"))


def test_not_is_a_function_and_nests() -> None:
    assert parse("not(selected(., 'none') and count-selected(.) > 1)") == Call(
        "not",
        (
            Binary(
                "and",
                Call("selected", (Current(), Literal("none")), 4),
                Binary(">", Call("count-selected", (Current(),), 28), num("1")),
            ),
        ),
        0,
    )


def test_nested_function_calls_and_arguments() -> None:
    node = parse("if(string-length(${x}) > 0, concat(${x}, ' ', 'y'), coalesce(${z}, 0))")
    assert isinstance(node, Call) and node.name == "if" and len(node.args) == 3
    assert node.args[1] == Call("concat", (Ref("x"), Literal(" "), Literal("y")), 28)
    assert parse("today()") == Call("today", (), 0)
    assert parse("true()") == Call("true", (), 0)


def test_literals_and_special_nodes() -> None:
    assert parse("'it\"s'") == Literal('it"s')
    assert parse('"it\'s"') == Literal("it's")
    assert parse("3.25") == num("3.25")
    assert parse(".5") == num(".5")
    assert parse(".") == Current()
    assert parse("position(..)") == Call("position", (Parent(),), 0)
    assert parse("filter = ${x}") == Binary("=", Name("filter"), Ref("x"))
    assert parse("jr:choice-name(${a}, '${a}')") == Call(
        "jr:choice-name", (Ref("a"), Literal("${a}")), 0
    )


def test_word_operators_only_in_operator_position() -> None:
    # and/or/div/mod are operators only between operands; inside ${...} they are names
    assert parse("${a} div ${b}") == Binary("div", Ref("a"), Ref("b"))
    assert parse("${and} and ${or}") == Binary("and", Ref("and"), Ref("or"))


def test_whitespace_in_reference_and_names_with_dots_and_hyphens() -> None:
    assert parse("${ hh_size }") == Ref("hh_size")
    assert parse("${name-group}") == Ref("name-group")
    assert parse("${umur_anak} + ${é_2}") == Binary("+", Ref("umur_anak"), Ref("é_2"))
    assert references("${a} + ${b.c} * count(${a})") == {"a", "b.c"}
    assert references("1 + 2") == set()


@pytest.mark.parametrize(
    ("expr", "position", "fragment"),
    [
        ("${a} +", 6, "expected a value"),
        ("(${a} = 1", 9, "expected ')'"),
        ("${a} = 1)", 8, "unexpected ')'"),
        ("${a", 0, "unterminated ${"),
        ("'abc", 0, "unterminated string"),
        ("${a} == 'b'", 6, "'=='"),
        ("1 # 2", 2, "unexpected character '#'"),
        ("f(1,)", 4, "expected a value"),
        ("", 0, "empty expression"),
        ("${} = 1", 0, "invalid question name"),
        ("${a} ${b}", 5, "unexpected"),
    ],
)
def test_syntax_errors_report_position(expr: str, position: int, fragment: str) -> None:
    with pytest.raises(ExpressionSyntaxError) as info:
        parse(expr)
    assert info.value.position == position
    assert fragment in str(info.value)
    assert info.value.expr == expr


def test_path_syntax_is_unsupported_not_a_syntax_error() -> None:
    for expr in ("/data/x = 1", "../x", "${a}[1]", "${a} | ${b}", "$var", "child::x"):
        with pytest.raises(UnsupportedExpression):
            parse(expr)
