"""Rules generated from the XLSForm for every question, evaluated vectorised in DuckDB.

For each answerable question: ``required`` (relevant and blank), ``skip`` (answered although
not relevant), ``choice`` (a code, or a token of a multi-select, outside its list) and
``constraint`` (an answered value breaking the form's constraint, ``.`` being the value). Each
repeat also gets an instance rule: a repeat row that exists although the repeat is not
relevant (a non-responding household with roster rows). Relevance is the AND of the question's
own and its groups' relevance within the section, and of the repeat's relevance. Type failures
come from ``typed.cast_failures`` (see sql_rules.py). Calculations and notes are not answers.

An expression the translator cannot evaluate is never silently skipped: it becomes a
``NotChecked`` entry that the validation report lists.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import duckdb
import pandas as pd

from parenting_assessment.instrument.model import MAIN_SECTION, META_TYPES, Field, Instrument
from parenting_assessment.validate.expressions import (
    ExpressionError,
    ExpressionSyntaxError,
    UnsupportedExpression,
)
from parenting_assessment.validate.form_context import NUMERIC, FormContext
from parenting_assessment.validate.rule_tables import RuleTable, q

NOT_ANSWERS = {"calculate", "note", *META_TYPES}
BIG_LIST = 50
CHOICES = "_choice_codes"
TRANSLATION_ERRORS = (UnsupportedExpression, ExpressionSyntaxError, ExpressionError, LookupError)


@dataclass(frozen=True)
class Rule:
    """One generated check: rows of ``section`` where ``where`` holds are findings."""

    rule_id: str
    family: str
    section: str
    field: str
    where: str
    value: str
    message_en: str
    message_id: str
    expression: str = ""
    severity: str = "error"


@dataclass(frozen=True)
class NotChecked:
    """A rule the translator could not turn into SQL, with the reason shown in the report."""

    rule_id: str
    section: str
    field: str
    expression: str
    reason: str


def _answered(rt: RuleTable, col: str) -> str:
    ref = f"t.{q(col)}"
    return f"NULLIF(TRIM({ref}), '') IS NOT NULL" if rt.own.get(col) == "VARCHAR" else (
        f"{ref} IS NOT NULL")


def _reason(exc: Exception) -> str:
    return getattr(exc, "reason", None) or str(exc)


def field_rules(f: Field, ins: Instrument, rt: RuleTable, fc: FormContext,
                inst: str) -> tuple[list[Rule], list[NotChecked]]:
    """The required / skip / choice / constraint rules of one question."""
    rules: list[Rule] = []
    skipped: list[NotChecked] = []
    col, ref = f.name, f"t.{q(f.name)}"
    answered, value = _answered(rt, col), f"CAST({ref} AS VARCHAR)"
    rel_text = " and ".join(f.relevant)
    try:
        rel = rt.derive(fc.relevance(f.relevant))
    except TRANSLATION_ERRORS as exc:
        rel = None
        for fam in (("required",) if f.required else ()) + (("skip",) if f.relevant else ()):
            skipped.append(NotChecked(f"{fam}:{col}", rt.section, col, rel_text, _reason(exc)))
    if rel is not None and inst is not None:
        if f.required:
            rules.append(Rule(f"required:{col}", "required", rt.section, col,
                              f"{inst} AND {rel} AND NOT ({answered})", "NULL",
                              f"{col}: a required answer is missing",
                              f"{col}: jawaban wajib kosong", rel_text))
        if f.relevant:
            rules.append(Rule(f"skip:{col}", "skip", rt.section, col,
                              f"{inst} AND {answered} AND NOT {rel}", value,
                              f"{col}: answered although the question does not apply "
                              f"(relevant: {rel_text})",
                              f"{col}: terisi padahal pertanyaan tidak berlaku "
                              f"(relevant: {rel_text})", rel_text))
    if f.is_select and f.list_name:
        if f.list_name not in ins.choices:
            skipped.append(NotChecked(f"choice:{col}", rt.section, col, f.list_name,
                                      f"choice list {f.list_name!r} is not in the form"))
        else:
            codes = ", ".join("'" + c.replace("'", "''") + "'"
                              for c in ins.choice_names(f.list_name))
            if f.type == "select_one" and len(ins.choices[f.list_name]) > BIG_LIST:
                # e.g. the village list at national scale: a hash anti-join, not a long IN
                where = (f"{answered} AND NOT EXISTS (SELECT 1 FROM {CHOICES} c WHERE "
                         f"c.list_name = '{f.list_name}' AND c.name = TRIM({ref}))")
                value_sql = value
            elif f.type == "select_one":
                where, value_sql = f"{answered} AND TRIM({ref}) NOT IN ({codes})", value
            else:
                bad = (f"list_filter(string_split(TRIM({ref}), ' '), "
                       f"lambda x: x <> '' AND NOT list_contains([{codes}], x))")
                where, value_sql = f"{answered} AND len({bad}) > 0", f"array_to_string({bad}, ' ')"
            rules.append(Rule(f"choice:{col}", "choice", rt.section, col, where, value_sql,
                              f"{col}: code not in the choice list '{f.list_name}'",
                              f"{col}: kode tidak ada dalam daftar pilihan '{f.list_name}'",
                              f.list_name))
    if f.constraint:
        try:
            ok = fc.boolean(f.constraint, current=ref, numeric=rt.own[col] in NUMERIC)
            rules.append(Rule(f"constraint:{col}", "constraint", rt.section, col,
                              f"{answered} AND NOT ({ok})", value,
                              f"{col}: the answer breaks the constraint {f.constraint}",
                              f"{col}: jawaban melanggar batasan {f.constraint}", f.constraint))
        except TRANSLATION_ERRORS as exc:
            skipped.append(NotChecked(f"constraint:{col}", rt.section, col, f.constraint,
                                      _reason(exc)))
    return rules, skipped


def build_rules(ins: Instrument, tables: dict[str, RuleTable]
                ) -> tuple[list[Rule], list[NotChecked]]:
    """Every generated rule of the form, and the expressions that cannot be checked."""
    rules: list[Rule] = []
    skipped: list[NotChecked] = []
    for name, rt in tables.items():
        sec = ins.sections[name]
        fc = FormContext(ins, rt, tables)
        inst: str | None = "TRUE"
        if name != MAIN_SECTION and sec.repeat_relevant:
            text = " and ".join(sec.repeat_relevant)
            try:
                inst = rt.derive(fc.relevance(sec.repeat_relevant))
                rules.append(Rule(
                    f"skip_repeat:{name}", "skip", name, "", f"NOT {inst}",
                    f"'{name}[' || CAST(t.__pos AS VARCHAR) || ']'",
                    f"{name}: a repeat row exists although the repeat does not apply "
                    f"(relevant: {text})",
                    f"{name}: baris ulangan ada padahal ulangan tidak berlaku (relevant: {text})",
                    text))
            except TRANSLATION_ERRORS as exc:
                inst = None
                skipped.append(NotChecked(f"skip_repeat:{name}", name, "", text, _reason(exc)))
        for f in sec.fields:
            if f.type in NOT_ANSWERS:
                continue
            if not rt.has(f.name):
                skipped.append(NotChecked(f"*:{f.name}", name, f.name, "",
                                          f"no column {f.name!r} in typed.{name}"))
                continue
            got, miss = field_rules(f, ins, rt, fc, inst)
            rules += got
            skipped += miss
    return rules, skipped


def choice_table(con: duckdb.DuckDBPyConnection, ins: Instrument) -> None:
    """The form's choice lists as a temp table (list_name, name) for long-list choice rules."""
    rows = [(ln, c.name) for ln, cs in ins.choices.items() for c in cs]
    con.register("_choices_df", pd.DataFrame(rows, columns=["list_name", "name"]))
    con.execute(f"CREATE OR REPLACE TEMP TABLE {CHOICES} AS SELECT * FROM _choices_df")
    con.unregister("_choices_df")


def run_rules(con: duckdb.DuckDBPyConnection, tables: dict[str, RuleTable],
              rules: list[Rule], ins: Instrument) -> pd.DataFrame:
    """Evaluate the rules (one UNION ALL query per section); one row per failing row and rule."""
    choice_table(con, ins)
    catalogue = pd.DataFrame([asdict(r) for r in rules])
    frames = []
    for name, rt in tables.items():
        parts = [f"SELECT {i} AS rule_ix, t._row_key AS row_key, t.submission_uuid, "
                 f"t._batch AS batch, {r.value} AS value FROM {rt.name} t WHERE {r.where}"
                 for i, r in enumerate(rules) if r.section == name]
        if parts:
            frames.append(con.execute(" UNION ALL ".join(parts)).df())
    hits = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["rule_ix", "row_key", "submission_uuid", "batch", "value"])
    if hits.empty:
        return pd.DataFrame()
    cat = catalogue.rename(columns={"family": "rule_family", "message_en": "message",
                                    "message_id": "message_id"})
    out = hits.merge(cat[["rule_id", "rule_family", "section", "field", "severity", "message",
                          "message_id"]], left_on="rule_ix", right_index=True)
    out["checked_by"] = "sql"
    return out.drop(columns=["rule_ix"])
