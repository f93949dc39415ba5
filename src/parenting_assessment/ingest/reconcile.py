"""Where every row of every batch went: accepted, a duplicate, or quarantined with a reason.

``batch_reconciliation`` balances, per batch and section, the rows read (``raw.<section>``)
against the rows accepted (``validated.<section>``), the copies dropped as duplicates
(``typed.duplicates``) and the rows quarantined (``validated.quarantine``, which names the rule
of each). All four carry the batch (``_batch`` / ``batch``). ``ingest_overlap`` is what can be
known right after a batch lands, before typing: its rows, and how many belong to submissions
another batch already delivered (they will be de-duplicated, the newest copy kept).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from parenting_assessment.instrument.model import MAIN_SECTION
from parenting_assessment.warehouse import replace_table, table_exists

_NONE = "select null::varchar as batch, null::varchar as section, 0 as n where false"
COLUMNS = ["batch", "section", "rows_read", "accepted", "duplicates", "quarantined", "balanced"]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def raw_sections(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The raw tables, main section first."""
    names = [r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'raw' "
        "order by table_name").fetchall()]
    return sorted(names, key=lambda s: (s != MAIN_SECTION, s))


def _counts(con: duckdb.DuckDBPyConnection, schema: str, sections: list[str]) -> str:
    parts = [f"select _batch as batch, '{s}' as section, count(*) as n from {schema}.{_q(s)} "
             "group by all" for s in sections if table_exists(con, f"{schema}.{s}")]
    return " union all ".join(parts) or _NONE


def _by_section(con: duckdb.DuckDBPyConnection, table: str, batch_col: str) -> str:
    if not table_exists(con, table):
        return _NONE
    return f"select {batch_col} as batch, section, count(*) as n from {table} group by all"


def batch_reconciliation(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Build ``meta.batch_reconciliation`` (see COLUMNS) and return it."""
    sections = raw_sections(con)
    df = con.execute(f"""
        with r as ({_counts(con, 'raw', sections)}),
             a as ({_counts(con, 'validated', sections)}),
             d as ({_by_section(con, 'typed.duplicates', '_batch')}),
             q as ({_by_section(con, 'validated.quarantine', 'batch')})
        select batch, section, coalesce(r.n, 0) as rows_read, coalesce(a.n, 0) as accepted,
               coalesce(d.n, 0) as duplicates, coalesce(q.n, 0) as quarantined
        from r full join a using (batch, section) full join d using (batch, section)
             full join q using (batch, section)
        order by batch, section <> '{MAIN_SECTION}', section""").df()
    for c in COLUMNS[2:6]:
        df[c] = df[c].astype("int64")
    df["balanced"] = df["rows_read"] == df["accepted"] + df["duplicates"] + df["quarantined"]
    df = df[COLUMNS]
    replace_table(con, "meta.batch_reconciliation", df)
    return df


def ingest_overlap(con: duckdb.DuckDBPyConnection, batch: str) -> pd.DataFrame:
    """Per section of ``batch``: rows read, and rows of submissions another batch delivered.

    ``seen_before``: rows whose submission (``submission_root``) is already in the warehouse
    from another batch; ``edited``: of those, rows of a different version (new uuid) of it.
    """
    rows = []
    for s in raw_sections(con):
        got = con.execute(f"""
            with mine as (select submission_root, submission_uuid from raw.{_q(s)}
                          where _batch = ?),
                 other as (select distinct submission_root, submission_uuid from raw.household
                           where _batch <> ? and submission_root is not null)
            select (select count(*) from mine),
                   (select count(*) from mine m where exists (
                        select 1 from other o where o.submission_root = m.submission_root)),
                   (select count(*) from mine m where exists (
                        select 1 from other o where o.submission_root = m.submission_root)
                      and not exists (select 1 from other o
                                      where o.submission_uuid = m.submission_uuid))
            """, [batch, batch]).fetchall()[0]
        rows.append({"section": s, "rows_read": int(got[0]), "seen_before": int(got[1]),
                     "edited": int(got[2])})
    return pd.DataFrame(rows, columns=["section", "rows_read", "seen_before", "edited"])
