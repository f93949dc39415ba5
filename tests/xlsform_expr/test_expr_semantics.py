"""XPath / JavaRosa semantics, checked row by row on a real in-memory DuckDB table of text.

Every expected list is a hand-written truth table derived from XPath 1.0 and JavaRosa rules
(ODK Collect's engine), including blank ('') and NULL answers, which must behave identically.
"""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parenting_assessment.validate.expressions import (
    SqlContext,
    to_sql,
    to_sql_boolean,
    translate,
)

T, F = True, False


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


def col(name: str, values: list[str | None]) -> list[dict[str, str | None]]:
    return [{name: v} for v in values]


AGES = ["3", "", None, "5", "7.5", "abc", " 4 ", "1,5", "-2", "5.0"]


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        # number vs NaN: every comparison with NaN is false ...
        ("${age} < 5", [T, F, F, F, F, F, T, T, T, F]),
        ("${age} >= 5", [F, F, F, T, T, F, F, F, F, T]),
        ("${age} = 5", [F, F, F, T, F, F, F, F, F, T]),
        # ... except != (XPath 1.0: NaN != 5 is true)
        ("${age} != 5", [T, T, T, F, T, T, T, T, T, F]),
        ("not(${age} < 5)", [F, T, T, T, T, T, F, F, F, T]),
        # both sides strings: string comparison ('5.0' is not '5', ' 4 ' is not '4')
        ("${age} = '5'", [F, F, F, T, F, F, F, F, F, F]),
        ("${age} = '4'", [F] * 10),
        ("${age} = 4", [F, F, F, F, F, F, T, F, F, F]),
        # blank tests: NULL and '' are the same unanswered value
        ("${age} = ''", [F, T, T, F, F, F, F, F, F, F]),
        ("${age} != ''", [T, F, F, T, T, T, T, T, T, T]),
        ("${age}", [T, F, F, T, T, T, T, T, T, T]),
        # arithmetic with NaN gives NaN
        ("${age} + 1 > 0", [T, F, F, T, T, F, T, T, F, T]),
        ("-${age} < 0", [T, F, F, T, T, F, T, T, F, T]),
        ("int(${age}) = ${age}", [T, F, F, T, F, F, T, F, T, T]),
    ],
)
def test_comparisons_follow_xpath_nan_rules(expr: str, expected: list[bool]) -> None:
    assert run(expr, col("age", AGES)) == expected


def test_boolean_results_are_never_null() -> None:
    rows = [{"a": None, "b": None, "x": None}, {"a": "", "b": "1", "x": ""}, {"a": "2", "b": "x"}]
    for expr in [
        "${a} < ${b}",
        "${a} != ${b}",
        "${a} div ${b} > 0",
        "selected(${x}, 'a')",
        "regex(${x}, 'a')",
        "${a} and ${b}",
        "not(${a})",
        "coalesce(${a}, ${b})",
        "if(${a} > 1, ${a}, ${b})",
        "date(${a})",
        "number(${a})",
    ]:
        assert None not in run(expr, rows), expr


@pytest.mark.parametrize(
    ("a", "b", "div", "mod"),
    [
        ("6", "3", 2.0, 0.0),
        ("7", "3", 7 / 3, 1.0),
        ("-7", "3", -7 / 3, -1.0),  # mod keeps the dividend's sign (Java %)
        ("7", "-3", -7 / 3, 1.0),
        ("5.5", "2", 2.75, 1.5),
        ("1", "0", math.inf, None),  # x div 0 = Infinity; x mod 0 = NaN
        ("-1", "0", -math.inf, None),
        ("0", "0", None, None),  # 0 div 0 = NaN
        ("", "2", None, None),
    ],
)
def test_div_and_mod(a: str, b: str, div: float | None, mod: float | None) -> None:
    rows = [{"a": a, "b": b}]
    got_div = run("${a} div ${b}", rows, boolean=False)[0]
    assert got_div == pytest.approx(div) if div is not None else got_div is None
    assert run("${a} mod ${b}", rows, boolean=False) == [mod]


