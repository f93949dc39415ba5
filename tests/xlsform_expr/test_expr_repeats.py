"""Cross-level references: a household (parent) table and a roster (repeat) table in DuckDB.

Main-level rules aggregate over the roster through ``repeat_aggregate``; roster-level rules
see their own row plus the joined household row through the ``column`` resolver.
"""

from __future__ import annotations

import duckdb
import pytest

from parenting_assessment.validate.expressions import (
    SqlContext,
    UnsupportedExpression,
    repeat_aggregate,
    to_sql,
    to_sql_boolean,
)

T, F = True, False
ROSTER_FIELDS = {"HL1", "HL6", "HL12", "HL13"}


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE hh (uuid VARCHAR, hh_size VARCHAR, consent VARCHAR)")
    con.execute(
        "INSERT INTO hh VALUES ('h1', '3', 'yes'), ('h2', '2', 'yes'), ('h3', '', 'no'),"
        " ('h4', '0', NULL)"
    )
    con.execute(
        "CREATE TABLE roster (parent_uuid VARCHAR, idx INTEGER, HL1 VARCHAR, HL6 VARCHAR,"
        " HL12 VARCHAR, HL13 VARCHAR)"
    )
    con.execute(
        "INSERT INTO roster VALUES ('h1', 1, 'Ani', '34', '1', '2'),"
        " ('h1', 2, 'Budi', '5', '1', '1'), ('h1', 3, 'Citra', '', NULL, '2'),"
        " ('h2', 1, 'Dewi', '70', '2', '2')"
    )
    return con


def main_level(con: duckdb.DuckDBPyConnection, expr: str, *, boolean: bool = True) -> list:
    """Evaluate a main-survey expression once per household, ordered by uuid."""
    ctx = SqlContext(
        column=lambda n: f'h."{n}"',
        aggregate=repeat_aggregate(
            "roster", "parent_uuid", 'h."uuid"', columns=ROSTER_FIELDS, repeat_name="roster"
        ),
    )
    sql = to_sql_boolean(expr, ctx) if boolean else to_sql(expr, ctx)
    return [v for (v,) in con.execute(f"SELECT {sql} FROM hh h ORDER BY uuid").fetchall()]


def roster_level(con: duckdb.DuckDBPyConnection, expr: str, *, boolean: bool = True) -> list:
    """Evaluate a roster expression once per member; household fields come from the join."""

    def column(name: str) -> str:
        return f'r."{name}"' if name in ROSTER_FIELDS else f'p."{name}"'

    ctx = SqlContext(column=column, current='r."HL6"', position="r.idx")
    sql = to_sql_boolean(expr, ctx) if boolean else to_sql(expr, ctx)
    query = (
        f"SELECT {sql} FROM roster r JOIN hh p ON r.parent_uuid = p.uuid"
        " ORDER BY r.parent_uuid, r.idx"
    )
    return [v for (v,) in con.execute(query).fetchall()]


def test_household_size_matches_roster_count(con: duckdb.DuckDBPyConnection) -> None:
    # h1: 3 = 3; h2: 2 != 1; h3: '' (NaN) = 0 is false; h4: 0 = 0
    assert main_level(con, "${hh_size} = count(${roster})") == [T, F, F, T]
    assert main_level(con, "count(${roster})", boolean=False) == [3.0, 1.0, 0.0, 0.0]
    assert main_level(con, "count(${HL6}) > 0") == [T, T, F, F]


def test_sum_max_min_over_roster(con: duckdb.DuckDBPyConnection) -> None:
    # JavaRosa: sum skips blank (NaN) answers and is 0 over no rows; max/min of nothing is NaN
    assert main_level(con, "sum(${HL6})", boolean=False) == [39.0, 70.0, 0.0, 0.0]
    assert main_level(con, "max(${HL6})", boolean=False) == [34.0, 70.0, None, None]
    assert main_level(con, "min(${HL6})", boolean=False) == [5.0, 70.0, None, None]
    assert main_level(con, "count-non-empty(${HL6})", boolean=False) == [2.0, 1.0, 0.0, 0.0]
    assert main_level(con, "sum(${HL6}) div count(${roster})", boolean=False) == [
        13.0,
        70.0,
        None,
        None,
    ]
    assert main_level(con, "max(${HL6}) >= 65 and ${consent} = 'yes'") == [F, T, F, F]


