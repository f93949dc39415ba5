"""Every domain rule of domain_rules.yaml, on passing and failing literal households.

As for the XLSForm rules, all cases live in one literal warehouse (one household each) and the
rules run once; each test reads the findings of its household.
"""

from __future__ import annotations

import pytest
import yaml
from literal_survey import (
    carer,
    clean,
    household,
    literal_db,
    merge,
    mother,
    repeat,
    toddler,
    u5_module,
)

from parenting_assessment.validate.domain_rules import (
    DomainRuleError,
    default_path,
    load_rules,
    run_domain_rules,
)


def uid(i: int) -> str:
    return f"00000000-0000-4000-9000-{i:012d}"


def father(u: str, **a) -> dict:
    return repeat(
        u, "roster", 3, **{"HL1": "3", "HL2": "Ahmad", "HL3": "2", "HL4": "1", "HL6": 35, **a}
    )


def ten(u: str, **a) -> dict:
    """Line 3: a 10-year-old daughter, mother at home, father dead."""
    return repeat(
        u,
        "roster",
        3,
        **{
            "HL1": "3",
            "HL2": "Ani",
            "HL3": "3",
            "HL4": "2",
            "HL6": 10,
            "HL12": "1",
            "HL13": "1",
            "HL14": 1,
            "HL16": "2",
            "pcg_ln": 1,
            "pcg_rel": "1",
            "sch_attend": "1",
            "sch_level": "1",
            **a,
        },
    )


def build(u: str, name: str) -> dict:  # noqa: C901 - one branch per case, read as a table
    r = clean(u)
    hh = r["household"][0]
    if name == "age_inconsistent":
        r["child"] = [u5_module(u, UB2=4)]
    elif name == "age_months":
        r["child"] = [u5_module(u, cage="55")]
    elif name == "young_mother_head":
        r["roster"] = [mother(u, HL6=14), toddler(u)]
    elif name == "mother_male":
        r["roster"] = [mother(u, HL4="1"), toddler(u)]
    elif name == "father_female":
        r["roster"] = [mother(u), toddler(u, HL17="1", HL18=3, HL19=None), father(u, HL4="2")]
    elif name == "father_ok":
        r["roster"] = [mother(u), toddler(u, HL17="1", HL18=3, HL19=None), father(u)]
    elif name == "line_missing":
        r["roster"] = [mother(u), toddler(u, HL14=7, pcg_ln=9)]
    elif name == "no_child_module":
        r["child"], hh["ch_n"] = [], 0
    elif name == "module_not_on_roster":
        r["child"] = [u5_module(u, ch_ln=5)]
    elif name == "wrong_module_type":
        r["child"] = [u5_module(u, ch_type="2")]
    elif name == "selected_child_without_module":
        r["roster"] = [mother(u), toddler(u), ten(u)]
        hh["sel_fs_ln"] = 3
    elif name == "selected_child_ok":
        r["roster"] = [mother(u), toddler(u), ten(u)]
        r["child"].append(repeat(u, "child", 2, ch_ln=3, ch_type="2", FS17="3", ch_resp_ln=1))
        hh.update(sel_fs_ln=3, ch_n=2)
    elif name == "no_selection":
        r["roster"] = [mother(u), toddler(u), ten(u)]
    elif name == "no_caregiver_module":
        r["caregiver"], hh["cg_n"] = [], 0
    elif name == "two_caregiver_modules":
        r["caregiver"] = [carer(u), repeat(u, "caregiver", 2, cg_ln=1, cg_result="2")]
        hh["cg_n"] = 2
    elif name == "count_mismatch":
        hh["ch_n"] = 2
    elif name == "village_not_in_frame":
        hh["village"] = "32.12.16.2999"
    elif name == "wrong_district":
        hh["kab"] = "33.01"
    elif name == "gps_22km":
        hh["gps_lat"] += 0.2
    elif name == "ten_minutes":
        hh["end"] = "2026-09-02 09:10:00+07"
    elif name == "five_hours":
        hh["end"] = "2026-09-02 14:10:00+07"
    elif name == "refusal_5_minutes":
        r = {
            "household": [
                household(
                    u,
                    consent="2",
                    resp_name=None,
                    gps=None,
                    gps_lat=None,
                    gps_lon=None,
                    sel_fs_ln=None,
                    mig_n=None,
                    ch_n=None,
                    cg_n=None,
                    end="2026-09-02 09:05:00+07",
                )
            ]
        }
    elif name == "mother_abroad_no_record":
        r["roster"] = [
            mother(u, HL3="1"),
            toddler(u, HL13="2", HL14=None, HL15="1", pcg_ln=1, pcg_rel="3"),
        ]
    elif name == "mother_abroad_with_record":
        r["roster"] = [mother(u), toddler(u, HL13="2", HL14=None, HL15="1")]
        r["migrant"] = [repeat(u, "migrant", 1, mig_role="1", mig_children="2")]
        hh["mig_n"] = 1
    elif name == "record_lists_wrong_child":
        r["roster"] = [mother(u), toddler(u, HL13="2", HL14=None, HL15="1")]
        r["migrant"] = [repeat(u, "migrant", 1, mig_role="1", mig_children="1 2")]
        hh["mig_n"] = 1
    elif name == "father_abroad_no_record":
        r["roster"] = [mother(u), toddler(u, HL19="1")]
    elif name == "paud_other":
        r["child"] = [u5_module(u, UB8="1", paud_type="6")]
    return r


