"""The population has the structure SAMPLING.md §5 asks for (rates and correlations)."""

from __future__ import annotations

import numpy as np
import pytest

from parenting_assessment.synth import answers, caregivers
from parenting_assessment.synth.api import DEFAULT_FRAME
from parenting_assessment.synth.frame import read_frame
from parenting_assessment.synth.household import ABROAD, HOME
from parenting_assessment.synth.population import build_population
from parenting_assessment.synth.truth import compute_truth


@pytest.fixture(scope="module")
def world():
    frame = read_frame(DEFAULT_FRAME)
    rng = np.random.default_rng(2026)
    pop = build_population(frame, rng)
    pop.u5, pop.fs = answers.under5(pop, rng), answers.five_to_17(pop, rng)
    pop.caregivers = caregivers.caregivers(pop, rng)
    truth = compute_truth(pop, frame)
    truth["num"] = truth["value"] * truth["denominator"] / 100
    overall = truth.groupby("indicator_id")[["num", "denominator"]].sum()
    return pop, truth, 100 * overall["num"] / overall["denominator"]


def test_listing_sizes_and_every_household_has_a_child(world):
    pop, *_ = world
    frame = read_frame(DEFAULT_FRAME)
    h = pop.households
    assert len(h) == frame["n_listed_pmi"].sum() + frame["n_listed_non_pmi"].sum()
    assert (h[h["stratum"] == "pmi"].groupby("village").size().to_numpy()
            == frame["n_listed_pmi"].to_numpy()).all()
    kids = pop.persons[pop.persons["is_child"]]
    assert kids["hh"].nunique() == len(h)
    assert (pop.persons["HL6"] <= 17).eq(pop.persons["is_child"]).all()


def test_migration_pattern(world):
    pop, *_ = world
    h = pop.households
    pmi = h[h["stratum"] == "pmi"]
    mo, fa = pmi["mother_state"] == ABROAD, pmi["father_state"] == ABROAD
    assert (mo | fa).all()
    assert not ((h["stratum"] == "non_pmi") & ((h["mother_state"] == ABROAD)
                                               | (h["father_state"] == ABROAD))).any()
    assert 0.42 < (mo & ~fa).mean() < 0.58
    assert 0.30 < (fa & ~mo).mean() < 0.46
    assert 0.08 < (mo & fa).mean() < 0.17
    kids = pop.persons[pop.persons["is_child"]]
    assert 0.5 < (kids.loc[kids["HL15"] == 1, "pcg_rel"] == 3).mean() < 0.7
    m = pop.migrants
    assert 0.62 < m["mig_contact_freq"].isin([1, 2]).mean() < 0.78
    assert 0.68 < (m["mig_remit_3m"] == 1).mean() < 0.86


def test_caregivers(world):
    pop, *_ = world
    cg = pop.caregivers
    gp, mothers = cg[cg["cg_rel"].isin([3, 4])], cg[cg["cg_rel"] == 1]
    assert 55 <= gp["cg_age"].mean() <= 68 and mothers["cg_age"].mean() < 40
    items = ["cb_stress", "cb_tired", "cb_money_daily", "cb_money_school", "cb_health",
             "cb_social"]
    score = cg[items].where(cg[items] != 8, 0).sum(axis=1)
    assert score[gp.index].mean() > score[mothers.index].mean() + 1
    u5 = pop.u5.merge(pop.persons[["hh", "line", "pcg_ln", "pcg_age"]], on=["hh", "line"])
    age = pop.persons.set_index(["hh", "line"])["HL6"]
    carer_age = age.reindex(list(zip(u5["hh"], u5["pcg_ln"], strict=True))).to_numpy()
    bad = u5["EC3A"].between(1, 7) | u5["EC3B"].between(1, 7)
    assert bad[carer_age >= 60].mean() > bad[carer_age < 60].mean()


def test_learning_support_needs_the_parent_at_home(world):
    pop, *_ = world
    h = pop.households.set_index("hh")
    u5 = pop.u5
    mother_home = (h.loc[u5["hh"], "mother_state"] == HOME).to_numpy()
    father_home = (h.loc[u5["hh"], "father_state"] == HOME).to_numpy()
    for item in answers.EC5:
        asked = u5[item] >= 0
        assert not ((u5[item] & answers.WHO_A > 0) & asked & ~mother_home).any()
        assert not ((u5[item] & answers.WHO_B > 0) & asked & ~father_home).any()
        assert not ((u5[item] & answers.WHO_Y > 0) & asked & (u5[item] != answers.WHO_Y)).any()


def test_indicator_levels(world):
    _, _, overall = world
    bands = {"prot_birth_registered": (83, 92), "edu_ece_attendance": (38, 57),
             "edu_school_attendance": (86, 95), "prot_discipline_violent": (52, 68),
             "prot_discipline_severe": (4, 9), "ecd_ecdi2030_on_track": (68, 83),
             "care_supervision_inadequate": (5, 18), "ecd_support_learning_any": (45, 70)}
    for ind, (lo, hi) in bands.items():
        assert lo <= overall[ind] <= hi, (ind, overall[ind])


def test_school_attendance_falls_at_16_17(world):
    pop, *_ = world
    k = pop.persons[pop.persons["is_child"] & (pop.persons["HL6"] >= 7)]
    rate = (k["sch_attend"] == 1).groupby(k["HL6"] >= 16).mean()
    assert rate[True] < rate[False] - 0.1


def test_dont_know_answers_exist_but_are_rare(world):
    pop, *_ = world
    items = ["EC2A", "EC2B", "EC2C", "UB8", "ecdi_jump", "CD2A", "CD2D"]
    dk = (pop.u5[items] == 8).to_numpy()[(pop.u5[items] >= 0).to_numpy()].mean()
    assert 0.005 < dk < 0.03
    kids = pop.persons[pop.persons["is_child"]]
    assert 0 < (kids["HL15"] == 8).mean() < 0.03 and (kids["HL12"] == 8).any()


def test_villages_differ(world):
    _, truth, _ = world
    wide = truth.pivot(index="kode_kemendagri", columns="indicator_id", values="value")
    for ind in ("lb_parent_abroad", "ecd_books_3plus", "prot_birth_registered",
                "care_grandparent_primary"):
        assert wide[ind].max() - wide[ind].min() > 10, ind
    # Rankings of different needs disagree: the needs index is not one indicator in disguise.
    corr = wide["prot_birth_registered"].corr(wide["ecd_books_3plus"], method="spearman")
    assert abs(corr) < 0.7