def test_roster_rules_see_parent_fields(con: duckdb.DuckDBPyConnection) -> None:
    # rows: h1/Ani 34, h1/Budi 5, h1/Citra '', h2/Dewi 70
    assert roster_level(con, "${HL6} <= 17") == [F, T, F, F]
    assert roster_level(con, "${HL12} = '1' and ${HL13} = '2'") == [T, F, F, F]
    assert roster_level(con, "${HL6} < 18 and ${consent} = 'yes'") == [F, T, F, F]
    assert roster_level(con, "position(..) <= ${hh_size}") == [T, T, T, T]
    assert roster_level(con, "position(..)", boolean=False) == [1.0, 2.0, 3.0, 1.0]
    assert roster_level(con, ". >= 0 and . <= 120") == [T, T, F, T]


def test_guest_meal_tally_from_odk_docs() -> None:
    # Source: getodk/docs odk1-src/incl/form-examples/sum-to-count-responses.rst - a calculate
    # inside the repeat ("chkn") summed at the main level ("chkn_count").
    con = duckdb.connect()
    con.execute("CREATE TABLE party (uuid VARCHAR)")
    con.execute("INSERT INTO party VALUES ('p1'), ('p2')")
    con.execute("CREATE TABLE guests (party VARCHAR, meal_preference VARCHAR)")
    con.execute(
        "INSERT INTO guests VALUES ('p1', 'chicken'), ('p1', 'fish'), ('p1', 'chicken'),"
        " ('p1', NULL), ('p2', 'vegetarian')"
    )
    in_repeat = SqlContext(column=lambda n: f'g."{n}"')
    chkn = to_sql("if(${meal_preference} = 'chicken', 1, 0 )", in_repeat)
    con.execute(f"CREATE VIEW guest_details AS SELECT g.party, {chkn} AS chkn FROM guests g")
    main = SqlContext(
        column=lambda n: f'p."{n}"',
        aggregate=repeat_aggregate("guest_details", "party", 'p."uuid"', columns={"chkn"}),
    )
    sql = to_sql("sum(${chkn})", main)
    got = con.execute(f"SELECT {sql} FROM party p ORDER BY uuid").fetchall()
    assert got == [(2.0,), (0.0,)]


def test_oldest_and_youngest_child_from_odk_docs() -> None:
    # Source: getodk/docs odk1-src/form-operators-functions.rst - max(${child_age}) and
    # min(${child_age}) over the child_questions repeat; form-repeats.rst count(${name}).
    con = duckdb.connect()
    con.execute("CREATE TABLE s (k VARCHAR)")
    con.execute("INSERT INTO s VALUES ('a'), ('b')")
    con.execute("CREATE TABLE child_questions (k VARCHAR, name VARCHAR, child_age VARCHAR)")
    con.execute(
        "INSERT INTO child_questions VALUES ('a', 'x', '4'), ('a', 'y', '11'), ('a', 'z', ''),"
        " ('b', 'w', '2')"
    )
    ctx = SqlContext(
        column=lambda n: f's."{n}"',
        aggregate=repeat_aggregate("child_questions", "k", 's."k"'),
    )
    sql = ", ".join(to_sql(e, ctx) for e in ("max(${child_age})", "min(${child_age})"))
    count = to_sql("count(${name})", ctx)
    got = con.execute(f"SELECT {sql}, {count} FROM s ORDER BY k").fetchall()
    assert got == [(11.0, 4.0, 3.0), (2.0, 2.0, 1.0)]


def test_cross_level_references_that_cannot_be_resolved() -> None:
    def column(name: str) -> str:
        if name in ROSTER_FIELDS:
            raise LookupError(f"{name} is in the roster repeat")
        return f'h."{name}"'

    agg = repeat_aggregate("roster", "parent_uuid", 'h."uuid"', ROSTER_FIELDS, "roster")
    ctx = SqlContext(column=column, aggregate=agg)
    for expr in [
        "${HL6} > 5",  # a repeat field used as a scalar at the main level
        "sum(${hh_size})",  # not a roster field
        "sum(${roster})",  # sum of the repeat group itself
    ]:
        with pytest.raises(UnsupportedExpression):
            to_sql(expr, ctx)
    with pytest.raises(UnsupportedExpression, match="aggregate callback"):
        to_sql("count(${roster}) > 0", SqlContext(column=column))
