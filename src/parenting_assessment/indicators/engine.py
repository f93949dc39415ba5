"""Compile the catalogue into one DuckDB query that yields a 0/1 value per unit and indicator.

The output, ``indicators.unit_values``, is long: one row per (indicator, unit in its universe)
with the design variables, the value, a missing-answer flag and every disaggregation column.
Estimation then works on this one table for all indicators at once.
"""

from __future__ import annotations

import duckdb

from parenting_assessment.indicators.catalogue import Catalogue, Indicator

DISAGG_KEYS = ("sex", "age", "mig", "cg", "cg_sex", "cg_age", "hh_mig")


def indicator_sql(cat: Catalogue, ind: Indicator) -> str:
    unit = cat.units[ind.unit]
    weight = cat.weights[ind.unit]
    cols = []
    for key in DISAGG_KEYS:
        if key not in ind.disaggregations:
            cols.append(f"null::varchar as {key}")
        elif key == "age":
            cols.append(f"{ind.age.sql()} as age")
        else:
            cols.append(f"({cat.disaggregations[key]})::varchar as {key}")
    line = "null::integer" if ind.unit == "household" else "u.line::integer"
    return cat.fill(f"""
        select '{ind.id}' as indicator_id, u.hh_id, {line} as line, u.stratum, u.psu,
               u.village_code,
               u.district_code, u.{weight}::double as weight,
               coalesce(({ind.numerator}), false)::integer as y,
               coalesce(({ind.missing}), false)::integer as missing,
               {', '.join(cols)}
        from {unit['table']} as u
        where ({unit['filter']}) and coalesce(({ind.universe}), false)""")


def build_unit_values(con: duckdb.DuckDBPyConnection, cat: Catalogue) -> int:
    sql = " union all ".join(indicator_sql(cat, ind) for ind in cat.indicators)
    con.execute(f"create or replace table indicators.unit_values as {sql}")
    return con.execute("select count(*) from indicators.unit_values").fetchall()[0][0]
