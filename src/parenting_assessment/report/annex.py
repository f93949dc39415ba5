"""Annexes generated from their sources: catalogue, XLSForm and provenance.

The indicator definitions come from the catalogue, the questionnaire items they use from the
XLSForm, and provenance from the landed files, the versions and the run.

Generating them, rather than writing them by hand, is what keeps the annex true when the
catalogue or the form changes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

from parenting_assessment import __version__
from parenting_assessment.config import PROJECT_ROOT
from parenting_assessment.indicators.catalogue import Catalogue, Indicator
from parenting_assessment.instrument import Instrument
from parenting_assessment.report import fmt
from parenting_assessment.report.data import ReportData
from parenting_assessment.report.strings import Strings
from parenting_assessment.report.tables import Row, Table

TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MAX_CHOICES = 12


def git_commit(root: Path = PROJECT_ROOT) -> str:
    """The checked-out commit (read-only ``git rev-parse``), or "" outside a git clone."""
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=10, env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
                             check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def code_version() -> str:
    commit = git_commit()
    return f"{__version__} ({commit[:12]})" if commit else __version__


def _derived(ins: Instrument) -> dict[str, list[str]]:
    """Core-table columns built from several questionnaire items."""
    names = [f.name for f in ins.fields]
    pick = lambda *prefixes: [n for n in names if n.startswith(prefixes)]  # noqa: E731
    return {
        "age": ["HL6"], "cage_months": ["UB1", "cage"], "age_years": ["UB2", "CB3"],
        "pcg_age_years": ["pcg_ln", "pcg_age", "HL6"], "burden_sum": pick("cb_"),
        "burden_n_answered": pick("cb_"), "ecdi_score": pick("ecdi_"),
        "ecdi_missing": pick("ecdi_"), "econ_active": pick("CL1"),
        "chores_any": ["CL7", "CL9", *pick("CL11")], "chore_hours": ["CL8", "CL10", "CL13"],
        "chore_hours_dk": ["CL8", "CL10", "CL13"], "hh_mig_status": ["HL15", "HL19"],
        "child_lines": ["mig_children"], "complete": ["UF17", "FS17"],
    }


def items_used(ind: Indicator, ins: Instrument | None) -> list[str]:
    """Questionnaire items an indicator's SQL refers to, in questionnaire order."""
    if ins is None:
        return []
    names = {f.name: i for i, f in enumerate(ins.fields)}
    derived = _derived(ins)
    found: set[str] = set()
    for tok in TOKEN.findall(" ".join((ind.universe, ind.numerator, ind.missing))):
        if tok in names:
            found.add(tok)
        found.update(n for n in derived.get(tok, []) if n in names)
    return sorted(found, key=names.__getitem__)


def definitions_table(cat: Catalogue, ins: Instrument | None, t: Strings) -> Table:
    rows = []
    for ind in cat.indicators:
        code = ind.mics6_code + (f" ({ind.instrument})" if ind.instrument else "")
        dis = ", ".join(t.group("disagg_keys", d) for d in ind.disaggregations)
        rule = t("rule_text", universe=ind.universe, numerator=ind.numerator)
        rows.append(Row([ind.id, ind.label[t.lang], code or t("no_code"),
                         t.group("unit_names", ind.unit), t.denominator(ind.id),
                         t.group("direction", ind.direction), dis,
                         ", ".join(items_used(ind, ins)), rule], "", {"indicator": ind.id}))
    return Table("definitions", t("tab_definitions", version=cat.version), [
        t("col_id"), t("col_indicator"), t("col_mics"), t("col_unit"), t("col_denominator"),
        t("col_direction"), t("col_disaggregations"), t("col_items"), t("col_rule")], rows,
        ["l code", "l", "l", "l", "l", "l", "l", "l code", "l code small"],
        caption=t("tab_definitions_note"), sheet="Indicator definitions")


def questionnaire_table(cat: Catalogue, ins: Instrument | None, t: Strings) -> Table | None:
    if ins is None:
        return None
    used: dict[str, list[str]] = {}
    for ind in cat.indicators:
        for name in items_used(ind, ins):
            used.setdefault(name, []).append(ind.id)
    rows = []
    for f in ins.fields:
        if f.name not in used:
            continue
        choices = ""
        if f.list_name and f.list_name in ins.choices:
            opts = ins.choices[f.list_name]
            choices = "; ".join(f"{c.name} = {ins.choice_label(f.list_name, c.name, t.lang)}"
                                for c in opts[:MAX_CHOICES])
            choices += " …" if len(opts) > MAX_CHOICES else ""
        rows.append(Row([f.name, t.group("sections", f.section), ins.label(f.name, t.lang),
                         f.type + (f" {f.list_name}" if f.list_name else ""), choices,
                         ", ".join(used[f.name])], "", {"item": f.name}))
    return Table("questionnaire", t("tab_questionnaire", form=ins.title, version=ins.version),
                 [t("col_item"), t("col_section"), t("col_label"), t("col_type"),
                  t("col_choices"), t("col_used_by")], rows,
                 ["l code", "l", "l", "l code", "l small", "l code small"],
                 caption=t("tab_questionnaire_note"), sheet="Questionnaire items")


def _rows_per_section(text: object) -> str:
    try:
        d = json.loads(str(text))
    except (TypeError, ValueError):
        return str(text or "")
    return ", ".join(f"{k} {v}" for k, v in d.items()) if isinstance(d, dict) else str(d)


def files_table(data: ReportData, t: Strings) -> Table | None:
    landed = data.get("landed")
    if landed is None:
        return None
    landed = landed.sort_values(["batch", "file_name"])
    rows = [Row([str(r.file_name), str(r.sha256), fmt.count(r.size), str(r.format),
                 str(r.form_versions), _rows_per_section(r.rows_per_section), str(r.batch),
                 str(r.landed_at)[:19]]) for r in landed.itertuples()]
    return Table("files", t("tab_files"), [
        t("col_file"), "SHA-256", t("col_bytes"), t("col_format"), t("col_form_versions"),
        t("col_rows_per_section"), t("col_batch"), t("col_landed_at")], rows,
        ["l", "l code small", "n", "l", "l code", "l small", "l", "l"], sheet="Input files")


def run_table(data: ReportData, t: Strings, run: dict[str, str]) -> Table:
    idx = data.get("needs_index")
    needs_version = str(idx["config_version"].iloc[0]) if idx is not None else "-"
    ins = data.instrument
    pairs = [("prov_run_id", run["run_id"]), ("prov_run_time", run["time"]),
             ("prov_code_version", run["code_version"]),
             ("prov_catalogue", data.catalogue.version), ("prov_needs", needs_version),
             ("prov_form", f"{ins.title} ({ins.version})" if ins else "-"),
             ("prov_villages", fmt.count(len(data.frame))),
             ("prov_estimates", fmt.count(len(data.estimates))),
             ("prov_data_time", data.data_time)]
    rows = [Row([t(k), v]) for k, v in pairs]
    return Table("run", t("tab_run"), [t("col_item_name"), t("col_value")], rows, ["l", "l"],
                 sheet="Run")
