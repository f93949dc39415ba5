"""Who lives in each synthetic household: a vectorised composition model.

Every household is a fixed set of member *slots* (grandparents, the children's parents, adult
children, up to six children aged 0-17, aunts/uncles, another relative, a non-relative). The
model decides, for all households at once, where each parent is, who the children's primary
caregiver is, and which slots are present, in that order: the caregiver is chosen first and the
household is built around them, so the correlations SAMPLING.md asks for (mothers abroad ->
grandmother care, grandparents head the household, ...) hold by construction. Working on (H, S)
integer arrays keeps 1.2 million persons within a few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SLOTS = ("GF", "GM", "F", "M", "A1", "A2", "C1", "C2", "C3", "C4", "C5", "C6",
         "AU1", "AU2", "OTH", "NR")
S = {name: i for i, name in enumerate(SLOTS)}
CHILD_SLOTS = np.arange(S["C1"], S["C6"] + 1)
N_SLOTS = len(SLOTS)

# Parent states. HOME..LOC_DK are alive; the codes map to HL12/HL13/HL15 (INDICATORS §4.1).
HOME, ABROAD, LOC2, LOC3, INST, LOC_DK, DEAD, ALIVE_DK = range(8)
MOTHER_P = np.array([0.94, 0, 0.012, 0.018, 0.002, 0.004, 0.018, 0.006])
FATHER_P = np.array([0.86, 0, 0.035, 0.05, 0.006, 0.01, 0.032, 0.007])
MIG_TYPE_P = np.log(np.array([0.50, 0.38, 0.12]))  # mother only, father only, both

# Primary-caregiver roles and their pcg_rel codes (1 mother ... 8 not related).
PC_M, PC_F, PC_GM, PC_GF, PC_AU, PC_A, PC_OTH, PC_NR, PC_OUT = range(9)
PC_SLOT = np.array([S["M"], S["F"], S["GM"], S["GF"], S["AU1"], S["A1"], S["OTH"], S["NR"], -1])
PC_REL = np.array([1, 2, 3, 4, 5, 6, 7, 8, 0])
PC_MOTHER_HOME = np.array([0.96, 0, 0.04, 0, 0, 0, 0, 0, 0])
PC_FATHER_ONLY = np.array([0, 0.22, 0.55, 0.03, 0.09, 0.04, 0.02, 0, 0.05])
PC_NO_PARENT = np.array([0, 0, 0.60, 0.06, 0.17, 0.05, 0.04, 0.01, 0.07])

# Relationship to the head (HL3) by head kind, member slot and lineage (0 paternal, 1 maternal).
HEAD_GP, HEAD_F, HEAD_M, HEAD_A, HEAD_AU = range(5)
_REL = np.zeros((5, N_SLOTS, 2), dtype=np.int16)
_REL[HEAD_GP, [S["GF"], S["GM"]]] = 2
_REL[HEAD_GP, S["F"]] = (3, 4)
_REL[HEAD_GP, S["M"]] = (4, 3)
_REL[HEAD_GP, [S["AU1"], S["AU2"]]] = 3
_REL[HEAD_F, S["M"]] = 2
_REL[HEAD_F, [S["GF"], S["GM"]]] = (6, 7)
_REL[HEAD_F, [S["AU1"], S["AU2"]]] = (8, 9)
_REL[HEAD_M, S["F"]] = 2
_REL[HEAD_M, [S["GF"], S["GM"]]] = (7, 6)
_REL[HEAD_M, [S["AU1"], S["AU2"]]] = (9, 8)
for _h, _kids in ((HEAD_GP, 5), (HEAD_F, 3), (HEAD_M, 3), (HEAD_A, 8), (HEAD_AU, 11)):
    _REL[_h, [S["A1"], S["A2"], *CHILD_SLOTS]] = _kids
_REL[HEAD_A, [S["AU1"], S["AU2"]]] = 10
_REL[HEAD_AU, [S["AU1"], S["AU2"]]] = 8
_REL[:, S["OTH"]] = 12
_REL[:, S["NR"]] = 14
REL_TO_HEAD = _REL

# Roster order after the head, by head kind (a lower rank is listed first).
_ORDERS = {
    HEAD_GP: ("GF", "GM", "F", "M", "AU1", "AU2", "A1", "A2", *SLOTS[6:12], "OTH", "NR"),
    HEAD_F: ("F", "M", "A1", "A2", *SLOTS[6:12], "GF", "GM", "AU1", "AU2", "OTH", "NR"),
    HEAD_M: ("M", "F", "A1", "A2", *SLOTS[6:12], "GF", "GM", "AU1", "AU2", "OTH", "NR"),
    HEAD_A: ("A1", "A2", *SLOTS[6:12], "AU1", "AU2", "GF", "GM", "F", "M", "OTH", "NR"),
    HEAD_AU: ("AU1", "AU2", "A1", "A2", *SLOTS[6:12], "GF", "GM", "F", "M", "OTH", "NR"),
}
ORDER_RANK = np.array([[order.index(s) for s in SLOTS] for _, order in sorted(_ORDERS.items())])


@dataclass
class Households:
    """Composition arrays; row i is household i, column j is slot ``SLOTS[j]``."""

    stratum: np.ndarray       # 0 pmi, 1 non_pmi
    mother: np.ndarray        # parent state
    father: np.ndarray
    lineage: np.ndarray       # grandparents: 0 father's parents, 1 mother's parents
    pcg: np.ndarray           # default caregiver role of the children (PC_*)
    present: np.ndarray       # (H, S) bool
    age: np.ndarray           # (H, S) int, -1 when absent
    sex: np.ndarray           # (H, S) 1 male, 2 female, 0 absent
    head_kind: np.ndarray
    line: np.ndarray          # (H, S) roster line number, 0 when absent


def pick(prob: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One categorical draw per row of a (n, k) probability matrix (rows need not sum to 1)."""
    cum = np.cumsum(prob, axis=1)
    u = rng.random(len(prob)) * cum[:, -1]
    return np.minimum((u[:, None] >= cum).sum(axis=1), prob.shape[1] - 1)


