"""Child-module answers for every child of the population (under 5 and 5-17).

Every child gets answers, not only the sampled ones, so the true village values are known and
the one-child-per-household 5-17 selection is a real sampling step. The answers depend on the
child's situation (which parent is home, who the caregiver is, household wealth, village
effects) so that the pipeline's disaggregations show realistic contrasts. Codes follow the
XLSForm; -1 means "not asked"; a select_multiple is a bit mask in choice-list order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from parenting_assessment.synth import household as hh

WHO_A, WHO_B, WHO_X, WHO_Y = 1, 2, 4, 8
EC5 = ("EC5A", "EC5B", "EC5C", "EC5D", "EC5E", "EC5F")
EC5_BASE = np.array([-1.3, -0.3, 0.3, 0.9, 1.2, 0.2])
ECDI = ("ecdi_walk_uneven", "ecdi_jump", "ecdi_dress", "ecdi_buttons", "ecdi_words10",
        "ecdi_sent3", "ecdi_sent5", "ecdi_pronouns", "ecdi_name_object", "ecdi_letters5",
        "ecdi_write_name", "ecdi_numbers1_5", "ecdi_give3", "ecdi_count10", "ecdi_persist",
        "ecdi_ask_absent", "ecdi_offer_help", "ecdi_get_along")
# Age in months at which half of the children achieve each yes/no milestone.
ECDI_A50 = np.array([14, 22, 36, 48, 17, 25, 38, 33, 18, 58, 62, 55, 31, 52, 32, 24, 34, 28])
CD_ITEMS = ("CD2A", "CD2B", "CD2C", "CD2D", "CD2E", "CD2F", "CD2G", "CD2H", "CD2I", "CD2J",
            "CD2K")
CD_BASE = np.array([0.3, 1.7, -2.9, -0.7, 0.1, -1.6, -2.8, -2.0, -3.55, -1.8, -5.0])
CD_SLOPE = np.array([0.4, 0.3, 0.9, 0.9, 0.3, 1.0, 1.0, 0.9, 1.1, 1.0, 1.2])


def sig(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def yes_no(p: np.ndarray, rng: np.random.Generator, dk: float = 0.0) -> np.ndarray:
    """1 yes / 2 no with probability p of yes, and a share ``dk`` of 8 (don't know)."""
    out = np.where(rng.random(len(p)) < p, 1, 2)
    return np.where(rng.random(len(p)) < dk, 8, out) if dk else out


def child_frame(pop, ages: tuple[int, int]) -> pd.DataFrame:
    """Children in an age range with the covariates the answer models use."""
    p = pop.persons
    h = pop.households
    kids = p[p["is_child"] & p["HL6"].between(*ages)].copy()
    hh_i = kids["hh"].to_numpy()
    age_of = p.set_index(["hh", "line"])["HL6"]
    member = kids["pcg_ln"].to_numpy() > 0
    cg_age = np.where(member, age_of.reindex(pd.MultiIndex.from_arrays(
        [hh_i, np.maximum(kids["pcg_ln"].to_numpy(), 1)])).to_numpy(),
        np.where(kids["pcg_age"].to_numpy() == 98, -1, kids["pcg_age"].to_numpy()))
    others = (~p["slot"].isin([hh.S["M"], hh.S["F"]]) & (p["HL6"] >= 15)).groupby(p["hh"]).sum()
    kids["cg_age"] = cg_age
    kids["mother_home"] = h["mother_state"].to_numpy()[hh_i] == hh.HOME
    kids["father_home"] = h["father_state"].to_numpy()[hh_i] == hh.HOME
    kids["mother_abroad"] = h["mother_state"].to_numpy()[hh_i] == hh.ABROAD
    kids["gp_care"] = kids["pcg_rel"].isin([3, 4]).to_numpy()
    kids["other15"] = others.reindex(hh_i).to_numpy() > 0
    for col in ("ses", "harsh", "engage"):
        kids[col] = h[col].to_numpy()[hh_i]
    return kids.reset_index(drop=True)


def _discipline(k: pd.DataFrame, harsh: np.ndarray, asked: np.ndarray, rng) -> dict:
    out = {}
    for item, base, slope in zip(CD_ITEMS, CD_BASE, CD_SLOPE, strict=True):
        codes = yes_no(sig(base + slope * harsh), rng, dk=0.01)
        out[item] = np.where(asked, codes, -1)
    return out


def _harshness(k: pd.DataFrame, eff: pd.DataFrame, rng) -> np.ndarray:
    """Household harshness (shared by siblings) plus the child's own share; peaks at ages 3-9."""
    age = k["HL6"].to_numpy()
    bump = np.select([age <= 1, age <= 2, age <= 9, age <= 12], [-0.6, -0.1, 0.25, 0.0], -0.4)
    return k["harsh"].to_numpy() + 0.5 * rng.normal(0, 1, len(k)) + eff["disc"].to_numpy()[
        k["village"].to_numpy()] + bump


def under5(pop, rng: np.random.Generator) -> pd.DataFrame:
    """Under-5 module answers for every child aged 0-4 (HL6)."""
    k = child_frame(pop, (0, 4))
    n, eff, v = len(k), pop.effects, k["village"].to_numpy()
    cage, ub2, ses = k["cage"].to_numpy(), k["HL6"].to_numpy(), k["ses"].to_numpy()
    out = pd.DataFrame({"hh": k["hh"], "line": k["line"], "UB1": k["dob"], "cage": cage,
                        "UB2": ub2})
    reg = sig(1.75 + eff["reg"].to_numpy()[v] + 0.3 * ses - 0.5 * k["mother_abroad"]
              - 0.6 * (cage < 6))
    cert = rng.random(n) < reg
    br1 = np.where(cert, np.where(rng.random(n) < 0.62, 1, 2), np.where(rng.random(n) < 0.9, 3, 8))
    br2 = np.where(br1 >= 3, rng.choice([1, 2, 8], n, p=[0.3, 0.62, 0.08]), -1)
    out["BR1"], out["BR2"] = br1, br2
    out["BR3"] = np.where(np.isin(br2, [2, 8]), yes_no(np.full(n, 0.55), rng), -1)
    paud = sig(-0.4 + 0.75 * (cage >= 48) + eff["paud"].to_numpy()[v] + 0.4 * ses)
    ub8 = yes_no(paud, rng, dk=0.01)
    out["UB8"] = np.where(cage >= 36, ub8, -1)
    out["paud_type"] = np.where((cage >= 36) & (ub8 == 1), rng.choice(
        np.arange(1, 7), n, p=[0.3, 0.15, 0.35, 0.05, 0.1, 0.05]), -1)
    z = 0.7 * ses + eff["books"].to_numpy()[v] + rng.normal(0, 0.75, n)
    books = np.select([z < -0.05, z < 0.4, z < 0.75], [0, 1, 2],
                      np.minimum(3 + rng.geometric(0.35, n) - 1, 10))
    out["EC1"] = np.where(rng.random(n) < 0.01, 98, books)
    toy = eff["play"].to_numpy()[v] + 0.3 * ses
    for item, base in (("EC2A", 0.1), ("EC2B", 0.7 + 0.3 * ses), ("EC2C", 1.0)):
        out[item] = yes_no(sig(base + toy), rng, dk=0.01)
    bad = sig(-2.5 + eff["superv"].to_numpy()[v] + 0.8 * (k["cg_age"].to_numpy() >= 60)
              + 0.4 * ~k["mother_home"].to_numpy() - 0.2 * ses + 0.3 * (cage >= 36))
    inadequate = rng.random(n) < bad
    alone = inadequate & (rng.random(n) < 0.5)
    other = inadequate & (~alone | (rng.random(n) < 0.4))
    out["EC3A"] = np.where(rng.random(n) < 0.012, 8, np.where(alone, rng.integers(1, 4, n), 0))
    out["EC3B"] = np.where(rng.random(n) < 0.012, 8, np.where(other, rng.integers(1, 5, n), 0))
    engage = eff["stim"].to_numpy()[v] + 0.4 * ses + k["engage"].to_numpy()
    asked = ub2 >= 2
    for item, base in zip(EC5, EC5_BASE, strict=True):
        a = k["mother_home"].to_numpy() & (rng.random(n) < sig(base + engage))
        b = k["father_home"].to_numpy() & (rng.random(n) < sig(base - 1.4 + engage))
        x = k["other15"].to_numpy() & (rng.random(n) < sig(
            base - 1.1 + engage + 1.0 * k["gp_care"].to_numpy()))
        mask = a * WHO_A + b * WHO_B + x * WHO_X
        out[item] = np.where(asked, np.where(mask == 0, WHO_Y, mask), -1)
    skill = rng.normal(0, 1.2, n) + eff["ecdi"].to_numpy()[v] + 0.15 * ses
    for item, a50 in zip(ECDI, ECDI_A50, strict=True):
        codes = yes_no(sig((cage - a50) / 6.0 + skill), rng, dk=0.01)
        out[item] = np.where(cage >= 24, codes, -1)
    sad = rng.choice([1, 2, 3, 4, 5, 8], n, p=[0.04, 0.1, 0.14, 0.3, 0.4, 0.02])
    hit = rng.choice([1, 2, 3, 4, 5, 8], n, p=[0.45, 0.2, 0.22, 0.08, 0.03, 0.02])
    out["ecdi_sad"] = np.where(cage >= 24, sad, -1)
    out["ecdi_hit"] = np.where(cage >= 24, hit, -1)
    for item, codes in _discipline(k, _harshness(k, eff, rng), ub2 >= 1, rng).items():
        out[item] = codes
    return out


def five_to_17(pop, rng: np.random.Generator) -> pd.DataFrame:
    """5-17 module answers for every child aged 5-17 (the sample picks one per household)."""
    k = child_frame(pop, (5, 17))
    n, eff, v = len(k), pop.effects, k["village"].to_numpy()
    age = k["HL6"].to_numpy()
    out = pd.DataFrame({"hh": k["hh"], "line": k["line"], "CB3": age})
    band = np.select([age <= 11, age <= 14], [0, 1], 2)
    lab = eff["labour"].to_numpy()[v] - 0.3 * k["ses"].to_numpy()
    econ = np.zeros(n, dtype=bool)
    for item, probs in (("CL1A", (.06, .14, .22)), ("CL1B", (.03, .06, .1)),
                        ("CL1C", (.02, .04, .05)), ("CL1X", (.01, .03, .08))):
        p = sig(np.log(np.array(probs)[band] / (1 - np.array(probs)[band])) + lab)
        codes = yes_no(p, rng)
        econ |= codes == 1
        out[item] = codes
    cap = np.array([10, 25, 50])[band]
    hours = np.minimum(rng.geometric(1 / np.maximum(cap / 2.5, 1.5)), 96)
    hours = np.where(rng.random(n) < 0.02, rng.integers(97, 100, n), hours)
    out["CL3"] = np.where(econ, hours, -1)
    for item, p in (("CL4", .15), ("CL5", .2), ("CL6A", .05), ("CL6B", .03), ("CL6X", .05)):
        out[item] = np.where(econ, yes_no(np.full(n, p), rng), -1)
    chore_hours = np.zeros(n)
    for flag, hrs, p in (("CL7", "CL8", .15), ("CL9", "CL10", .12)):
        codes = yes_no(np.full(n, p) * (1 + 0.5 * (band > 0)), rng)
        h = np.where(rng.random(n) < 0.02, 98, rng.integers(1, 11, n))
        out[flag], out[hrs] = codes, np.where(codes == 1, h, -1)
        chore_hours += np.where((codes == 1) & (h < 97), h, 0)
    any_chore = np.zeros(n, dtype=bool)
    for item, p in (("CL11A", .45), ("CL11B", .25), ("CL11C", .55), ("CL11D", .3),
                    ("CL11E", .2), ("CL11F", .05), ("CL11X", .3)):
        codes = yes_no(np.full(n, p) * (0.7 + 0.2 * band), rng)
        any_chore |= codes == 1
        out[item] = codes
    ch = np.minimum(rng.geometric(1 / (3 + 3 * band + 4 * ~k["mother_home"].to_numpy())), 96)
    out["CL13"] = np.where(any_chore, np.where(rng.random(n) < 0.02, 99, ch), -1)
    for item, codes in _discipline(k, _harshness(k, eff, rng), age <= 14, rng).items():
        out[item] = codes
    return out
