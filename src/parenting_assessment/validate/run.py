"""Run every check on the typed tables, record findings, and quarantine failing submissions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from parenting_assessment.instrument.model import Instrument
from parenting_assessment.validate.findings import as_findings
from parenting_assessment.validate.gx_suites import run_suites
from parenting_assessment.validate.quarantine import apply_quarantine
from parenting_assessment.validate.sql_rules import (
    cast_findings,
    duplicate_household_findings,
    frame_findings,
    orphan_findings,
)
from parenting_assessment.warehouse import replace_table, table_exists


@dataclass
class ValidationResult:
    """Counts a supervisor and the asset checks need."""

    findings: pd.DataFrame
    reconciliation: pd.DataFrame

    def by_family(self) -> dict[str, int]:
        if self.findings.empty:
            return {}
        return self.findings.groupby("rule_family").size().to_dict()


def respondent_frames(con: duckdb.DuckDBPyConnection, ins: Instrument) -> dict[str, pd.DataFrame]:
    """Typed sections as pandas, for GX (list columns are left out: GX does not need them)."""
    frames = {}
    for s in ins.sections:
        if not table_exists(con, f"typed.{s}"):
            continue
        cols = [r[0] for r in con.execute(f"describe typed.{s}").fetchall()
                if not r[0].endswith("__list")]
        quoted = ", ".join('"' + c + '"' for c in cols)
        frames[s] = con.execute(
            f"select {quoted} from typed.{s} where _row_key is not null").df()
    return frames


def validate(con: duckdb.DuckDBPyConnection, ins: Instrument, frame: pd.DataFrame, *,
             docs_dir: Path | None = None) -> ValidationResult:
    sections = [s for s in ins.sections if table_exists(con, f"typed.{s}")]
    parts = [
        run_suites(respondent_frames(con, ins), ins, docs_dir),
        cast_findings(con),
        orphan_findings(con, [s for s in sections if s != "household"]),
        frame_findings(con, frame),
        duplicate_household_findings(con),
    ]
    findings = pd.concat([as_findings(p) for p in parts], ignore_index=True)
    replace_table(con, "validated.findings", findings)
    con.execute("create or replace view main.validation_findings as "
                "select * from validated.findings")
    recon = apply_quarantine(con, ins)
    return ValidationResult(findings, recon)
