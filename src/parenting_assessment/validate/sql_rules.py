"""Findings computed in SQL over the typed tables: casts, orphans, frame and duplicates."""

from __future__ import annotations

import duckdb
import pandas as pd

from parenting_assessment.warehouse import table_exists


def cast_findings(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    if not table_exists(con, "typed.cast_failures"):
        return pd.DataFrame()
    return con.execute("""
        select submission_uuid, section, row_key, field, 'type:' || field as rule_id,
               'type' as rule_family, 'error' as severity,
               field || ': the value is not a valid ' || type as message,
               field || ': nilai bukan ' || type || ' yang sah' as message_id,
               value, batch, 'sql' as checked_by
        from typed.cast_failures""").df()


def orphan_findings(con: duckdb.DuckDBPyConnection, sections: list[str]) -> pd.DataFrame:
    parts = [f"""select submission_uuid, '{s}' as section, _row_key as row_key, '' as field,
                 'orphan_repeat_row' as rule_id, 'structure' as rule_family,
                 'error' as severity,
                 'repeat row whose parent row is not in the export' as message,
                 'baris ulangan tanpa baris induk di file ekspor' as message_id,
                 _source_sheet || ' row ' || _source_row as value, _batch as batch,
                 'sql' as checked_by
              from typed.{s} where _parent_key is null""" for s in sections]
    return con.execute(" union all ".join(parts)).df() if parts else pd.DataFrame()


def frame_findings(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> pd.DataFrame:
    """Village codes must exist in the sampling frame (shape alone is not enough)."""
    con.register("_frame", frame[["kode_kemendagri"]])
    try:
        return con.execute("""
            select h.submission_uuid, 'household' as section, h._row_key as row_key,
                   'village' as field, 'village_in_frame' as rule_id, 'frame' as rule_family,
                   'error' as severity,
                   'village: the code is not a study village of the sampling frame' as message,
                   'village: kode bukan desa studi dalam kerangka sampel' as message_id,
                   h.village as value, h._batch as batch, 'sql' as checked_by
            from typed.household h
            where h.village is not null
              and h.village not in (select kode_kemendagri from _frame)""").df()
    finally:
        con.unregister("_frame")


def duplicate_household_findings(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The same listed household submitted under different submissions: all but the first."""
    return con.execute("""
        with ranked as (
            select *, row_number() over (partition by village, hh_listing_no
                                         order by start, submission_uuid) as rn,
                   count(*) over (partition by village, hh_listing_no) as n
            from typed.household
            where village is not null and hh_listing_no is not null)
        select submission_uuid, 'household' as section, _row_key as row_key,
               'hh_listing_no' as field, 'duplicate_household' as rule_id,
               'duplicates' as rule_family, 'error' as severity,
               'the same listed household was interviewed in another submission' as message,
               'rumah tangga yang sama sudah diwawancarai di kiriman lain' as message_id,
               village || '/' || hh_listing_no as value, _batch as batch, 'sql' as checked_by
        from ranked where n > 1 and rn > 1""").df()
