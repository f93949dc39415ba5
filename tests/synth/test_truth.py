"""truth.csv equals the indicators recomputed independently, row by row (INDICATORS.md §3).

In a census with no non-response every child of the population is in the export, so roster and
under-5 indicators recomputed from the XLSX must equal the truth exactly. 5-17 and caregiver
truth (over ALL children / caregivers, not the selected ones) is recomputed from the population.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest
from synth_helpers import MAIN, bare, read_sheets, repeat_rows

from parenting_assessment.synth import generate
from parenting_assessment.synth.api import DEFAULT_FRAME, write_outputs
from parenting_assessment.synth.frame import read_frame

REQUIRED = {
    "lb_parent_abroad", "lb_parent_abroad_mother_only", "lb_parent_abroad_father_only",
    "lb_parent_abroad_both", "lb_neither_parent", "lb_orphan_any", "care_grandparent_primary",
    "care_supervision_inadequate", "ecd_books_3plus", "ecd_playthings_2plus",
    "ecd_support_learning_any", "edu_school_attendance", "edu_ece_attendance",
    "prot_birth_registered", "prot_discipline_violent",
}
CUTS = ((24, 29, 7), (30, 35, 9), (36, 41, 11), (42, 47, 13), (48, 59, 15))
VIOLENT = ("CD2C", "CD2D", "CD2F", "CD2G", "CD2H", "CD2I", "CD2J", "CD2K")


@pytest.fixture(scope="module")
def census(tmp_path_factory, ins):
    frame = read_frame(DEFAULT_FRAME).iloc[[2, 12]].reset_index(drop=True)
    frame[["n_listed_pmi", "target_pmi"]] = [[14, 14], [11, 11]]
    frame[["n_listed_non_pmi", "target_non_pmi"]] = [[12, 12], [9, 9]]
    syn = generate(frame, ins, 5, defect_rate=0.0, nonresponse=0.0, module_nonresponse=0.0)
    out = tmp_path_factory.mktemp("census")
    frame_csv = out / "frame.csv"
    frame.to_csv(frame_csv, index=False)
    res = write_outputs(syn, ins, Path(ins.path), out, 5, frame_csv)
    truth = pd.read_csv(res.truth_csv, dtype={"kode_kemendagri": str})
    return syn, res, truth.set_index(["kode_kemendagri", "indicator_id"])


class Tally:
    def __init__(self):
        self.num, self.den = defaultdict(int), defaultdict(int)

    def add(self, village, ind, universe, y):
        if universe:
            self.den[(village, ind)] += 1
            self.num[(village, ind)] += bool(y)

    def check(self, truth, indicators):
        assert set(indicators) <= {k[1] for k in self.den}
        for key, den in self.den.items():
            if key[1] not in indicators:
                continue
            row = truth.loc[key]
            assert row["denominator"] == den, key
            assert row["value"] == pytest.approx(100 * self.num[key] / den, abs=1e-6), key


def test_truth_file_shape(census):
    _, res, truth = census
    flat = truth.reset_index()
    assert list(flat.columns) == ["kode_kemendagri", "indicator_id", "value", "denominator"]
    assert set(flat["indicator_id"]) >= REQUIRED
    assert flat.groupby("kode_kemendagri")["indicator_id"].nunique().nunique() == 1
    assert flat["value"].dropna().between(0, 100).all()


def test_roster_and_under5_truth_from_export(census):
    syn, res, truth = census
    sheets = read_sheets(res.kobo_xlsx)
    main = bare(sheets[MAIN])
    assert (main["consent"] == "1").all() and len(main) == 46  # census, all responded
    reps = {r: repeat_rows(sheets, r) for r in ("roster", "migrant", "child")}
    t = Tally()
    for m in main.to_dict("records"):
        v, u = m["village"], m["_uuid"]
        roster = {x["HL1"]: x for x in reps["roster"][u]}
        migs = reps["migrant"].get(u, [])
        abroad_hh = False
        for x in roster.values():
            if int(x["HL6"]) > 17:
                continue
            mo, fa = x["HL15"] == "1", x["HL19"] == "1"
            abroad_hh |= mo or fa
            t.add(v, "lb_parent_abroad", True, mo or fa)
            t.add(v, "lb_parent_abroad_mother_only", True, mo and not fa)
            t.add(v, "lb_parent_abroad_father_only", True, fa and not mo)
            t.add(v, "lb_parent_abroad_both", True, mo and fa)
            t.add(v, "lb_neither_parent", True, (x["HL12"] == "2" or x["HL13"] == "2")
                  and (x["HL16"] == "2" or x["HL17"] == "2"))
            t.add(v, "lb_orphan_any", True, x["HL12"] == "2" or x["HL16"] == "2")
            t.add(v, "care_grandparent_primary", True, x["pcg_rel"] in ("3", "4"))
            age = (int(roster[x["pcg_ln"]]["HL6"]) if x["pcg_ln"] != "0"
                   else int(x["pcg_age"]) if x["pcg_age"] != "98" else 0)
            t.add(v, "care_primary_age60plus", True, age >= 60)
            t.add(v, "edu_school_attendance", 7 <= int(x["HL6"]) <= 17, x["sch_attend"] == "1")
            weekly = any(mg["mig_contact_freq"] in ("1", "2") and x["HL1"] in
                         mg["mig_children"].split() and ((mg["mig_role"] == "1" and mo)
                                                         or (mg["mig_role"] == "2" and fa))
                         for mg in migs)
            t.add(v, "lb_contact_weekly", mo or fa, weekly)
        t.add(v, "lb_remittance_3m", abroad_hh, any(mg["mig_remit_3m"] == "1" for mg in migs))
        for c in reps["child"].get(u, []):
            if c["ch_type"] != "1":
                continue
            cage, ub2 = int(c["cage"]), int(c["UB2"])
            t.add(v, "care_supervision_inadequate", True,
                  c["EC3A"] in "1234567" and c["EC3A"] != "" or
                  c["EC3B"] in "1234567" and c["EC3B"] != "")
            t.add(v, "ecd_books_3plus", True, 3 <= int(c["EC1"]) <= 10)
            t.add(v, "ecd_playthings_2plus", True,
                  sum(c[k] == "1" for k in ("EC2A", "EC2B", "EC2C")) >= 2)
            who = [c[f"EC5{a}"].split() for a in "ABCDEF"]
            t.add(v, "ecd_support_learning_any", 2 <= ub2 <= 4,
                  sum(bool({"A", "B", "X"} & set(w)) for w in who) >= 4)
            t.add(v, "ecd_support_learning_mother", 2 <= ub2 <= 4,
                  sum("A" in w for w in who) >= 4)
            t.add(v, "ecd_support_learning_father", 2 <= ub2 <= 4,
                  sum("B" in w for w in who) >= 4)
            t.add(v, "edu_ece_attendance", 36 <= cage <= 59, c["UB8"] == "1")
            t.add(v, "prot_birth_registered", True, c["BR1"] in ("1", "2") or c["BR2"] == "1")
            if cage >= 24:
                score = sum(c[k] == "1" for k in c if k.startswith("ecdi_")
                            and k not in ("ecdi_sad", "ecdi_hit"))
                score += c["ecdi_sad"] in ("2", "3", "4", "5")
                score += c["ecdi_hit"] in ("1", "2", "3")
                cut = next(s for lo, hi, s in CUTS if lo <= cage <= hi)
                t.add(v, "ecd_ecdi2030_on_track", True, score >= cut)
    t.check(truth, REQUIRED - {"prot_discipline_violent"} | {
        "care_primary_age60plus", "lb_contact_weekly", "lb_remittance_3m",
        "ecd_support_learning_mother", "ecd_support_learning_father", "ecd_ecdi2030_on_track"})


def test_five_to_17_and_caregiver_truth_from_population(census):
    syn, _, truth = census
    pop = syn.population
    code = dict(enumerate(syn.frame["kode_kemendagri"]))
    village = dict(zip(pop.households["hh"], pop.households["village"], strict=True))
    t = Tally()
    for r in pop.u5.to_dict("records"):
        t.add(code[village[r["hh"]]], "prot_discipline_violent", 1 <= r["UB2"] <= 4,
              any(r[k] == 1 for k in VIOLENT))
        t.add(code[village[r["hh"]]], "prot_discipline_severe", 1 <= r["UB2"] <= 4,
              r["CD2I"] == 1 or r["CD2K"] == 1)
    n_fs = 0
    for r in pop.fs.to_dict("records"):
        v, age = code[village[r["hh"]]], r["CB3"]
        n_fs += 1
        t.add(v, "prot_discipline_violent", age <= 14, any(r[k] == 1 for k in VIOLENT))
        t.add(v, "prot_discipline_severe", age <= 14, r["CD2I"] == 1 or r["CD2K"] == 1)
        econ = any(r[k] == 1 for k in ("CL1A", "CL1B", "CL1C", "CL1X"))
        thr = 1 if age <= 11 else 14 if age <= 14 else 43
        hours = sum(r[k] for k in ("CL8", "CL10", "CL13") if 0 <= r[k] <= 96)
        chores = any(r[k] == 1 for k in ("CL7", "CL9", "CL11A", "CL11B", "CL11C", "CL11D",
                                          "CL11E", "CL11F", "CL11X"))
        t.add(v, "prot_child_labour", True, econ and 0 <= r["CL3"] <= 96 and r["CL3"] >= thr
              or age <= 14 and chores and hours >= 21)
    # The sample interviews one 5-17 child per household, the truth covers all of them.
    assert n_fs > len(pop.households[pop.households["hh"].isin(pop.fs["hh"])])
    for r in pop.caregivers.to_dict("records"):
        t.add(code[village[r["hh"]]], "care_interest_parenting_group", True,
              r["cp_interest"] == 1)
    t.check(truth, {"prot_discipline_violent", "prot_discipline_severe", "prot_child_labour",
                    "care_interest_parenting_group"})
