"""Findings schema helpers (masking, merging engines, type vs required) and the GX check plan."""

from __future__ import annotations

import pandas as pd
from literal_survey import clean, literal_db, mother, toddler

from parenting_assessment.validate.findings import (
    FINDING_COLUMNS,
    REDACTED,
    drop_shadowed_required,
    mask_pii,
    merge_engines,
)
from parenting_assessment.validate.gx_suites import build_checks
from parenting_assessment.validate.rule_tables import rule_tables
from parenting_assessment.validate.run import validate


def finding(**kw) -> dict:
    base = dict.fromkeys(FINDING_COLUMNS)
    base.update(
        section="roster",
        row_key="k",
        rule_id="r",
        rule_family="choice",
        severity="error",
        checked_by="sql",
    )
    base.update(kw)
    return base


def test_pii_values_are_redacted():
    df = pd.DataFrame(
        [
            finding(field=f, value="secret")
            for f in ("resp_name", "resp_phone", "HL2", "enum_notes", "gps", "gps_lat", "HL4")
        ]
        + [finding(field="resp_phone", value=None)]
    )
    out = mask_pii(df)
    assert out["value"].tolist()[:6] == [REDACTED] * 6
    assert out["value"].tolist()[6] == "secret" and out["value"].isna().iloc[7]


def test_engines_merge_into_one_row_each():
    sql = pd.DataFrame(
        [
            finding(
                row_key="a",
                rule_id="choice:HL4",
                value="3",
                batch="b1",
                submission_uuid="u",
                message="m",
            )
        ]
    )
    gx = pd.DataFrame(
        [
            {
                "section": "roster",
                "row_key": "a",
                "rule_id": "choice:HL4",
                "field": "HL4",
                "value": "3",
                "checked_by": "great_expectations",
            },
            {
                "section": "roster",
                "row_key": "b",
                "rule_id": "choice:HL4",
                "field": "HL4",
                "value": "4",
                "checked_by": "great_expectations",
            },
        ]
    )
    out = merge_engines(sql, gx, set()).set_index("row_key")
    assert out.loc["a", "checked_by"] == "great_expectations+sql"
    assert out.loc["b", "checked_by"] == "great_expectations"  # GX-only rows are kept
    assert out.loc["b", "message"] == "m"  # and get the rule's message
    counted = merge_engines(sql, pd.DataFrame(), {("roster", "choice:HL4")})
    assert counted["checked_by"].tolist() == ["great_expectations+sql"]


def test_unreadable_value_is_a_type_error_not_a_missing_answer():
    df = pd.DataFrame(
        [
            finding(rule_family="type", rule_id="type:HL6", field="HL6"),
            finding(rule_family="required", rule_id="required:HL6", field="HL6"),
            finding(rule_family="required", rule_id="required:HL4", field="HL4"),
        ]
    )
    assert drop_shadowed_required(df)["rule_id"].tolist() == ["type:HL6", "required:HL4"]


def test_cast_failure_end_to_end(ins, frame):
    u = "00000000-0000-4000-e000-000000000001"
    rows = clean(u)
    rows["roster"] = [mother(u), toddler(u, HL6=None)]
    con = literal_db(ins, rows)
    con.execute(
        "create table typed.cast_failures as select 'roster' as section, "
        f"'{u}/roster[2]' as row_key, '{u}' as submission_uuid, 'b1' as batch, "
        "'HL6' as field, 'integer' as type, 'tiga' as value"
    )
    res = validate(con, ins, frame, overrides=None, run_gx=False)
    got = res.findings[res.findings["row_key"] == f"{u}/roster[2]"]
    assert "type:HL6" in set(got["rule_id"]) and "required:HL6" not in set(got["rule_id"])


def test_gx_plan_follows_the_form(ins):
    con = literal_db(ins, clean("00000000-0000-4000-e000-000000000002"))
    checks = {c.rule_id: c for c in build_checks(ins, rule_tables(con, ins))}
    assert checks["required:HL13"].condition == (("consent", "==", "1"), ("HL12", "==", "1"))
    assert checks["required:pcg_age"].condition == (
        ("consent", "==", "1"),
        ("HL6", "<=", 17.0),
        ("pcg_ln", "==", 0.0),
    )
    assert checks["constraint:HL6"].args == (0.0, 110.0)
    assert checks["constraint:resp_phone"].kind == "regex" and checks["constraint:resp_phone"].pii
    assert checks["constraint:resp_name"].kind == "length"
    assert "choice:EC5A" not in checks  # multi-select tokens: SQL only
    # OR relevance, OR constraints and expressions with references stay SQL-only
    assert "required:cp_time" not in checks and "constraint:pcg_age" not in checks
    assert "constraint:ch_ln" not in checks
