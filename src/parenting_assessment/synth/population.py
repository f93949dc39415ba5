"""The synthetic population of every listed household in every village (SAMPLING.md §5).

Because every listed household, person, child, caregiver and migrant parent exists here, the
true value of every indicator is known (``truth.py``) and a sample can be drawn from it like a
real survey (``sampling.py``). Everything is vectorised with numpy: a national frame of 400
villages x ~850 households (about 1.2 million persons) builds in seconds.

Integer answer codes use -1 for "not asked"; dates are numpy ``datetime64[D]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from parenting_assessment.synth import household as hh
from parenting_assessment.synth.household import S

FIELDWORK_START = np.datetime64("2026-09-01")
EFFECT_SD = {
    "mother": 0.35, "gp": 0.3, "school": 0.5, "paud": 0.45, "reg": 0.5, "books": 0.4,
    "play": 0.4, "stim": 0.4, "superv": 0.45, "disc": 0.35, "ecdi": 0.3, "contact": 0.45,
    "remit": 0.45, "burden": 0.3, "labour": 0.45, "interest": 0.4,
}


@dataclass
class Population:
    """All listed households of the frame and everyone in them."""

    households: pd.DataFrame
    persons: pd.DataFrame
    migrants: pd.DataFrame
    effects: pd.DataFrame
    u5: pd.DataFrame = field(default_factory=pd.DataFrame)
    fs: pd.DataFrame = field(default_factory=pd.DataFrame)
    caregivers: pd.DataFrame = field(default_factory=pd.DataFrame)


def village_effects(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Village random effects (logit scale), so villages differ and the ranking is non-trivial."""
    return pd.DataFrame({k: rng.normal(0.0, sd, n) for k, sd in EFFECT_SD.items()})


def fieldwork_days(frame: pd.DataFrame) -> np.ndarray:
    """First fieldwork day of each village: teams work district by district in 3-day visits."""
    district = pd.factorize(frame["kode_kabupaten"])[0]
    within = frame.groupby("kode_kabupaten").cumcount().to_numpy()
    offset = (district * 2) % 10 + 3 * (within % 16)
    return FIELDWORK_START + offset.astype("timedelta64[D]")


