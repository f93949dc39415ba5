"""Clean synthetic answers obey the form: relevance, required, choices, constraints, calcs."""

from __future__ import annotations

from datetime import date

import pytest
from synth_helpers import MAIN, bare, read_sheets, repeat_rows
from synth_xpath import evaluate

from parenting_assessment.instrument.model import MAIN_SECTION, META_TYPES


@pytest.fixture(scope="module")
def data(clean_run):
    sheets = read_sheets(clean_run.kobo_xlsx)
    main = {r["_uuid"]: r for r in bare(sheets[MAIN]).to_dict("records")}
    reps = {r: repeat_rows(sheets, r) for r in ("roster", "migrant", "child", "caregiver")}
    return main, reps


def _rows(data, section):
    """(main row, row, 1-based position) for every row of a section."""
    main, reps = data
    if section == MAIN_SECTION:
        return [(m, m, 1) for m in main.values()]
    return [(main[u], row, i) for u, rows in reps[section].items()
            for i, row in enumerate(rows, 1)]


@pytest.mark.parametrize("section", ["household", "roster", "migrant", "child", "caregiver"])
def test_relevance_required_choices_constraints(data, ins, section):
    sec = ins.sections[section]
    checked = 0
    for main, row, pos in _rows(data, section):
        def look(name, row=row, main=main):
            return row.get(name) if name in row else main.get(name)

        outer = all(evaluate(e, lambda n, m=main: m.get(n)) for e in sec.repeat_relevant)
        assert outer
        for f in sec.fields:
            value = row.get(f.name, "")
            if f.type in META_TYPES:
                assert value, f.name
                continue
            relevant = all(evaluate(e, look) for e in f.relevant)
            if f.type == "calculate":
                assert bool(value) == (relevant and f.name != "cage" or
                                       (f.name == "cage" and bool(row.get("UB1")))), f.name
                continue
            if value:
                assert relevant, (section, f.name, value, row.get("_index"))
            elif relevant:
                assert not f.required, (section, f.name, row.get("_index"))
                continue
            else:
                continue
            if f.type == "select_one":
                assert value in ins.choice_names(f.list_name), (f.name, value)
            if f.type == "select_multiple":
                assert set(value.split()) <= set(ins.choice_names(f.list_name)), (f.name, value)
            if f.constraint:
                ok = evaluate(f.constraint, lambda n, v=value, lk=look: v if n == "." else lk(n),
                              position=pos, today=main["today"])
                assert ok, (section, f.name, value, f.constraint)
            checked += 1
    assert checked > 100


def test_specific_skips(data):
    _, reps = data
    n_hl15 = n_sch = 0
    for rows in reps["roster"].values():
        for x in rows:
            assert (x["HL15"] != "") == (x["HL13"] == "2")
            assert (x["HL19"] != "") == (x["HL17"] == "2")
            assert (x["sch_attend"] != "") == (7 <= int(x["HL6"]) <= 17)
            assert (x["pcg_age"] != "") == (int(x["HL6"]) <= 17 and x["pcg_ln"] == "0")
            n_hl15 += x["HL15"] != ""
            n_sch += x["sch_attend"] != ""
    assert n_hl15 > 10 and n_sch > 50


def test_cage_and_learning_codes(data):
    main, reps = data
    n = 0
    for u, rows in reps["child"].items():
        today = date.fromisoformat(main[u]["today"])
        roster = {x["HL1"]: x for x in reps["roster"][u]}
        child_line = {x["HL1"]: x for x in roster.values()}
        for c in rows:
            if not c["UB1"]:
                continue
            n += 1
            days = (today - date.fromisoformat(c["UB1"])).days
            assert c["cage"] == str(int(days / 30.4375))
            x = child_line[c["ch_ln"]]
            mother_home, father_home = x["HL13"] == "1", x["HL17"] == "1"
            for item in ("EC5A", "EC5B", "EC5C", "EC5D", "EC5E", "EC5F"):
                who = c[item].split()
                assert mother_home or "A" not in who
                assert father_home or "B" not in who
    assert n > 20
