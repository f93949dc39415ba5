"""Generic structural findings in SQL: values that did not cast, and orphan repeat rows.

The survey-specific cross-question rules live in domain_rules.yaml; these two hold for any form.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from parenting_assessment.warehouse import table_exists


def cast_findings(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """A raw value that does not cast to the question's type (TRY_CAST gave NULL)."""
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
    """Repeat rows without a parent household row in the typed layer."""
    parts = [f"""select submission_uuid, '{s}' as section, _row_key as row_key, '' as field,
                 'orphan_repeat_row' as rule_id, 'structure' as rule_family,
                 'error' as severity,
                 'repeat row whose parent row is not in the export' as message,
                 'baris ulangan tanpa baris induk di file ekspor' as message_id,
                 _source_sheet || ' row ' || _source_row as value, _batch as batch,
                 'sql' as checked_by
              from typed.{s} t where _parent_key is null or not exists (
                  select 1 from typed.household h where h._row_key = t._parent_key)"""
             for s in sections]
    return con.execute(" union all ".join(parts)).df() if parts else pd.DataFrame()
