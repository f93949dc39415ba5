"""The typed schema the validation expects, derived from the instrument.

A batch without, say, any migrant parent has no ``migrant`` sheet, so no raw or typed table
for it. An absent repeat is an empty repeat: validation creates the empty typed table so that
cross-table rules run (and find nothing) instead of failing. Tests use the same function to
build literal typed tables in a few lines.
"""

from __future__ import annotations

import duckdb

from parenting_assessment.ingest.columns import GEO_PARTS, LINEAGE
from parenting_assessment.instrument.model import Field, Instrument
from parenting_assessment.typed import SQL_TYPES
from parenting_assessment.validate.rule_tables import q
from parenting_assessment.warehouse import table_exists


def typed_columns(f: Field, ins: Instrument) -> list[tuple[str, str]]:
    """(column, DuckDB type) of one field in the typed layer (mirrors typed.py)."""
    if f.type in SQL_TYPES:
        return [(f.name, SQL_TYPES[f.type].upper())]
    if f.type == "geopoint":
        return [(f.name, "VARCHAR")] + [(f"{f.name}_{p}", "DOUBLE") for p in GEO_PARTS]
    if f.type == "select_multiple" and f.list_name in ins.choices:
        return [(f.name, "VARCHAR"), (f"{f.name}__list", "VARCHAR[]")] + [
            (f"{f.name}/{c}", "TINYINT") for c in ins.choice_names(f.list_name or "")]
    return [(f.name, "VARCHAR")]


def section_schema(ins: Instrument, section: str) -> list[tuple[str, str]]:
    """Every column of ``typed.<section>``: lineage first, then the fields."""
    cols = [(c, "VARCHAR") for c in LINEAGE]
    for f in ins.sections[section].fields:
        cols += typed_columns(f, ins)
    return cols


def ensure_sections(con: duckdb.DuckDBPyConnection, ins: Instrument) -> list[str]:
    """Create an empty ``typed.<section>`` for every section that has none; return their names."""
    con.execute("create schema if not exists typed")
    created = []
    for s in ins.sections:
        if table_exists(con, f"typed.{s}"):
            continue
        ddl = ", ".join(f"{q(c)} {t}" for c, t in section_schema(ins, s))
        con.execute(f"create table typed.{s} ({ddl})")
        created.append(s)
    return created


def missing_columns(con: duckdb.DuckDBPyConnection, ins: Instrument) -> dict[str, list[str]]:
    """Columns the instrument expects but a typed table lacks (a broken schema blocks a batch)."""
    out = {}
    for s in ins.sections:
        have = {r[0] for r in con.execute(f"describe typed.{s}").fetchall()}
        lack = [c for c, _ in section_schema(ins, s) if c not in have]
        if lack:
            out[s] = lack
    return out
