"""The validation report: one self-contained HTML page per run for the survey manager.

It answers what a manager asks after each batch: how many submissions were accepted, which
rules fired and where (by village), does every row add up (reconciliation), which form
expressions could NOT be checked and why, what reviewers released, and where GX's Data Docs
are. Everything is read back from the warehouse, so the page can be rebuilt at any time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from parenting_assessment.warehouse import table_exists


def _df(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def report_data(con: duckdb.DuckDBPyConnection) -> dict:
    """Every table of the report, as DataFrames, from the validated layer."""
    by_rule = _df(con, """
        select f.rule_id, f.rule_family, f.severity, count(*) as findings,
               count(distinct f.submission_uuid) as submissions,
               count(*) filter (where f.override = 'release') as released,
               any_value(f.message) as message, any_value(f.message_id) as message_id,
               string_agg(distinct f.checked_by, ', ') as checked_by
        from validated.findings f group by all
        order by f.severity, findings desc, f.rule_id""")
    by_village = _df(con, """
        with s as (select submission_uuid, village from typed.household),
             q as (select distinct submission_uuid from validated.quarantine)
        select coalesce(s.village, '(unknown)') as village, count(distinct s.submission_uuid)
                 as submissions,
               count(distinct q.submission_uuid) as quarantined,
               count(f.rule_id) filter (where f.severity = 'error') as errors,
               count(f.rule_id) filter (where f.severity = 'warning') as warnings
        from s left join q using (submission_uuid)
        left join validated.findings f using (submission_uuid)
        group by all order by quarantined desc, errors desc, village""")
    by_family = _df(con, """
        select rule_family, count(*) filter (where severity = 'error') as errors,
               count(*) filter (where severity = 'warning') as warnings
        from validated.findings group by all order by rule_family""")
    gx = _df(con, """
        select mode, count(*) as expectations, count(*) filter (where not success) as failed,
               sum(unexpected_count) as unexpected, count(*) filter (where not agree)
                 as disagree_with_sql
        from validated.gx_results group by all order by mode""")
    gx_disagree = _df(con, "select * from validated.gx_results where not agree")
    log = _df(con, """select * from validated.override_log
                      where applied_at = (select max(applied_at) from validated.override_log)"""
              ) if table_exists(con, "validated.override_log") else pd.DataFrame()
    totals = con.execute("""
        select (select count(*) from typed.household),
               (select count(distinct submission_uuid) from validated.quarantine
                where section = 'household'),
               (select count(*) from validated.household),
               (select count(*) from typed.duplicates where section = 'household'),
               (select count(*) from validated.findings where severity = 'error'),
               (select count(*) from validated.findings where severity = 'warning'),
               (select count(*) from validated.rule_catalogue)""").fetchall()[0]
    keys = ("submissions", "quarantined", "accepted", "duplicates", "errors", "warnings",
            "rules")
    return {"totals": dict(zip(keys, totals, strict=True)), "by_rule": by_rule,
            "by_village": by_village, "by_family": by_family,
            "reconciliation": _df(con, "select * from validated.reconciliation"),
            "not_checked": _df(con, "select * from validated.not_checked"),
            "gx": gx, "gx_disagree": gx_disagree, "overrides": log}


def render_validation_report(con: duckdb.DuckDBPyConnection, out_dir: Path,
                             run_id: str = "") -> Path:
    """Write ``<out_dir>/validation/validation_report.html`` and return its path."""
    data = report_data(con)
    target = Path(out_dir) / "validation"
    target.mkdir(parents=True, exist_ok=True)
    docs = target / "data_docs" / "index.html"
    env = Environment(loader=PackageLoader("parenting_assessment.validate", "templates"),
                      autoescape=select_autoescape(["html", "j2"]))
    html = env.get_template("validation_report.html.j2").render(
        run_id=run_id, generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        docs_link="data_docs/index.html" if docs.exists() else None,
        tables={k: v.to_dict("records") for k, v in data.items() if isinstance(v, pd.DataFrame)},
        totals=data["totals"])
    path = target / "validation_report.html"
    path.write_text(html, encoding="utf-8")
    return path