def test_infinity_and_nan_compare_like_xpath() -> None:
    rows = col("b", ["0", "1"])
    assert run("1 div ${b} > 100", rows) == [T, F]
    assert run("0 div ${b} > -1", rows) == [F, T]  # NaN > -1 is false (DuckDB NaN is not)
    assert run("0 div ${b} != 0", rows) == [T, F]
    assert run("string(1 div ${b})", rows, boolean=False) == ["Infinity", "1"]
    assert run("string(0 div ${b})", rows, boolean=False) == ["NaN", "0"]


def test_int_truncates_toward_zero() -> None:
    got = run("int(${a})", col("a", ["3.7", "-3.7", "0.2", "", "x", "12"]), boolean=False)
    assert got == [3.0, -3.0, 0.0, None, None, 12.0]


def test_selected_is_a_token_match_not_a_substring() -> None:
    xs = ["a1", "a10", "a1 a10", "a10 a1", "", None, "b a1 c", "a11", "a1  b"]
    assert run("selected(${x}, 'a1')", col("x", xs)) == [T, F, T, T, F, F, T, F, T]
    assert run("selected(${x}, ' a1 ')", col("x", xs))[:2] == [T, F]  # value is trimmed
    counts = run("count-selected(${x})", col("x", xs), boolean=False)
    assert counts == [1.0, 1.0, 2.0, 2.0, 0.0, 0.0, 3.0, 1.0, 2.0]


def test_selected_at_is_zero_based() -> None:
    rows = col("x", ["a b c", "a", "", None])
    assert run("selected-at(${x}, 1)", rows, boolean=False) == ["b", "", "", ""]
    assert run("selected-at(${x}, 0)", rows, boolean=False) == ["a", "a", "", ""]
    assert run("selected-at(${x}, -1)", rows, boolean=False) == ["", "", "", ""]


def test_string_functions() -> None:
    rows = col("s", ["hello", "", None, "héllo"])
    assert run("string-length(${s})", rows, boolean=False) == [5.0, 0.0, 0.0, 5.0]
    assert run("string-length()", [{".": "abc"}, {".": None}], boolean=False) == [3.0, 0.0]
    assert run("contains(${s}, 'll')", rows) == [T, F, F, T]
    assert run("starts-with(${s}, 'h')", rows) == [T, F, F, T]
    assert run("ends-with(${s}, 'lo')", rows) == [T, F, F, T]
    assert run("concat(${s}, '-', 1, '-', 2.50, true())", rows[:2], boolean=False) == [
        "hello-1-2.5true",
        "-1-2.5true",
    ]
    assert run("normalize-space('  a   b ')", rows[:1], boolean=False) == ["a b"]


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("substr('hello', 1, 3)", "el"),  # 0-based start, exclusive end
        ("substr('hello', 2)", "llo"),
        ("substr('hello', -3)", "llo"),  # negative counts from the end
        ("substr('hello', 1, -1)", "ell"),
        ("substr('hello', 3, 1)", ""),
        ("substr('hello', 0, 99)", "hello"),
        ("substr('', 0, 2)", ""),
        ("string(2.50)", "2.5"),
        ("string(-3)", "-3"),
        ("string(1 = 1)", "true"),
    ],
)
def test_string_values(expr: str, expected: str) -> None:
    assert run(expr, [{}], boolean=False) == [expected]


def test_regex_must_match_the_whole_value() -> None:
    rows = [{".": v} for v in ["12", "123", "a12", "", None]]
    assert run("regex(., '[0-9]{2}')", rows) == [T, F, F, F, F]
    assert run("regex(., '^[0-9]{2}$')", rows) == [T, F, F, F, F]


def test_round_is_half_up_to_positive_infinity() -> None:
    rows = [{"a": v} for v in ["2.675", "-2.5", "2.5", "1234.5678", "", "-0.05"]]
    assert run("round(${a}, 2)", rows, boolean=False) == [2.68, -2.5, 2.5, 1234.57, None, -0.05]
    assert run("round(${a})", rows, boolean=False) == [3.0, -2.0, 3.0, 1235.0, None, 0.0]
    assert run("round(${a}, -2)", rows[3:4], boolean=False) == [1200.0]


