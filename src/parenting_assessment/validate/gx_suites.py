"""Great Expectations 1.x column suites, built in code from the XLSForm.

GX cannot read DuckDB through SQLAlchemy (see docs/architecture.md), so each section is pulled
into pandas and validated there. GX is imported lazily: it costs ~3 s, and loading the Dagster
code location must not pay that.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from parenting_assessment.instrument.model import Field, Instrument

RANGE = re.compile(r"^\s*\.\s*>=\s*(-?\d+(?:\.\d+)?)\s+and\s+\.\s*<=\s*(-?\d+(?:\.\d+)?)\s*$")
SIMPLE_REL = re.compile(r"^\s*\$\{(\w+)\}\s*=\s*'([^']*)'\s*$")
KEY = "_row_key"


def _condition(f: Field):
    """A GX row condition for a field's relevance, or None if it needs none; False if too complex."""
    from great_expectations.expectations.row_conditions import Column

    cond = None
    for rel in f.relevant:
        m = SIMPLE_REL.match(rel)
        if not m:
            return False
        c = Column(m[1]) == m[2]
        cond = c if cond is None else cond & c
    return cond


def build_suite(ins: Instrument, section: str, columns: set[str]) -> list:
    """The expectations for one section: required, choice domain and plain numeric ranges."""
    import great_expectations.expectations as gxe

    out = []
    for f in ins.sections[section].fields:
        if f.name not in columns or f.type in ("calculate", "note"):
            continue
        cond = _condition(f)
        extra = {} if cond in (None, False) else {"row_condition": cond}
        if f.required and cond is not False:
            out.append(gxe.ExpectColumnValuesToNotBeNull(column=f.name, **extra))
        if f.type == "select_one" and f.list_name:
            out.append(gxe.ExpectColumnValuesToBeInSet(
                column=f.name, value_set=ins.choice_names(f.list_name)))
        m = RANGE.match(f.constraint) if f.type in ("integer", "decimal") else None
        if m:
            out.append(gxe.ExpectColumnValuesToBeBetween(
                column=f.name, min_value=float(m[1]), max_value=float(m[2])))
    return out


RULE_OF = {
    "expect_column_values_to_not_be_null": ("required", "a required answer is missing",
                                            "jawaban wajib kosong"),
    "expect_column_values_to_be_in_set": ("choice", "the code is not in the choice list",
                                          "kode tidak ada di daftar pilihan"),
    "expect_column_values_to_be_between": ("range", "the value is outside the allowed range",
                                           "nilai di luar rentang yang diizinkan"),
}


def run_suites(frames: dict[str, pd.DataFrame], ins: Instrument,
               docs_dir: Path | None = None) -> pd.DataFrame:
    """Validate each section frame; return one finding per failing row and expectation."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = ctx.data_sources.add_pandas(name="survey")
    if docs_dir:
        docs_dir.mkdir(parents=True, exist_ok=True)
        ctx.add_data_docs_site(site_name="local", site_config={
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                              "base_directory": str(docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"}})
    findings: list[dict] = []
    for section, df in frames.items():
        if df.empty:
            continue
        batch_def = source.add_dataframe_asset(name=section).add_batch_definition_whole_dataframe(
            "all")
        suite = ctx.suites.add(gx.ExpectationSuite(name=section))
        for exp in build_suite(ins, section, set(df.columns)):
            suite.add_expectation(exp)
        vd = ctx.validation_definitions.add(
            gx.ValidationDefinition(name=section, data=batch_def, suite=suite))
        res = vd.run(batch_parameters={"dataframe": df}, result_format={
            "result_format": "COMPLETE", "unexpected_index_column_names": [KEY]})
        lookup = df.set_index(KEY)
        for r in res.results:
            cfg = r.expectation_config
            rule, msg_en, msg_id = RULE_OF[cfg.type]
            field = cfg.kwargs["column"]
            for row in r.result.get("unexpected_index_list") or []:
                key = str(row[KEY])
                value = row.get(field)
                findings.append({
                    "section": section, "row_key": key,
                    "submission_uuid": lookup.at[key, "submission_uuid"],
                    "batch": lookup.at[key, "_batch"], "field": field,
                    "rule_id": f"{rule}:{field}", "rule_family": rule, "severity": "error",
                    "message": f"{field}: {msg_en}", "message_id": f"{field}: {msg_id}",
                    "value": None if value is None or pd.isna(value) else str(value),
                    "checked_by": "great_expectations",
                })
    if docs_dir:
        ctx.build_data_docs()
    return pd.DataFrame(findings)
