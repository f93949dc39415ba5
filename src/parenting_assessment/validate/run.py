"""Run every check on the typed tables, record findings, and quarantine failing submissions.

Stages: rules generated from the XLSForm (SQL), domain rules (YAML, SQL), generic structure
(casts, orphans), Great Expectations column suites (pandas), then one findings table with
personal data masked, reviewed overrides, and the quarantine. Every stage is timed so the
benchmark and the asset metadata can show where the time goes.
"""

from __future__ import annotations

import time
import tracemalloc
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from parenting_assessment.instrument.model import MAIN_SECTION, Instrument
from parenting_assessment.validate import overrides as ov
from parenting_assessment.validate.domain_rules import load_rules, run_domain_rules
from parenting_assessment.validate.findings import (
    FINDING_COLUMNS,
    as_findings,
    drop_shadowed_required,
    mask_pii,
    merge_engines,
)
from parenting_assessment.validate.gx_run import run_suites
from parenting_assessment.validate.gx_suites import build_checks
from parenting_assessment.validate.quarantine import apply_quarantine
from parenting_assessment.validate.rule_tables import drop, materialize, rule_tables
from parenting_assessment.validate.schema import ensure_sections, missing_columns
from parenting_assessment.validate.sql_rules import cast_findings, orphan_findings
from parenting_assessment.validate.xlsform_rules import build_rules, run_rules
from parenting_assessment.warehouse import append_by_name, replace_table

AUX_TABLES = {
    "typed.duplicates": "section varchar, _file_sha256 varchar, _source_sheet varchar, "
    "_source_row varchar, _row_key varchar, submission_uuid varchar, kept_uuid varchar, "
    "_batch varchar, reason varchar",
    "typed.cast_failures": "section varchar, row_key varchar, submission_uuid varchar, "
    "batch varchar, field varchar, type varchar, value varchar",
}
NOT_CHECKED_COLUMNS = ["rule_id", "section", "field", "expression", "reason"]
USE_DEFAULT = Path("<default>")


