"""Quarantine, not deletion: error findings move whole submissions aside with their reasons.

A household is the unit of the design (the PSU), so an error anywhere in a submission
quarantines all of its rows: a half-kept household would bias the roster-based indicators
and break the links between roster, child and caregiver modules. Warnings only flag.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from parenting_assessment.instrument.model import Instrument
from parenting_assessment.warehouse import replace_table, table_exists


def apply_quarantine(con: duckdb.DuckDBPyConnection, ins: Instrument) -> pd.DataFrame:
    """Build ``validated.<section>`` and ``validated.quarantine``; return reconciliation."""
    sections = [s for s in ins.sections if table_exists(con, f"typed.{s}")]
    quarantine_sql = []
    for s in sections:
        quarantine_sql.append(f"""
            select '{s}' as section, t._row_key as row_key, t.submission_uuid, t._batch as batch,
                   coalesce(own.rule_id, 'depends_on_quarantined_submission') as rule_id,
                   coalesce(own.severity, 'error') as severity,
                   coalesce(own.message, 'another row of this submission failed: '
                            || first.rule_id) as message,
                   own.value as value,
                   case when own.rule_id is null then 'dependent' else 'own' end as reason_kind
            from typed.{s} t
            join (select submission_uuid, min(rule_id) as rule_id from validated.findings
                  where severity = 'error' group by all) first using (submission_uuid)
            left join (select row_key, section, min(rule_id) as rule_id, min(severity) as severity,
                              min(message) as message, min(value) as value
                       from validated.findings where severity = 'error' group by all) own
              on own.row_key = t._row_key and own.section = '{s}'
            where not exists (select 1 from validated.overrides o
                              where o.submission_uuid = t.submission_uuid)""")
        quarantine_sql.append(f"""
            select '{s}', t._row_key, t.submission_uuid, t._batch, 'orphan_repeat_row', 'error',
                   'repeat row whose parent row is not in the export', null, 'own'
            from typed.{s} t where t.submission_uuid is null""")
    con.execute("create table if not exists validated.overrides (submission_uuid varchar, "
                "rule_id varchar, decision varchar, reason varchar)")
    con.execute("create or replace table validated.quarantine as "
                + " union all ".join(quarantine_sql))
    rows = []
    for s in sections:
        con.execute(f"""
            create or replace table validated.{s} as
            select t.* from typed.{s} t
            where not exists (select 1 from validated.quarantine q
                              where q.section = '{s}' and q.row_key = t._row_key)""")
        read = con.execute(f"select count(*) from raw.{s}").fetchall()[0][0]
        dup = con.execute("select count(*) from typed.duplicates where section = ?",
                          [s]).fetchall()[0][0]
        quar = con.execute("select count(*) from validated.quarantine where section = ?",
                           [s]).fetchall()[0][0]
        acc = con.execute(f"select count(*) from validated.{s}").fetchall()[0][0]
        rows.append({"section": s, "rows_read": read, "duplicates": dup, "quarantined": quar,
                     "accepted": acc, "balanced": read == acc + dup + quar})
    recon = pd.DataFrame(rows)
    replace_table(con, "validated.reconciliation", recon)
    return recon