def _parents(stratum, eff_mother, rng):
    """Parent states; a pmi household has at least one parent of its children abroad."""
    n = len(stratum)
    mother = pick(np.broadcast_to(MOTHER_P, (n, 8)), rng)
    father = pick(np.broadcast_to(FATHER_P, (n, 8)), rng)
    logits = MIG_TYPE_P + np.column_stack([eff_mother, np.zeros(n), np.zeros(n)])
    mig = pick(np.exp(logits), rng)
    pmi = stratum == 0
    mother[pmi & (mig != 1)] = ABROAD
    father[pmi & (mig != 0)] = ABROAD
    return mother, father


def _births(n, rng):
    """Ages of the couple's births, youngest first: (n, 6) with -1 for no birth."""
    nb = rng.choice(np.arange(1, 7), size=n, p=[0.30, 0.33, 0.20, 0.10, 0.05, 0.02])
    w = np.exp(-np.arange(18) / 12)
    youngest = rng.choice(18, size=n, p=w / w.sum())
    gaps = np.minimum(rng.geometric(0.35, size=(n, 6)), 9)
    gaps[:, 0] = 0
    ages = youngest[:, None] + np.cumsum(gaps, axis=1)
    ages[np.arange(6)[None, :] >= nb[:, None]] = -1
    return ages


