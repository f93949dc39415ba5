"""Expressions copied from real public XLSForms, plus MICS-style rules of this project.

Each case cites the repository and path it was taken from; the expected values are worked out
by hand from XPath/JavaRosa semantics and checked on a real DuckDB table of text answers.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from parenting_assessment.validate.expressions import (
    ExpressionSyntaxError,
    SqlContext,
    UnsupportedExpression,
    to_sql,
    to_sql_boolean,
)

T, F = True, False
DOCS_LOGIC = "getodk/docs odk1-src/form-logic.rst"
DOCS_SELECTED = "getodk/docs odk1-src/incl/form-examples/constraint-on-selected.rst"
DOCS_REPEATS = "getodk/docs odk1-src/form-repeats.rst"
DOCS_FUNCS = "getodk/docs odk1-src/form-operators-functions.rst"
XLSFORM_ORG = "XLSForm/xlsform.github.io xlsform-standard.md"
FORMPACK = "kobotoolbox/formpack tests/fixtures/json/site_inspection.json"
PMA_HHQ = "jkpr/QTools2 qtools2/insert_after.py"
PROJECT = "this project (MICS-style household/roster rules)"


def run(expr: str, rows: list[dict[str, str | None]], *, boolean: bool = True, **ctx) -> list:
    """Evaluate ``expr`` over ``rows`` (key '.' is the current value) in DuckDB, in order."""
    con = duckdb.connect()
    cols = sorted({k for r in rows for k in r} - {"."})
    ddl = ", ".join(f'"{c}" VARCHAR' for c in [*cols, "_dot"])
    con.execute(f"CREATE TABLE t (rid INTEGER, {ddl})")
    marks = ", ".join("?" * (len(cols) + 2))
    con.executemany(
        f"INSERT INTO t VALUES ({marks})",
        [[i, *(r.get(c) for c in cols), r.get(".")] for i, r in enumerate(rows)],
    )
    context = SqlContext(column=lambda n: f't."{n}"', current='t."_dot"', **ctx)
    sql = to_sql_boolean(expr, context) if boolean else to_sql(expr, context)
    return [v for (v,) in con.execute(f"SELECT {sql} FROM t ORDER BY rid").fetchall()]


def dots(*values: str | None) -> list[dict[str, str | None]]:
    return [{".": v} for v in values]


def col(name: str, *values: str | None) -> list[dict[str, str | None]]:
    return [{name: v} for v in values]


# (source, expression, rows, expected booleans) - relevant / constraint expressions
BOOLEAN_CASES = [
    (DOCS_LOGIC, "${age} >= 18", col("age", "18", "17", "", None, "40"), [T, F, F, F, T]),
    (DOCS_LOGIC, ". >= 18", dots("18", "17.9", ""), [T, F, F]),
    # documented as "between 20 and 200" but can never be true: we must reproduce that
    (DOCS_LOGIC, ". < 20 and . > 200", dots("10", "100", "300", ""), [F, F, F, F]),
    (DOCS_LOGIC, r"regex(.,'\p{L}+')", dots("Adam", "Élodie", "Adam B", "A1", ""), [T, T, F, F, F]),
    (
        DOCS_LOGIC,
        "not(contains(., 'prohibited'))",
        dots("fine", "a prohibited word", "", None),
        [T, F, T, T],
    ),
    (DOCS_LOGIC, "${age} <= 5", col("age", "5", "6", "0", ""), [T, F, T, F]),
    (DOCS_LOGIC, "${has_children} = 'yes'", col("has_children", "yes", "no", ""), [T, F, F]),
    (
        DOCS_LOGIC,
        "selected(${allergies}, 'peanut')",
        col("allergies", "peanut", "egg peanut", "peanuts", "", None),
        [T, T, F, F, F],
    ),
    (
        DOCS_LOGIC,
        "count-selected(${toppings}) > 5",
        col("toppings", "a b c d e f", "a b c d e", ""),
        [T, F, F],
    ),
    (DOCS_LOGIC, "${watch_sports} = 'yes'", col("watch_sports", "yes", "no", None), [T, F, F]),
    (
        DOCS_SELECTED,
        "selected(${what_issues}, 'cancer')",
        col("what_issues", "cancer diabetes", "diabetes", "other"),
        [T, F, F],
    ),
    (DOCS_SELECTED, ". > 40 and . < 400", dots("41", "40", "399.9", "400", ""), [T, F, T, F, F]),
    (DOCS_SELECTED, ".  >= 20 and . <= 200", dots("20", "19", "200", "201"), [T, F, T, F]),
    (DOCS_REPEATS, ". <= 8", dots("8", "9", "0"), [T, F, T]),
    # relevant of image_2 is just the previous image's value: shown once image_1 is filled
    (DOCS_REPEATS, "${image_1}", col("image_1", "1712.jpg", "", None), [T, F, F]),
    (
        DOCS_FUNCS,
        "(${even_number} mod 2) = 0",
        col("even_number", "4", "7", "0", "-6", ""),
        [T, F, T, T, F],
    ),
    (DOCS_FUNCS, "${age} > -1 and ${age} < 120", col("age", "0", "-1", "119", ""), [T, F, T, F]),
    (DOCS_FUNCS, "${age} < 19 or ${age} > 64", col("age", "18", "30", "65", ""), [T, F, T, F]),
    (DOCS_FUNCS, "count-selected(.)=3", dots("red blue green", "red", ""), [T, F, F]),
    (DOCS_FUNCS, "${enrolled} != 'yes'", col("enrolled", "yes", "no", ""), [F, T, T]),
    (XLSFORM_ORG, ". <= 150", dots("150", "151", "abc"), [T, F, F]),
    # v1 of the form used yes/no; v2 switched the list to 1/0 but kept this relevant, so for
    # v2 submissions the group is never relevant - the check must show exactly that.
    (
        FORMPACK,
        "${did_you_find_the_site} = 'yes'",
        col("did_you_find_the_site", "yes", "no", "1", "0"),
        [T, F, F, F],
    ),
    (PMA_HHQ, "(. < 130 )", dots("129", "130", ""), [T, F, F]),
    # --- this project's MICS-style rules ---
    (PROJECT, "${HL6} <= 17", col("HL6", "17", "18", "0", "", "98"), [T, F, T, F, F]),
    (
        PROJECT,
        "${HL12} = '1' and ${HL13} = '2'",
        [{"HL12": "1", "HL13": "2"}, {"HL12": "1", "HL13": "1"}, {"HL12": "", "HL13": "2"}],
        [T, F, F],
    ),
    (
        PROJECT,
        ". >= 0 and . <= 7 or . = 8",
        dots("0", "7", "8", "7.5", "9", "-1", ""),
        [T, T, T, F, F, F, F],
    ),  # noqa: E501
    (
        PROJECT,
        "not(selected(${EC5A}, 'Y') and count-selected(${EC5A}) > 1)",
        col("EC5A", "Y", "A B", "Y A", "YA B", ""),
        [T, T, F, T, T],
    ),
    (
        PROJECT,
        r"regex(., '^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[123][0-9]{3}$')",
        dots("12.34.56.1234", "12.34.56.4234", "12.34.56.123", "12x34.56.1234", ""),
        [T, F, F, F, F],
    ),
    (PROJECT, "string-length(.) <= 30", dots("a" * 30, "a" * 31, ""), [T, F, T]),
    (
        PROJECT,
        "coalesce(${pcg_age}, 0) >= 15",
        col("pcg_age", "15", "14", "", None, "40"),
        [T, F, F, F, T],
    ),
    (PROJECT, "int(${years}) = ${years}", col("years", "4", "4.5", "", "0"), [T, F, F, T]),
    (PROJECT, "count-selected(.) >= 1", dots("A", "A B", "", None), [T, T, F, F]),
    (
        PROJECT,
        "not(selected(., 'none') and count-selected(.) > 1)",
        dots("none", "none a", "a b", "nonexistent a", ""),
        [T, F, T, T, T],
    ),
]


@pytest.mark.parametrize(("source", "expr", "rows", "expected"), BOOLEAN_CASES)
def test_real_boolean_expressions(source: str, expr: str, rows: list, expected: list) -> None:
    assert run(expr, rows) == expected, source


def test_date_not_in_future() -> None:
    # PROJECT: '. <= today()' on a date question, with today() pinned for the test
    rows = dots("2024-06-30", "2024-07-01", "1990-01-01", "")
    assert run(". <= today()", rows, today="DATE '2024-06-30'") == [T, F, T, F]


# (source, expression, rows, expected values) - calculations
VALUE_CASES = [
    (
        DOCS_LOGIC,
        "${bill_amount} * 0.18",
        col("bill_amount", "100", "", "55.88"),
        [18.0, None, pytest.approx(10.0584)],
    ),  # noqa: E501
    (
        DOCS_LOGIC,
        "round((${bill_amount} * 0.18),2)",
        col("bill_amount", "55.88", ""),
        [10.06, None],
    ),  # noqa: E501
    (
        DOCS_LOGIC,
        "round(${bill_amount} * ${tip_percent} * 0.01, 2)",
        [{"bill_amount": "55.88", "tip_percent": "15"}, {"bill_amount": "10", "tip_percent": ""}],
        [8.38, None],
    ),
    (
        DOCS_LOGIC,
        "concat(${first_name}, ' ', ${last_name})",
        [{"first_name": "Adam", "last_name": "Smith"}, {"first_name": "Adam", "last_name": None}],
        ["Adam Smith", "Adam "],
    ),
    (
        DOCS_LOGIC,
        "if(${a} != '' and ${b} != '', ${a} + ${b}, '')",
        [{"a": "2", "b": "3"}, {"a": "2", "b": ""}, {"a": "1.5", "b": "1"}],
        ["5", "", "2.5"],
    ),
    (
        DOCS_LOGIC,
        "coalesce(${potentially_empty_value}, 0)",
        col("potentially_empty_value", "7", "", None),
        ["7", "0", "0"],
    ),
    (
        DOCS_LOGIC,
        'if(${potentially_empty_value}="", 0, ${potentially_empty_value})',
        col("potentially_empty_value", "7", "", None),
        ["7", "0", "0"],
    ),
    (DOCS_FUNCS, "${percent_int} div 100", col("percent_int", "45", "", "0"), [0.45, None, 0.0]),
    (
        DOCS_FUNCS,
        "selected-at(${color_prefs}, 0)",
        col("color_prefs", "red green purple", ""),
        ["red", ""],
    ),
    (XLSFORM_ORG, "${amount} * 0.18", col("amount", "50", ""), [9.0, None]),
    (PROJECT, "if(${UB2} < 3, ., 0)", [{"UB2": "2", ".": "4"}, {"UB2": "3", ".": "4"}], ["4", "0"]),
]


@pytest.mark.parametrize(("source", "expr", "rows", "expected"), VALUE_CASES)
def test_real_calculations(source: str, expr: str, rows: list, expected: list) -> None:
    assert run(expr, rows, boolean=False) == expected, source


def test_cascading_select_choice_filter() -> None:
    # DOCS_LOGIC: choice_filter "job_category=${job_category}" - bare name = choices column
    con = duckdb.connect()
    con.execute("CREATE TABLE choices (name VARCHAR, job_category VARCHAR)")
    con.execute(
        "INSERT INTO choices VALUES ('ar', 'finance'), ('ap', 'finance'), ('recruiting', 'hr'),"
        " ('finance', NULL)"
    )
    ctx = SqlContext(column=lambda n: "'finance'", choice_column=lambda n: f'c."{n}"')
    where = to_sql_boolean("job_category=${job_category}", ctx)
    got = con.execute(f"SELECT name FROM choices c WHERE {where} ORDER BY name").fetchall()
    assert got == [("ap",), ("ar",)]


@pytest.mark.parametrize(
    ("source", "expr"),
    [
        (DOCS_LOGIC, "once(now())"),
        (DOCS_LOGIC, "if(${age} = '', '', once(now()))"),
        (
            DOCS_LOGIC,
            "if(${count} = 0 or ${plant}[position()=${count}]/more_plants = 'yes', "
            "${count} + 1, ${count})",
        ),
        (DOCS_REPEATS, "indexed-repeat(${name}, ${name-group}, position(..))"),
        (DOCS_FUNCS, "jr:choice-name( selected-at(${color_prefs}, 0), '${color_prefs}')"),
        (
            PMA_HHQ,
            "if(string-length( /HHQ/region )!= 0,jr:choice-name( /HHQ/region ,' /HHQ/region '),"
            "'(unspecified region)')",
        ),
        (
            PMA_HHQ,
            "if(/HHQ/name_grp/your_name_check = 'no',/HHQ/name_typed,/HHQ/name_grp/your_name)",
        ),  # noqa: E501
    ],
)
def test_real_unsupported_expressions(source: str, expr: str) -> None:
    ctx = SqlContext(column=lambda n: f'"{n}"', current='"v"')
    with pytest.raises(UnsupportedExpression):
        to_sql(expr, ctx)


def test_real_syntax_error() -> None:
    # An older revision of DOCS_REPEATS used '==', which is not XPath.
    ctx = SqlContext(column=lambda n: f'"{n}"')
    with pytest.raises(ExpressionSyntaxError) as info:
        to_sql("if(${meal_preference} == 'chicken', 1, 0 )", ctx)
    assert info.value.position == 23  # the second '='


def test_today_default_is_the_real_current_date() -> None:
    got = run("today()", [{}], boolean=False)
    assert abs((got[0] - dt.date.today()).days) <= 1
