"""Quarantine, not deletion: error findings move whole submissions aside with their reasons.

Policy. A household is the unit of the design (the PSU), so an unreleased error anywhere in a
submission quarantines all of its rows: a half-kept household would bias the roster-based
indicators and break the links between roster, child and caregiver modules. Quarantined
households count as non-respondents in the weights. Each quarantined row keeps its own first
rule, all its own rules, the message and the offending value, or says that it depends on
another row of its submission. Warnings never quarantine: the row is accepted and its
``_flags`` column lists the warning rules (``validated.warnings`` lists the findings). A
reviewer's ``release`` (overrides.py) turns an error into a flag. Nothing is deleted:
accepted + quarantined + duplicates = rows landed, per section, on every run.

``validated.<section>`` is a view: the typed rows whose keys this run accepted
(``validated.accepted``: section, row key, flags). A national batch is not copied a second
time, and a row typed after the last validation stays invisible until it is validated.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from parenting_assessment.instrument.model import Instrument
from parenting_assessment.warehouse import replace_table, table_exists

BLOCKING = ("severity = 'error' and coalesce(override, '') <> 'release'")


def _drop_relation(con: duckdb.DuckDBPyConnection, qualified: str) -> None:
    """Drop a table or a view of that name (earlier versions stored tables)."""
    schema, name = qualified.split(".")
    kind = con.execute("select table_type from information_schema.tables where table_schema = ? "
                       "and table_name = ?", [schema, name]).fetchall()
    if kind:
        con.execute(f"drop {'view' if kind[0][0] == 'VIEW' else 'table'} {qualified}")


def _quarantine_sql(s: str) -> str:
    return f"""
        select '{s}' as section, t._row_key as row_key, t.submission_uuid, t._batch as batch,
               coalesce(own.rule_id, case when t.submission_uuid is null then 'orphan_repeat_row'
                        else 'depends_on_quarantined_submission' end) as rule_id,
               coalesce(own.rule_ids, []::varchar[]) as rule_ids,
               coalesce(own.severity, 'error') as severity,
               coalesce(own.message, 'another row of this submission failed: '
                        || coalesce(qs.first_rule, 'no parent row')) as message,
               coalesce(own.message_id, 'baris lain dari kiriman ini gagal: '
                        || coalesce(qs.first_rule, 'tanpa baris induk')) as message_id,
               own.field, own.value,
               case when own.rule_id is null then 'dependent' else 'own' end as reason_kind
        from typed.{s} t
        left join _q_sub qs on qs.submission_uuid = t.submission_uuid
        left join _q_own own on own.section = '{s}' and own.row_key = t._row_key
        where qs.submission_uuid is not null or t.submission_uuid is null
           or own.row_key is not null"""


def apply_quarantine(con: duckdb.DuckDBPyConnection, ins: Instrument) -> pd.DataFrame:
    """Build ``validated.<section>``, ``validated.quarantine`` and the reconciliation."""
    sections = [s for s in ins.sections if table_exists(con, f"typed.{s}")]
    con.execute(f"""
        create or replace temp table _q_sub as
        select submission_uuid, min(rule_id) as first_rule from validated.findings
        where {BLOCKING} and submission_uuid is not null group by all;
        create or replace temp table _q_own as
        select section, row_key, min(rule_id) as rule_id,
               list(distinct rule_id order by rule_id) as rule_ids, 'error' as severity,
               arg_min(message, rule_id) as message, arg_min(message_id, rule_id) as message_id,
               arg_min(field, rule_id) as field, arg_min(value, rule_id) as value
        from validated.findings where {BLOCKING} group by all;
        create or replace temp table _q_flags as
        select section, row_key, list(distinct rule_id order by rule_id) as flags
        from validated.findings where not ({BLOCKING}) group by all;""")
    con.execute("create or replace table validated.quarantine as "
                + " union all ".join(_quarantine_sql(s) for s in sections))
    con.execute("create or replace table validated.accepted as " + " union all ".join(f"""
        select '{s}' as section, t._row_key as row_key,
               coalesce(f.flags, []::varchar[]) as _flags
        from typed.{s} t
        left join _q_flags f on f.section = '{s}' and f.row_key = t._row_key
        where not exists (select 1 from validated.quarantine q
                          where q.section = '{s}' and q.row_key = t._row_key)"""
                                                                       for s in sections))
    rows = []
    for s in sections:
        _drop_relation(con, f"validated.{s}")
        con.execute(f"""
            create view validated.{s} as
            select t.*, a._flags from typed.{s} t
            join (select row_key, _flags from validated.accepted where section = '{s}') a
              on a.row_key = t._row_key""")
        raw = (f"(select count(*) from raw.{s})" if table_exists(con, f"raw.{s}") else "0")
        read, dup, quar, acc, flagged = con.execute(f"""
            select {raw},
                   (select count(*) from typed.duplicates where section = '{s}'),
                   (select count(*) from validated.quarantine where section = '{s}'),
                   (select count(*) from validated.accepted where section = '{s}'),
                   (select count(*) from validated.accepted
                    where section = '{s}' and len(_flags) > 0)""").fetchall()[0]
        rows.append({"section": s, "rows_read": read, "duplicates": dup, "quarantined": quar,
                     "accepted": acc, "flagged": flagged,
                     "balanced": bool(read == acc + dup + quar)})
    con.execute("""
        create or replace view validated.warnings as
        select f.* from validated.findings f
        where not (f.severity = 'error' and coalesce(f.override, '') <> 'release')
          and not exists (select 1 from validated.quarantine q
                          where q.section = f.section and q.row_key = f.row_key)""")
    recon = pd.DataFrame(rows)
    replace_table(con, "validated.reconciliation", recon)
    return recon