def completed_years(dob: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Calendar age in completed years between two datetime64[D] arrays."""
    y_dob, y_on = dob.astype("datetime64[Y]"), on.astype("datetime64[Y]")
    years = (y_on - y_dob).astype(int)
    # Compare month/day through the month index and day of month (not day-of-year: leap years).
    m_dob = dob.astype("datetime64[M]") - y_dob.astype("datetime64[M]")
    m_on = on.astype("datetime64[M]") - y_on.astype("datetime64[M]")
    d_dob = dob - dob.astype("datetime64[M]").astype("datetime64[D]")
    d_on = on - on.astype("datetime64[M]").astype("datetime64[D]")
    before = (m_on < m_dob) | ((m_on == m_dob) & (d_on < d_dob))
    return years - before.astype(int)


def build_population(frame: pd.DataFrame, rng: np.random.Generator) -> Population:
    """Households, persons (with the roster's child items) and migrant-parent records."""
    n_pmi = frame["n_listed_pmi"].to_numpy()
    n_non = frame["n_listed_non_pmi"].to_numpy()
    sizes = n_pmi + n_non
    village = np.repeat(np.arange(len(frame)), sizes)
    start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    pos = np.arange(len(village)) - start[village]
    stratum = (pos >= n_pmi[village]).astype(np.int8)
    # Listing numbers: the village list interleaves pmi and non-pmi households at random.
    listing = _permute_within(village, pos, rng) + 1

    eff = village_effects(len(frame), rng)
    comp = hh.compose(stratum, eff["mother"].to_numpy()[village], eff["gp"].to_numpy()[village],
                      rng)
    day0 = fieldwork_days(frame)
    date = day0[village] + rng.integers(0, 3, len(village)).astype("timedelta64[D]")
    households = pd.DataFrame({
        "hh": np.arange(len(village)), "village": village,
        "kode_kemendagri": frame["kode_kemendagri"].to_numpy()[village],
        "stratum": np.where(stratum == 0, "pmi", "non_pmi"), "hh_listing_no": listing,
        "date": date, "mother_state": comp.mother, "father_state": comp.father,
        "pcg_default": comp.pcg, "head_kind": comp.head_kind,
        "hh_size": comp.present.sum(axis=1), "ses": rng.normal(0, 1, len(village)),
        # Household latent traits shared by siblings: harsh discipline, engagement in play.
        "harsh": rng.normal(0, 1, len(village)), "engage": rng.normal(0, 1, len(village)),
    })
    persons = _persons(comp, households, eff, rng)
    migrants = _migrants(comp, persons, households, eff, rng)
    return Population(households, persons, migrants, eff)


def _permute_within(village: np.ndarray, pos: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random permutation of 0..N-1 inside each village (the listing order)."""
    order = np.lexsort((rng.random(len(village)), village))
    out = np.empty(len(village), dtype=np.int32)
    out[order] = pos
    return out


def _persons(comp: hh.Households, households: pd.DataFrame, eff: pd.DataFrame,
             rng: np.random.Generator) -> pd.DataFrame:
    hh_i, slot = np.nonzero(comp.present)
    line = comp.line[hh_i, slot]
    order = np.lexsort((line, hh_i))
    hh_i, slot, line = hh_i[order], slot[order], line[order]
    lin = comp.lineage[hh_i]
    p = pd.DataFrame({
        "hh": hh_i, "line": line, "slot": slot,
        "HL3": np.where(line == 1, 1, hh.REL_TO_HEAD[comp.head_kind[hh_i], slot, lin]),
        "HL4": comp.sex[hh_i, slot], "HL6": comp.age[hh_i, slot].astype(np.int64),
    })
    child = (slot >= S["C1"]) & (slot <= S["C6"])
    p["is_child"] = child
    # Parental items (asked for every member aged 0-17: only the children here).
    for (alive, lives, ln, where), state, pslot in (
        (("HL12", "HL13", "HL14", "HL15"), comp.mother[hh_i], S["M"]),
        (("HL16", "HL17", "HL18", "HL19"), comp.father[hh_i], S["F"]),
    ):
        is_alive = state <= hh.LOC_DK
        p[alive] = np.where(child, np.select([is_alive, state == hh.DEAD], [1, 2], 8), -1)
        p[lives] = np.where(child & is_alive, np.where(state == hh.HOME, 1, 2), -1)
        p[ln] = np.where(child & (state == hh.HOME), comp.line[hh_i, pslot], -1)
        loc = np.select([state == hh.ABROAD, state == hh.LOC2, state == hh.LOC3,
                         state == hh.INST], [1, 2, 3, 4], 8)
        p[where] = np.where(child & is_alive & (state != hh.HOME), loc, -1)
    _caregiver_items(p, comp, hh_i, child, rng)
    _school(p, households, eff, child, rng)
    date = households["date"].to_numpy().astype("datetime64[D]")[hh_i]
    young = child & (p["HL6"].to_numpy() <= 4)
    days = np.where(young, np.rint(p["HL6"].to_numpy() * 365.25) + rng.integers(1, 364, len(p)),
                    0).astype("timedelta64[D]")
    dob = date - days
    age = completed_years(dob, date)
    p["HL6"] = np.where(young, age, p["HL6"].to_numpy())
    young = young & (age <= 4)
    p["dob"] = np.where(young, dob, np.datetime64("NaT"))
    p["cage"] = np.where(young, ((date - dob).astype(int) / 30.4375).astype(int), -1)
    p["village"] = households["village"].to_numpy()[hh_i]
    return p


def _caregiver_items(p: pd.DataFrame, comp: hh.Households, hh_i: np.ndarray,
                     child: np.ndarray, rng: np.random.Generator) -> None:
    """pcg_ln / pcg_rel / pcg_age / pcg_sex: the family's caregiver, with a few exceptions."""
    role = comp.pcg[hh_i].copy()
    alt_roles = np.array([hh.PC_GF, hh.PC_AU, hh.PC_A, hh.PC_F])
    alt_ok = comp.present[hh_i][:, hh.PC_SLOT[alt_roles]] & (alt_roles[None, :] != role[:, None])
    deviate = child & (p["HL6"].to_numpy() >= 6) & (rng.random(len(p)) < 0.07) & alt_ok.any(1)
    choice = np.argmax(np.where(alt_ok, rng.random(alt_ok.shape), -1), axis=1)
    role = np.where(deviate, alt_roles[choice], role)
    slot = hh.PC_SLOT[role]
    member = slot >= 0
    p["pcg_role"] = np.where(child, role, -1)
    p["pcg_ln"] = np.where(child, np.where(member, comp.line[hh_i, np.maximum(slot, 0)], 0), -1)
    out_rel = rng.choice([3, 4, 5, 7, 8, 98], size=len(p), p=[0.55, 0.05, 0.2, 0.1, 0.05, 0.05])
    p["pcg_rel"] = np.where(child, np.where(member, hh.PC_REL[role], out_rel), -1)
    out = child & ~member
    out_age = np.select([out_rel == 3, out_rel == 4, out_rel == 5],
                        [rng.integers(50, 78, len(p)), rng.integers(55, 82, len(p)),
                         rng.integers(22, 55, len(p))], rng.integers(18, 65, len(p)))
    out_age = np.where(rng.random(len(p)) < 0.05, 98, out_age)
    out_sex = np.select([out_rel == 3, out_rel == 4], [2, 1], rng.choice([1, 2, 2], len(p)))
    p["pcg_age"] = np.where(out, out_age, -1)
    p["pcg_sex"] = np.where(out, out_sex, -1)


def _school(p: pd.DataFrame, households: pd.DataFrame, eff: pd.DataFrame, child: np.ndarray,
            rng: np.random.Generator) -> None:
    """sch_attend / sch_level for ages 7-17 (lower attendance at 16-17)."""
    age = p["HL6"].to_numpy()
    hh_i = p["hh"].to_numpy()
    v = households["village"].to_numpy()[hh_i]
    asked = child & (age >= 7)
    base = np.select([age <= 12, age <= 15], [3.9, 2.45], 0.95)
    away = (households["mother_state"].to_numpy()[hh_i] != hh.HOME) & (
        households["father_state"].to_numpy()[hh_i] != hh.HOME)
    logit = base + eff["school"].to_numpy()[v] + 0.35 * households["ses"].to_numpy()[hh_i] \
        - 0.4 * away
    attend = np.where(rng.random(len(p)) < 1 / (1 + np.exp(-logit)), 1, 2)
    attend = np.where(rng.random(len(p)) < 0.01, 8, attend)
    p["sch_attend"] = np.where(asked, attend, -1)
    level = np.select([age <= 12, age <= 15], [1, 2], 3)
    level = np.where((level > 1) & (rng.random(len(p)) < 0.12), level - 1, level)
    level = np.where((age >= 13) & (rng.random(len(p)) < 0.03), 4, level)
    level = np.where((age == 17) & (rng.random(len(p)) < 0.02), 5, level)
    p["sch_level"] = np.where(asked & (attend == 1), level, -1)


def _migrants(comp: hh.Households, persons: pd.DataFrame, households: pd.DataFrame,
              eff: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One record per parent abroad; it is linked to all the household's children 0-17.

    ``mig_children`` (their line numbers) is filled in only for sampled households, when the
    submission is built: every child of the household shares the one couple of parents.
    """
    youngest = persons[persons["is_child"]].groupby("hh")["HL6"].min()
    recs = []
    for role, state in ((1, comp.mother), (2, comp.father)):
        idx = np.nonzero(state == hh.ABROAD)[0]
        recs.append(pd.DataFrame({"hh": idx, "mig_role": role}))
    m = pd.concat(recs, ignore_index=True)
    m["order"] = rng.random(len(m))
    m = m.sort_values(["hh", "order"]).drop(columns="order").reset_index(drop=True)
    n = len(m)
    v = households["village"].to_numpy()[m["hh"]]
    female = m["mig_role"].to_numpy() == 1
    f_c = ["saudi_arabia", "malaysia", "taiwan", "hong_kong", "singapore", "uae", "qatar",
           "kuwait", "brunei", "other", "dk"]
    m_c = ["malaysia", "south_korea", "japan", "taiwan", "saudi_arabia", "brunei", "singapore",
           "qatar", "other", "dk"]
    m["mig_country"] = np.where(
        female,
        rng.choice(f_c, n, p=[.16, .24, .2, .17, .08, .05, .03, .02, .02, .02, .01]),
        rng.choice(m_c, n, p=[.45, .18, .12, .1, .04, .03, .03, .02, .02, .01]))
    cap = youngest.reindex(m["hh"]).to_numpy() + np.where(female, 0, 1)
    years = np.minimum(rng.geometric(0.3, n) - 1, np.minimum(cap, 25))
    m["mig_years_away"] = np.where(rng.random(n) < 0.02, 98, years)
    logit_w = 0.75 + eff["contact"].to_numpy()[v]
    weekly = rng.random(n) < 1 / (1 + np.exp(-logit_w))
    m["mig_contact_freq"] = np.where(
        weekly, rng.choice([1, 2], n, p=[0.5, 0.5]),
        rng.choice([3, 4, 5, 8], n, p=[0.5, 0.22, 0.2, 0.08]))
    logit_r = 1.25 + eff["remit"].to_numpy()[v] + 0.3 * (years <= 3)
    remit = np.where(rng.random(n) < 1 / (1 + np.exp(-logit_r)), 1, 2)
    m["mig_remit_3m"] = np.where(rng.random(n) < 0.025, 8, remit)
    return m