def test_abs_floor_ceiling_pow_max_min() -> None:
    rows = [{"a": "-2.5", "b": "4"}, {"a": "", "b": "1"}, {"a": "", "b": ""}]
    assert run("abs(${a})", rows, boolean=False) == [2.5, None, None]
    assert run("floor(${a})", rows, boolean=False) == [-3.0, None, None]
    assert run("ceiling(${a})", rows, boolean=False) == [-2.0, None, None]
    assert run("pow(${b}, 2)", rows, boolean=False) == [16.0, 1.0, None]
    # max/min ignore NaN arguments; all NaN gives NaN
    assert run("max(${a}, ${b}, 0)", rows, boolean=False) == [4.0, 1.0, 0.0]
    assert run("min(${a}, ${b})", rows, boolean=False) == [-2.5, 1.0, None]


def test_if_and_coalesce() -> None:
    rows = [
        {"UB2": "2", ".": "5"},
        {"UB2": "4", ".": "5"},
        {"UB2": "", ".": "5"},
        {"UB2": "1", ".": None},
    ]
    assert run("if(${UB2} < 3, ., 0)", rows, boolean=False) == ["5", "0", "0", ""]
    assert run("if(${UB2} < 3, ., 0) > 1", rows) == [T, F, F, F]
    pcg = col("pcg_age", ["20", "", None, "15", "x"])
    # coalesce keeps 'x' (not empty) which is then NaN in the comparison
    assert run("coalesce(${pcg_age}, 0) >= 15", pcg) == [T, F, F, T, F]
    assert run("coalesce(${pcg_age}, 'none')", pcg, boolean=False) == [
        "20",
        "none",
        "none",
        "15",
        "x",
    ]
    assert run("coalesce(number(${pcg_age}), 0)", pcg, boolean=False) == [20.0, 0, 0, 15.0, 0]


def test_boolean_functions() -> None:
    rows = col("s", ["true", "TRUE", "1", "yes", "", None, "0"])
    assert run("boolean-from-string(${s})", rows) == [T, T, T, F, F, F, F]
    assert run("boolean(${s})", rows) == [T, T, T, T, F, F, T]  # non-empty string
    assert run("boolean(number(${s}))", rows) == [F, F, T, F, F, F, F]
    assert run("${s} = true()", rows) == [T, T, T, T, F, F, T]
    assert run("true() and not(false())", rows[:1]) == [T]
    assert run("0.1 + 0.2 = 0.3", rows[:1]) == [T]  # JavaRosa compares with 1e-12 tolerance


def _days(y: int, m: int, d: int) -> int:
    return (dt.date(y, m, d) - dt.date(1970, 1, 1)).days


def test_dates_compare_as_days_since_epoch() -> None:
    today = "DATE '2024-06-30'"
    values = ["2024-06-30", "2024-07-01", "2020-02-29", "", "garbage"]
    rows = [{".": v} for v in [*values, "2024-06-30T10:00:00.000+07:00"]]
    assert run(". <= today()", rows, today=today) == [T, F, T, F, F, T]
    assert run("today() - .", rows, boolean=False, today=today) == [0, -1, 1583, None, None, 0]
    assert run("number(.)", rows[:1], boolean=False) == [_days(2024, 6, 30)]
    dob = [{"dob": "2019-06-30", "start": "2024-06-30"}, {"dob": "", "start": "2024-06-30"}]
    age = "int((decimal-date-time(${start}) - decimal-date-time(${dob})) div 365.25)"
    assert run(age, dob, boolean=False) == [5.0, None]
    assert run(f"{age} < 5", dob) == [F, F]


