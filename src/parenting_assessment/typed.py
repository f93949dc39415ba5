"""Cast raw text by the instrument's types, and keep one copy of each submission.

Casting happens in one place, in SQL, with TRY_CAST: a value that does not cast becomes NULL
here and a row in ``typed.cast_failures`` (a validation finding later), never an exception.
Overlapping exports repeat submissions; the newest copy per submission identity is kept and
the others are listed in ``typed.duplicates``.
"""

from __future__ import annotations

import duckdb

from parenting_assessment.ingest import raw_layer
from parenting_assessment.ingest.columns import GEO_PARTS, LINEAGE
from parenting_assessment.instrument.model import MAIN_SECTION, Field, Instrument
from parenting_assessment.warehouse import table_exists

SQL_TYPES = {"integer": "bigint", "decimal": "double", "date": "date", "today": "date",
             "start": "timestamptz", "end": "timestamptz", "dateTime": "timestamptz",
             "datetime": "timestamptz"}
GEO_INDEX = {p: i + 1 for i, p in enumerate(GEO_PARTS)}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _casts(f: Field, ins: Instrument) -> list[tuple[str, str, str | None]]:
    """(output column, SQL expression, raw column whose cast may fail) for one field."""
    col = _q(f.name)
    if f.type in SQL_TYPES:
        return [(f.name, f"try_cast(nullif({col}, '') as {SQL_TYPES[f.type]})", f.name)]
    if f.type == "geopoint":
        out = [(f.name, col, None)]
        for p in GEO_PARTS:
            split = _q(f"{f.name}_{p}")
            parsed = f"nullif(string_split({col}, ' ')[{GEO_INDEX[p]}], '')"
            out.append((f"{f.name}_{p}",
                        f"try_cast(coalesce(nullif({split}, ''), {parsed}) as double)",
                        f"{f.name}_{p}"))
        return out
    if f.type == "select_multiple" and f.list_name:
        out = [(f.name, col, None), (f"{f.name}__list",
               f"case when nullif(trim({col}), '') is null then null "
               f"else string_split(trim({col}), ' ') end", None)]
        for c in ins.choice_names(f.list_name):
            split = _q(f"{f.name}/{c}")
            # Kobo: blank = not asked, 0 = asked and not chosen; derive from the summary if absent.
            flag = (f"coalesce(try_cast(nullif({split}, '') as tinyint), case when "
                    f"nullif(trim({col}), '') is null then null when list_contains("
                    f"string_split(trim({col}), ' '), '{c}') then 1 else 0 end)")
            out.append((f"{f.name}/{c}", flag, f"{f.name}/{c}"))
        return out
    return [(f.name, col, None)]


def build_typed(con: duckdb.DuckDBPyConnection, ins: Instrument) -> dict[str, int]:
    """Create ``typed.<section>`` for every section; return row counts."""
    raw_layer.refresh(con)  # the raw views follow the warehouse if its folder moved
    _dedupe(con)
    counts: dict[str, int] = {}
    failures: list[str] = []
    for section, sec in ins.sections.items():
        if not table_exists(con, f"raw.{section}"):
            continue
        exprs = [f"{expr} as {_q(out)}" for f in sec.fields for out, expr, _ in _casts(f, ins)]
        lineage = ", ".join(_q(c) for c in LINEAGE)
        con.execute(f"""
            create or replace table typed.{section} as
            select {lineage}, {', '.join(exprs)}
            from raw.{section} r
            where not exists (select 1 from typed.duplicates d
                              where d.section = '{section}' and d._file_sha256 = r._file_sha256
                                and d._source_sheet = r._source_sheet
                                and d._source_row = r._source_row)""")
        counts[section] = con.execute(f"select count(*) from typed.{section}").fetchall()[0][0]
        for f in sec.fields:
            for _out, expr, raw_col in _casts(f, ins):
                if raw_col is None:
                    continue
                failures.append(f"""
                    select '{section}' as section, r._row_key as row_key, r.submission_uuid,
                           r._batch as batch, '{f.name}' as field, '{f.type}' as type,
                           r.{_q(raw_col)} as value
                    from raw.{section} r
                    where nullif(r.{_q(raw_col)}, '') is not null and ({expr.replace(
                        _q(f.name), 'r.' + _q(f.name))}) is null""")
    if failures:
        con.execute("create or replace table typed.cast_failures as " + " union all ".join(
            failures))
    return counts


def _dedupe(con: duckdb.DuckDBPyConnection) -> None:
    """Keep the newest copy of each submission (by rootUuid); list the others with a reason."""
    con.execute("""
        create or replace table typed.duplicates as
        with ranked as (
            select _file_sha256, _source_sheet, _source_row, _row_key, submission_uuid,
                   submission_root, _batch,
                   first_value(submission_uuid) over w as kept_uuid,
                   row_number() over w as rn
            from raw.household
            window w as (partition by submission_root
                         order by _submission_time desc nulls last,
                                  try_cast(_submission_id as bigint) desc nulls last,
                                  _batch desc, _source_row desc))
        select 'household' as section, _file_sha256, _source_sheet, _source_row, _row_key,
               submission_uuid, kept_uuid, _batch,
               case when submission_uuid = kept_uuid then 'exact re-submission'
                    else 'replaced by a later edit' end as reason
        from ranked where rn > 1""")
    sections = [r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'raw' "
        "and table_name not in ('household')").fetchall()]
    for section in sections:
        # A repeat row goes with its submission copy: same file and parent row as a dropped one.
        con.execute(f"""
            insert into typed.duplicates
            select '{section}', r._file_sha256, r._source_sheet, r._source_row, r._row_key,
                   r.submission_uuid, d.kept_uuid, r._batch, d.reason
            from raw.{section} r
            join typed.duplicates d
              on d.section = 'household' and r._file_sha256 = d._file_sha256
             and r._parent_row = d._source_sheet || ':' || d._source_row""")
    _ = MAIN_SECTION
