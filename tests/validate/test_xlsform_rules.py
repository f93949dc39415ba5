"""Rules generated from this project's XLSForm fire on literal rows exactly where they should.

Every case is one household (its own uuid) of a single literal warehouse, so the ~390 generated
rules run once for all cases; each test then reads the findings of its household.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from literal_survey import (
    carer,
    clean,
    form_findings,
    hits,
    household,
    merge,
    mother,
    toddler,
    u5_module,
)


def uid(i: int) -> str:
    return f"00000000-0000-4000-8000-{i:012d}"


def case_rows(u: str, kind: str, answers: dict) -> dict:
    rows = clean(u)
    if kind == "toddler":
        rows["roster"] = [mother(u), toddler(u, **answers)]
    elif kind == "mother":
        rows["roster"] = [mother(u, **answers), toddler(u)]
    elif kind == "child":
        rows["child"] = [u5_module(u, **answers)]
    elif kind == "carer":
        rows["caregiver"] = [carer(u, **answers)]
    elif kind == "household":
        rows["household"] = [household(u, **answers)]
    elif kind == "refused":
        rows["household"] = [household(u, consent="2")]
    elif kind == "not_visited":
        cover = {
            "visit_result": "2",
            "consent": None,
            "resp_name": None,
            "gps": None,
            "gps_lat": None,
            "gps_lon": None,
            "sel_fs_ln": None,
            "mig_n": None,
            "ch_n": None,
            "cg_n": None,
        }
        rows = {"household": [household(u, **{**cover, **answers})]}
    return rows


R1, R2, C1, G1 = "roster[1]", "roster[2]", "child[1]", "caregiver[1]"
CASES = {  # id: (what to change, answers, expected (row, rule) - row relative to the uuid)
    "clean": ("none", {}, set()),
    "hl15_when_mother_home": ("toddler", {"HL15": "2"}, {(R2, "skip:HL15")}),
    "missing_sex": ("toddler", {"HL4": None}, {(R2, "required:HL4")}),
    "missing_mother_line": ("toddler", {"HL14": None}, {(R2, "required:HL14")}),
    "sex_code_3": ("toddler", {"HL4": "3"}, {(R2, "choice:HL4")}),
    "line2_is_head": ("toddler", {"HL3": "1"}, {(R2, "constraint:HL3")}),
    "own_mother": ("toddler", {"HL14": 2}, {(R2, "constraint:HL14")}),
    "school_at_3": ("toddler", {"sch_attend": "1"}, {(R2, "skip:sch_attend")}),
    # HL12 = 2 (dead): ODK would have cleared HL13/HL14, so they are skip violations and
    # nothing that depends on them (HL15 required) cascades.
    "dead_mother": ("toddler", {"HL12": "2"}, {(R2, "skip:HL13"), (R2, "skip:HL14")}),
    "age_130": ("mother", {"HL6": 130}, {(R1, "constraint:HL6")}),
    "ec5a_y_and_a": ("child", {"EC5A": "Y A"}, {(C1, "constraint:EC5A")}),
    "ec5a_adults": ("child", {"EC5A": "A B X"}, set()),
    "ec5a_y": ("child", {"EC5A": "Y"}, set()),
    "ec5a_bad_token": ("child", {"EC5A": "A Z"}, {(C1, "choice:EC5A")}),
    "missing_books": ("child", {"EC1": None}, {(C1, "required:EC1")}),
    "ec3a_9": ("child", {"EC3A": 9}, {(C1, "constraint:EC3A")}),
    "born_after_interview": ("child", {"UB1": "2026-10-01"}, {(C1, "constraint:UB1")}),
    "paud_type_without_paud": ("child", {"paud_type": "1"}, {(C1, "skip:paud_type")}),
    "ub8_missing_at_41_months": ("child", {"UB8": None}, {(C1, "required:UB8")}),
    "child_line_above_hh_size": ("child", {"ch_ln": 5}, {(C1, "constraint:ch_ln")}),
    "interest_without_time": (
        "carer",
        {"cp_interest": "1", "cp_barriers": "none time"},
        {(G1, "required:cp_time"), (G1, "required:cp_topics"), (G1, "constraint:cp_barriers")},
    ),
    "household_constraints": (
        "household",
        {"gps": None, "gps_lat": None, "gps_lon": None, "hh_listing_no": 0, "resp_phone": "12345"},
        {("", "required:gps"), ("", "constraint:hh_listing_no"), ("", "constraint:resp_phone")},
    ),
    "valid_phone": ("household", {"resp_phone": "081234567890"}, set()),
    "not_visited": ("not_visited", {}, set()),
    "not_visited_with_consent": ("not_visited", {"consent": "1"}, {("", "skip:consent")}),
}


@pytest.fixture(scope="module")
def results(ins, db):
    ids = {name: uid(i) for i, name in enumerate(CASES, start=1)}
    rows = merge(
        *(case_rows(ids[n], kind, a) for n, (kind, a, _) in CASES.items()),
        case_rows(uid(99), "refused", {}),
    )
    found, skipped = form_findings(db(rows), ins)
    return ids, found, skipped


@pytest.fixture(scope="module")
def db(ins):
    from literal_survey import literal_db

    return lambda rows: literal_db(ins, rows)


def of(found, u: str) -> set[tuple[str, str]]:
    mine = found[found["row_key"].str.startswith(u)]
    return {(k[len(u) + 1 :], r) for k, r in hits(mine)}


@pytest.mark.parametrize("name", list(CASES))
def test_rule_fires_on_the_changed_row_only(results, name):
    ids, found, _ = results
    assert of(found, ids[name]) == CASES[name][2]


def test_nothing_is_unsupported_in_this_form(results):
    assert results[2] == []


def test_non_respondent_has_nothing_beyond_the_cover(results):
    got = of(results[1], uid(99))
    assert {
        (R1, "skip_repeat:roster"),
        (R2, "skip_repeat:roster"),
        (C1, "skip_repeat:child"),
        (G1, "skip_repeat:caregiver"),
        ("", "skip:resp_name"),
        ("", "skip:gps"),
        ("", "skip:ch_n"),
        ("", "skip:cg_n"),
        ("", "skip:sel_fs_ln"),
    } <= got
    # inside a repeat that should not exist there is no question-level noise
    assert {r for k, r in got if k} == {
        "skip_repeat:roster",
        "skip_repeat:child",
        "skip_repeat:caregiver",
    }


def test_every_question_gets_rules_and_calculations_none(ins, db):
    from parenting_assessment.validate.rule_tables import rule_tables
    from parenting_assessment.validate.xlsform_rules import build_rules

    rules, _ = build_rules(ins, rule_tables(db(clean(uid(1))), ins))
    ids = {r.rule_id for r in rules}
    assert {
        "required:HL4",
        "skip:HL15",
        "choice:EC5A",
        "constraint:EC5A",
        "constraint:HL3",
        "skip_repeat:roster",
        "skip_repeat:child",
        "required:gps",
    } <= ids
    assert not {r for r in ids if r.endswith((":HL1", ":hh_size", ":cage", ":start"))}


def test_unsupported_expression_is_listed_not_skipped(ins, db):
    sec = ins.sections["roster"]
    fields = tuple(
        replace(f, relevant=("pulldata('x', 'y', 'z', ${HL6}) = 1",))
        if f.name == "pcg_rel"
        else replace(f, constraint="indexed-repeat(${HL6}, ${roster}, 1) > 0")
        if f.name == "HL6"
        else f
        for f in sec.fields
    )
    odd = replace(ins, sections={**ins.sections, "roster": replace(sec, fields=fields)})
    found, skipped = form_findings(db(clean(uid(1))), odd)
    ids = {(s.rule_id, s.field) for s in skipped}
    assert {
        ("required:pcg_rel", "pcg_rel"),
        ("skip:pcg_rel", "pcg_rel"),
        ("constraint:HL6", "HL6"),
    } <= ids
    assert all("pulldata" in s.reason or "indexed-repeat" in s.reason for s in skipped)
    assert found.empty


def test_long_choice_lists_use_an_anti_join(ins, db, monkeypatch):
    from parenting_assessment.validate import xlsform_rules

    monkeypatch.setattr(xlsform_rules, "BIG_LIST", 5)  # the village list (42) counts as long
    good, bad = uid(201), uid(202)
    rows = merge(clean(good), case_rows(bad, "household", {"village": "32.12.16.2999"}))
    found, _ = form_findings(db(rows), ins)
    assert of(found, bad) == {("", "choice:village")} and of(found, good) == set()