R1, R2, R3, C1, C2, G1, G2, M1 = (
    "roster[1]",
    "roster[2]",
    "roster[3]",
    "child[1]",
    "child[2]",
    "caregiver[1]",
    "caregiver[2]",
    "migrant[1]",
)
CASES = {
    "clean": set(),
    "age_inconsistent": {(C1, "age_consistency", "UB2"), (C1, "age_dob_consistency", "UB2")},
    "age_months": {(C1, "age_dob_consistency", "UB2")},
    # a 14-year-old head and mother: also a child aged 5-17 who needs the Kish selection
    "young_mother_head": {
        (R2, "mother_age_gap", "HL14"),
        (R1, "head_min_age", "HL6"),
        ("", "selected_child_valid", "sel_fs_ln"),
        ("", "fs_module_count", "sel_fs_ln"),
    },
    "mother_male": {(R2, "mother_is_female", "HL14")},
    "father_female": {(R2, "father_is_male", "HL18")},
    "father_ok": set(),
    "line_missing": {
        (R2, "line_exists", "HL14"),
        (R2, "line_exists", "pcg_ln"),
        ("", "caregiver_module_missing", "cg_n"),
        (G1, "caregiver_not_primary", "cg_ln"),
    },
    "no_child_module": {
        (R2, "child_module_missing", "HL6"),
        (G1, "caregiver_not_primary", "cg_ln"),
    },
    "module_not_on_roster": {
        (C1, "child_module_without_roster", "ch_ln"),
        (R2, "child_module_missing", "HL6"),
        (G1, "caregiver_not_primary", "cg_ln"),
    },
    "wrong_module_type": {
        (C1, "child_module_not_eligible", "ch_type"),
        ("", "fs_module_count", "sel_fs_ln"),
    },
    "selected_child_without_module": {
        (R3, "child_module_missing", "HL6"),
        ("", "fs_module_count", "sel_fs_ln"),
    },
    "selected_child_ok": set(),
    "no_selection": {
        ("", "selected_child_valid", "sel_fs_ln"),
        ("", "fs_module_count", "sel_fs_ln"),
    },
    "no_caregiver_module": {("", "caregiver_module_missing", "cg_n")},
    "two_caregiver_modules": {(G2, "caregiver_module_duplicate", "cg_ln")},
    "count_mismatch": {("", "repeat_count", "ch_n")},
    "village_not_in_frame": {("", "village_in_frame", "village")},
    "wrong_district": {("", "village_district", "kab")},
    "gps_22km": {("", "gps_far", "gps")},
    "ten_minutes": {("", "interview_too_short", "end")},
    "five_hours": {("", "interview_too_long", "end")},
    "refusal_5_minutes": set(),
    "mother_abroad_no_record": {(R2, "migrant_record_mother", "HL15")},
    "mother_abroad_with_record": set(),
    "record_lists_wrong_child": {(M1, "migrant_children_valid", "mig_children")},
    "father_abroad_no_record": {(R2, "migrant_record_father", "HL19")},
    "paud_other": {(C1, "paud_other", "paud_type")},
}