def test_date_conversion_and_formatting() -> None:
    rows = [{".": "2024-03-05"}, {".": ""}, {".": "2024-03-05T07:08:09.123+07:00"}]
    assert run("format-date(., '%Y')", rows, boolean=False) == ["2024", "", "2024"]
    assert run("format-date(., '%d/%m/%y %e.%n %b %a')", rows[:1], boolean=False) == [
        "05/03/24 5.3 Mar Tue"
    ]
    assert run("format-date-time(., '%H:%M:%S.%3 %h')", rows[2:], boolean=False) == [
        "07:08:09.123 7"
    ]
    assert run("decimal-date-time(.)", rows, boolean=False) == [
        _days(2024, 3, 5),
        None,
        pytest.approx(_days(2024, 3, 5) + (7 * 3600 + 8 * 60 + 9.123) / 86400),
    ]
    assert run("date(19000)", rows[:1], boolean=False) == [dt.date(2022, 1, 8)]
    assert run("date(.)", rows, boolean=False) == [dt.date(2024, 3, 5), None, dt.date(2024, 3, 5)]
    assert run("date(.) = '2024-03-05'", rows) == [T, F, T]
    assert run("string(date(19000))", rows[:1], boolean=False) == ["2022-01-08"]


def test_position_and_choice_filter_names() -> None:
    rows = [{"district": "d1", ".": "x"}, {"district": "d2", ".": "x"}]
    assert run("position(..)", rows, boolean=False, position="t.rid + 1") == [1.0, 2.0]
    assert run("position(..) = 2", rows, position="t.rid + 1") == [F, T]
    choice = SqlContext(column=lambda n: "'d2'", choice_column=lambda n: f't."{n}"')
    con = duckdb.connect()
    sql = to_sql_boolean("district = ${district}", choice)
    got = con.execute(f"SELECT {sql} FROM (VALUES ('d1'), ('d2')) t(district)").fetchall()
    assert got == [(F,), (T,)]


def test_translate_reports_the_result_kind() -> None:
    ctx = SqlContext(column=lambda n: f'"{n}"', current='"v"')
    assert translate("${a} + 1", ctx).kind == "num"
    assert translate("concat(${a}, 'x')", ctx).kind == "str"
    assert translate(". > 1", ctx).kind == "bool"
    assert translate("today()", ctx).kind == "date"
    assert translate("if(${a} = 1, 2, ${b})", ctx).kind == "str"  # mixed kinds -> string
    assert translate("if(${a} = 1, 2, 3)", ctx).kind == "num"


# --- property tests against small Python models of the JavaRosa rules ----------------------


def _xpath_number(s: str) -> float:
    s = s.replace(",", ".").strip()
    if not s or any(c not in "-.0123456789" for c in s):
        return math.nan
    try:
        return float(s)
    except ValueError:
        return math.nan


TOKENS = st.sampled_from(["a", "a1", "a10", "b", "", " "])
ANSWERS = st.lists(TOKENS, max_size=4).map(" ".join) | st.none()
NUMBERS = st.one_of(
    st.none(),
    st.just(""),
    st.integers(-50, 50).map(str),
    st.decimals(-50, 50, places=2).map(str),
    st.sampled_from(["x", "1e3", "--1", " 7 ", "3,5"]),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(ANSWERS, TOKENS), min_size=1, max_size=8))
def test_selected_matches_javarosa_model(rows: list[tuple[str | None, str]]) -> None:
    data = [{"x": x, "v": v} for x, v in rows]
    got = run("selected(${x}, ${v})", data)
    want = [f" {x or ''} ".find(f" {v.strip()} ") >= 0 for x, v in rows]
    assert got == want
    counts = run("count-selected(${x})", data, boolean=False)
    assert counts == [len([t for t in (x or "").split(" ") if t]) for x, _ in rows]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(NUMBERS, NUMBERS), min_size=1, max_size=8))
def test_numeric_comparisons_match_xpath_model(rows: list[tuple[str | None, str | None]]) -> None:
    data = [{"a": a, "b": b} for a, b in rows]
    pairs = [(_xpath_number(a or ""), _xpath_number(b or "")) for a, b in rows]
    assert run("${a} < number(${b})", data) == [x < y for x, y in pairs]
    assert run("${a} >= number(${b})", data) == [x >= y for x, y in pairs]
    assert run("${a} = number(${b})", data) == [abs(x - y) < 1e-12 for x, y in pairs]
    assert run("${a} != number(${b})", data) == [not abs(x - y) < 1e-12 for x, y in pairs]