def compose(stratum: np.ndarray, eff_mother: np.ndarray, eff_gp: np.ndarray,
            rng: np.random.Generator) -> Households:
    """Draw the composition of ``len(stratum)`` households."""
    n = len(stratum)
    mother, father = _parents(stratum, eff_mother, rng)
    births = _births(n, rng)
    present = np.zeros((n, N_SLOTS), dtype=bool)
    age = np.full((n, N_SLOTS), -1, dtype=np.int16)
    sex = np.zeros((n, N_SLOTS), dtype=np.int8)

    # Children 0-17 (oldest first in C1..), adult children kept at home (at most two).
    kids = np.where((births >= 0) & (births <= 17), births, -1)
    kids = -np.sort(-kids, axis=1)
    age[:, CHILD_SLOTS] = kids
    keep_p = np.where(births <= 22, 0.6, np.where(births <= 30, 0.3, 0.0))
    adult = (births >= 18) & (rng.random(births.shape) < keep_p)
    adults = np.sort(np.where(adult, births, 99), axis=1)[:, :2]
    adults = -np.sort(-np.where(adults == 99, -1, adults), axis=1)  # A1 is the oldest
    age[:, [S["A1"], S["A2"]]] = adults
    present[:, S["A1"]:S["C6"] + 1] = age[:, S["A1"]:S["C6"] + 1] >= 0

    oldest = births.max(axis=1)
    youngest = births[:, 0]
    first_birth = np.clip(np.rint(rng.normal(22, 3.5, n)), 18, 34)
    m_age = np.maximum(oldest + 15, np.minimum(oldest + first_birth, youngest + 44))
    f_age = np.clip(m_age + np.rint(rng.normal(4, 3.5, n)), m_age - 4, m_age + 15)
    f_age = np.maximum(f_age, np.maximum(oldest + 17, 18))
    age[:, S["M"]], age[:, S["F"]] = m_age, f_age

    # The children's primary caregiver, chosen before the rest of the household.
    base = np.where((mother == HOME)[:, None], PC_MOTHER_HOME,
                    np.where((father == HOME)[:, None], PC_FATHER_ONLY, PC_NO_PARENT))
    logits = np.log(np.maximum(base, 1e-12))
    logits[:, [PC_GM, PC_GF]] += eff_gp[:, None]
    prob = np.where(base > 0, np.exp(logits), 0.0)
    prob[~present[:, S["A1"]], PC_A] = 0.0
    pcg = pick(prob, rng)

    lineage = (rng.random(n) < np.where(mother == HOME, 0.35, 0.6)).astype(np.int8)
    lin_age = np.where(lineage == 1, m_age, f_age)
    present[:, S["M"]] = mother == HOME
    present[:, S["F"]] = father == HOME
    both_home = (mother == HOME) & (father == HOME)
    u = rng.random((n, 6))
    present[:, S["GM"]] = (pcg == PC_GM) | (u[:, 0] < np.where(both_home, 0.2, 0.35))
    present[:, S["GF"]] = ((pcg == PC_GF) | (present[:, S["GM"]] & (u[:, 1] < 0.6))
                           | (u[:, 1] < 0.03))
    present[:, S["AU1"]] = (pcg == PC_AU) | (u[:, 2] < 0.12)
    present[:, S["AU2"]] = present[:, S["AU1"]] & (u[:, 3] < 0.2)
    present[:, S["OTH"]] = (pcg == PC_OTH) | (u[:, 4] < 0.04)
    present[:, S["NR"]] = (pcg == PC_NR) | (u[:, 5] < 0.01)

    gm_age = np.clip(lin_age + np.rint(rng.normal(25, 4, n)), np.maximum(lin_age + 17, 42), 95)
    age[:, S["GM"]] = gm_age
    age[:, S["GF"]] = np.clip(gm_age + np.rint(rng.normal(4, 3, n)), gm_age - 5, 98)
    for slot in ("AU1", "AU2"):
        age[:, S[slot]] = np.clip(lin_age + np.rint(rng.normal(0, 7, n)), 18, 75)
    age[:, S["OTH"]] = rng.integers(18, 71, n)
    age[:, S["NR"]] = rng.integers(18, 56, n)

    # Head of household; an aunt/uncle heads it when no parent, grandparent or adult child lives
    # here. Only the children (C slots) are aged 0-17, so only they get the parental items.
    gp_head = present[:, S["GF"]] & (rng.random(n) < 0.85) | (
        ~present[:, S["GF"]] & present[:, S["GM"]] & ((mother != HOME) & (father != HOME)
                                                       | (rng.random(n) < 0.5)))
    head_kind = np.select(
        [gp_head, present[:, S["F"]], present[:, S["M"]],
         present[:, S["GF"]] | present[:, S["GM"]], present[:, S["A1"]]],
        [HEAD_GP, HEAD_F, HEAD_M, HEAD_GP, HEAD_A], HEAD_AU)
    present[head_kind == HEAD_AU, S["AU1"]] = True
    age[~present] = -1

    sex[:] = np.where(rng.random((n, N_SLOTS)) < 0.5, 1, 2)
    sex[:, [S["GF"], S["F"]]] = 1
    sex[:, [S["GM"], S["M"]]] = 2
    female_carer = rng.random(n) < 0.8
    sex[(pcg == PC_AU) & female_carer, S["AU1"]] = 2
    sex[(pcg == PC_A) & female_carer, S["A1"]] = 2
    sex[female_carer, S["NR"]] = 2
    sex[~present] = 0

    rank = ORDER_RANK[head_kind].astype(np.int16)
    head_slot = np.select(
        [head_kind == HEAD_GP, head_kind == HEAD_F, head_kind == HEAD_M, head_kind == HEAD_A],
        [np.where(present[:, S["GF"]], S["GF"], S["GM"]), S["F"], S["M"], S["A1"]], S["AU1"])
    rank[np.arange(n), head_slot] = -1
    rank = np.where(present, rank, 99)
    order = np.argsort(rank, axis=1, kind="stable")
    line = np.zeros((n, N_SLOTS), dtype=np.int16)
    line[np.arange(n)[:, None], order] = np.arange(1, N_SLOTS + 1)
    line[~present] = 0
    return Households(stratum, mother, father, lineage, pcg, present, age, sex, head_kind, line)