def of(found, u: str) -> set[tuple[str, str, str]]:
    mine = found[found["row_key"].str.startswith(u)]
    return {
        (k[len(u) + 1 :], r, f)
        for k, r, f in zip(mine["row_key"], mine["rule_id"], mine["field"], strict=True)
    }


@pytest.fixture(scope="module")
def results(ins, frame):
    ids = {name: uid(i) for i, name in enumerate(CASES, start=1)}
    # duplicates: the same listed household twice, and a copied interview one day later
    a, b, c, d = uid(101), uid(102), uid(103), uid(104)
    dup = merge(clean(a), clean(b))
    dup["household"][1]["hh_listing_no"] = dup["household"][0]["hh_listing_no"]
    dup["household"][1].update(start="2026-09-03 09:00:00+07", end="2026-09-03 09:50:00+07")
    copy = merge(clean(c), clean(d))
    copy["household"][1].update(start="2026-09-03 09:00:00+07", end="2026-09-03 09:50:00+07")
    for rows, src in ((copy, c),):
        for sec in ("roster", "child", "caregiver"):
            twin = [dict(x) for x in rows[sec] if x["submission_uuid"] == src]
            rows[sec] = [x for x in rows[sec] if x["submission_uuid"] == src] + [
                {
                    **x,
                    "submission_uuid": d,
                    "submission_root": d,
                    "_parent_key": d,
                    "_row_key": x["_row_key"].replace(src, d),
                }
                for x in twin
            ]
    rows = merge(*(build(ids[n], n) for n in CASES), dup, copy)
    con = literal_db(ins, rows)
    found, failed = run_domain_rules(con, frame, load_rules(sections=tuple(ins.sections)))
    found30, _ = run_domain_rules(con, frame, load_rules(params={"gps_far": {"max_km": 30}}))
    return ids, found, failed, found30, (a, b, c, d)


@pytest.mark.parametrize("name", list(CASES))
def test_domain_rule_cases(results, name):
    ids, found, failed, *_ = results
    assert failed == []
    assert of(found, ids[name]) == CASES[name]


def test_duplicates_flag_the_later_interview_only(results):
    _, found, _, _, (a, b, c, d) = results
    assert of(found, a) == set() and of(found, c) == set()
    assert ("", "duplicate_household", "hh_listing_no") in of(found, b)
    assert of(found, d) == {("", "duplicate_near_identical", "")}


def test_threshold_is_a_parameter(results):
    ids, found, _, found30, _ = results
    assert ("", "gps_far", "gps") in of(found, ids["gps_22km"])
    assert not of(found30, ids["gps_22km"])
    msg = found[found["rule_id"] == "gps_far"]["message"].iloc[0]
    assert "10 km" in msg


def test_every_rule_has_bilingual_messages_and_a_test_case():
    rules = load_rules()
    assert len(rules) >= 20
    for r in rules:
        assert r.message_en and r.message_id and r.severity in ("error", "warning")
    fired = {rule for exp in CASES.values() for _, rule, _ in exp}
    fired |= {"duplicate_household", "duplicate_near_identical"}
    assert fired == {r.id for r in rules}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["rules"][0].update(severity="fatal"), "rule 1 (age_consistency): severity"),
        (lambda d: d["rules"][1].pop("sql"), "rule 2 (age_dob_consistency): missing sql"),
        (lambda d: d["rules"][2]["params"].update(min_gap="12; drop table x"), "not a number"),
        (lambda d: d["rules"][3].update(id="age_consistency"), "duplicate id"),
    ],
)
def test_bad_rule_file_gives_one_clear_line(tmp_path, edit, message):
    doc = yaml.safe_load(default_path().read_text(encoding="utf-8"))
    edit(doc)
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(DomainRuleError) as exc:
        load_rules(path)
    assert message in str(exc.value) and str(path) in str(exc.value)
    assert "\n" not in str(exc.value)