@dataclass
class ValidationResult:
    """What the asset checks, the report and the benchmark need."""

    findings: pd.DataFrame
    reconciliation: pd.DataFrame
    not_checked: pd.DataFrame = field(default_factory=pd.DataFrame)
    gx_results: pd.DataFrame = field(default_factory=pd.DataFrame)
    override_log: pd.DataFrame = field(default_factory=pd.DataFrame)
    missing_columns: dict[str, list[str]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    python_peak_mb: dict[str, float] = field(default_factory=dict)

    def by_family(self) -> dict[str, int]:
        if self.findings.empty:
            return {}
        return self.findings.groupby("rule_family").size().to_dict()


class _Clock:
    """Seconds per stage; with tracemalloc on (the benchmark), also each stage's Python peak."""

    def __init__(self) -> None:
        self.t, self.times, self.peaks = time.perf_counter(), {}, {}
        if tracemalloc.is_tracing():
            tracemalloc.reset_peak()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.times[name] = round(now - self.t, 3)
        self.t = now
        if tracemalloc.is_tracing():
            self.peaks[name] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
            tracemalloc.reset_peak()


def validate(con: duckdb.DuckDBPyConnection, ins: Instrument, frame: pd.DataFrame, *,
             docs_dir: Path | None = None, overrides: Path | None = USE_DEFAULT,
             rules_path: Path | None = None, params: dict | None = None,
             run_gx: bool = True, gx_row_limit: int = 100_000) -> ValidationResult:
    """Validate the typed layer and write the validated layer (see module docstring)."""
    clock = _Clock()
    overrides = ov.default_path() if overrides == USE_DEFAULT else overrides
    table = ov.load_overrides(overrides)  # fail early on a bad file, before any work
    domain_rules = load_rules(rules_path, tuple(ins.sections), params)
    for name, ddl in AUX_TABLES.items():
        con.execute(f"create table if not exists {name} ({ddl})")
    ensure_sections(con, ins)
    lacking = missing_columns(con, ins)
    tables = rule_tables(con, ins)
    rules, skipped = build_rules(ins, tables)
    checks = build_checks(ins, tables) if run_gx else []
    for rt in tables.values():
        materialize(con, rt)
    clock.lap("prepare")
    form = run_rules(con, tables, rules, ins)
    clock.lap("xlsform_rules")
    domain, failed = run_domain_rules(con, frame, domain_rules)
    repeats = [s for s in tables if s != MAIN_SECTION]
    structure = pd.concat([as_findings(cast_findings(con)),
                           as_findings(orphan_findings(con, repeats))], ignore_index=True)
    clock.lap("domain_rules")
    sql = pd.concat([as_findings(p) for p in (form, domain, structure)], ignore_index=True)
    gx_f, gx_res = pd.DataFrame(), pd.DataFrame()
    if run_gx:
        gx_f, gx_res = run_suites(con, tables, checks, docs_dir, gx_row_limit)
    drop(con, tables)
    clock.lap("great_expectations")
    counted = set()
    if not gx_res.empty:
        n_sql = sql.groupby(["section", "rule_id"]).size()
        gx_res["sql_count"] = [int(n_sql.get((s, r), 0)) for s, r in
                               zip(gx_res["section"], gx_res["rule_id"], strict=True)]
        gx_res["agree"] = gx_res["sql_count"] == gx_res["unexpected_count"]
        hit = gx_res[(gx_res["mode"] != "rows") & (gx_res["unexpected_count"] > 0)]
        counted = set(zip(hit["section"], hit["rule_id"], strict=True))
    findings = mask_pii(drop_shadowed_required(merge_engines(sql, gx_f, counted)))
    findings, log = ov.apply_overrides(findings, table)
    not_checked = pd.DataFrame([asdict(s) for s in skipped] + failed,
                               columns=NOT_CHECKED_COLUMNS)
    _store(con, findings, not_checked, gx_res, log, rules, domain_rules)
    clock.lap("findings")
    recon = apply_quarantine(con, ins)
    clock.lap("quarantine")
    return ValidationResult(findings, recon, not_checked, gx_res, log, lacking, clock.times,
                            clock.peaks)


def _store(con: duckdb.DuckDBPyConnection, findings: pd.DataFrame, not_checked: pd.DataFrame,
           gx_res: pd.DataFrame, log: pd.DataFrame, rules: list, domain_rules: list) -> None:
    replace_table(con, "validated.findings",
                  findings[[*FINDING_COLUMNS, "override"]].astype("object"))
    con.execute("create or replace view main.validation_findings as "
                "select * from validated.findings")
    replace_table(con, "validated.not_checked", not_checked.astype("object"))
    if not gx_res.empty:
        replace_table(con, "validated.gx_results", gx_res)
    else:
        con.execute("create or replace table validated.gx_results (section varchar, "
                    "suite varchar, rule_id varchar, expectation varchar, unexpected_count "
                    "bigint, success boolean, mode varchar, "
                    "sql_count bigint, agree boolean)")
    catalogue = pd.DataFrame(
        [{"rule_id": r.rule_id, "rule_family": r.family, "severity": r.severity,
          "section": r.section, "field": r.field, "source": "xlsform",
          "message": r.message_en, "message_id": r.message_id, "expression": r.expression}
         for r in rules]
        + [{"rule_id": r.id, "rule_family": r.family, "severity": r.severity,
            "section": r.section, "field": r.field, "source": "domain_rules.yaml",
            "message": r.render(r.message_en), "message_id": r.render(r.message_id),
            "expression": r.render(r.sql).strip()} for r in domain_rules])
    replace_table(con, "validated.rule_catalogue", catalogue.astype("object"))
    if log.empty:
        con.execute("create table if not exists validated.override_log (row_key varchar, "
                    "rule_id varchar, decision varchar, reason varchar, reviewer varchar, "
                    "date varchar, file varchar, line bigint, matched_findings bigint, "
                    "status varchar, applied_at varchar)")
    else:
        append_by_name(con, "validated.override_log", log.astype({"line": "int64"}))
