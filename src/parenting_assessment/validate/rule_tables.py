"""One temporary "rule table" per section: the typed row plus what its rules need beside it.

Skip logic and constraints refer to the row itself, to the parent household row (a repeat's
relevance often reads ``${consent}`` or ``${ch_n}``), to the repeat position and to the interview
date. Joining the household once per section, instead of once per rule, keeps a national-scale
run to one hash join per repeat; relevance expressions shared by many fields (a group's
relevance) are computed once as boolean columns of the same table (see ``materialize``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from parenting_assessment.instrument.model import MAIN_SECTION, Instrument
from parenting_assessment.warehouse import table_exists

PARENT = "__p_"
POS = "__pos"
TODAY = "__today"
KEYS = ("_row_key", "_parent_key", "submission_uuid", "_batch")


def q(name: str) -> str:
    """Quote an identifier for DuckDB."""
    return '"' + name.replace('"', '""') + '"'


def columns_of(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """Column name -> DuckDB type of a table (ordered)."""
    return {r[0]: r[1] for r in con.execute(f"describe {table}").fetchall()}


@dataclass
class RuleTable:
    """Where one section's rules run: a temp table name, its own and its parent's columns."""

    section: str
    name: str
    own: dict[str, str]
    parent: dict[str, str] = field(default_factory=dict)
    derived: dict[str, str] = field(default_factory=dict)  # SQL -> boolean column name
    fields: set[str] = field(default_factory=set)  # the section's questions (copied columns)
    used_parent: set[str] = field(default_factory=set)  # parent columns the rules read

    def has(self, column: str) -> bool:
        return column in self.own

    def parent_column(self, column: str) -> str:
        if column not in self.parent:
            raise LookupError(f"{column!r} is not a column of the household table")
        self.used_parent.add(column)
        return f"t.{q(PARENT + column)}"

    def derive(self, sql: str) -> str:
        """A boolean column for ``sql``, computed once when the table is materialised."""
        if sql in ("TRUE", "FALSE"):
            return sql
        if sql not in self.derived:
            self.derived[sql] = f"__r{len(self.derived)}"
        return f"t.{q(self.derived[sql])}"


def rule_tables(con: duckdb.DuckDBPyConnection, ins: Instrument) -> dict[str, RuleTable]:
    """Describe the rule table of every section that has a typed table (nothing created yet)."""
    out: dict[str, RuleTable] = {}
    main = columns_of(con, f"typed.{MAIN_SECTION}") if table_exists(
        con, f"typed.{MAIN_SECTION}") else {}
    for s in ins.sections:
        if not table_exists(con, f"typed.{s}"):
            continue
        own = columns_of(con, f"typed.{s}")
        parent = {} if s == MAIN_SECTION else {
            c: t for c, t in main.items() if not c.startswith("_") and c not in own}
        names = {f.name for f in ins.sections[s].fields if f.name in own}
        out[s] = RuleTable(s, f"_rules_{s}", own, parent, fields=names)
    return out


def materialize(con: duckdb.DuckDBPyConnection, rt: RuleTable) -> None:
    """Create the temp table: keys, answers, used parent answers, position, date, flags.

    Only what rules read is copied (not the lineage, the multi-select 0/1 columns or unused
    household answers): at national scale the copy is a large share of the preparation.
    """
    own = ", ".join(f"t.{q(c)}" for c in (*KEYS, *sorted(rt.fields)) if c in rt.own)
    if rt.section == MAIN_SECTION:
        today = f"t.{q('today')}" if "today" in rt.own else "NULL"
        select = f"{own}, CAST(NULL AS BIGINT) AS {POS}, CAST({today} AS DATE) AS {TODAY}"
        source = f"typed.{MAIN_SECTION} t"
    else:
        used = sorted(rt.used_parent | ({"today"} & set(rt.parent)))
        parents = "".join(f", p.{q(c)} AS {q(PARENT + c)}" for c in used)
        today = f"p.{q('today')}" if "today" in rt.parent else "NULL"
        select = (f"{own}, TRY_CAST(regexp_extract(t._row_key, '\\[(\\d+)\\]$', 1) AS BIGINT) "
                  f"AS {POS}, CAST({today} AS DATE) AS {TODAY}{parents}")
        source = (f"typed.{rt.section} t LEFT JOIN typed.{MAIN_SECTION} p "
                  "ON p._row_key = t._parent_key")
    flags = "".join(f", ({sql}) AS {q(col)}" for sql, col in rt.derived.items())
    if flags:  # derived flags read the parent columns of the table itself: a second level
        con.execute(f"CREATE OR REPLACE TEMP TABLE {rt.name} AS "
                    f"SELECT t.*{flags} FROM (SELECT {select} FROM {source}) t")
    else:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {rt.name} AS SELECT {select} FROM {source}")


def drop(con: duckdb.DuckDBPyConnection, tables: dict[str, RuleTable]) -> None:
    """Remove the temp tables once every rule has run."""
    for rt in tables.values():
        con.execute(f"DROP TABLE IF EXISTS {rt.name}")
