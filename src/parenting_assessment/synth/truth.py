"""True village values of the indicators, computed on the whole synthetic population.

Each value is ``100 x (units meeting the numerator) / (units in the universe)`` over ALL
eligible units of the village (INDICATORS.md §3, with DK and blank counting as "no"): every
child 0-17 for roster indicators, every child under 5 for the under-5 module, every child 5-17
(not only the selected one) for the 5-17 module, and every household-member primary caregiver.
Because the sample's weights make the estimators unbiased for these totals, a coverage study can
compare intervals with these values. Written in plain pandas on purpose: easy to audit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from parenting_assessment.synth.answers import EC5, ECDI, WHO_A, WHO_B, WHO_X

VIOLENT = ("CD2C", "CD2D", "CD2F", "CD2G", "CD2H", "CD2I", "CD2J", "CD2K")
ECDI_CUTS = ((24, 29, 7), (30, 35, 9), (36, 41, 11), (42, 47, 13), (48, 59, 15))
TRUTH_COLUMNS = ["kode_kemendagri", "indicator_id", "value", "denominator"]


def _rows(ind: str, village: pd.Series, universe: pd.Series, y: pd.Series) -> pd.DataFrame:
    d = pd.DataFrame({"village": village[universe].to_numpy(),
                      "y": y[universe].astype(bool).to_numpy()})
    g = d.groupby("village")["y"].agg(["sum", "count"])
    return pd.DataFrame({"village": g.index, "indicator_id": ind, "num": g["sum"].to_numpy(),
                         "denominator": g["count"].to_numpy()})


def roster_indicators(children: pd.DataFrame, caregiver_age: pd.Series, migrants: pd.DataFrame,
                      village: pd.Series) -> list[pd.DataFrame]:
    """Indicators on roster children 0-17 (``hhweight`` in the sample)."""
    c = children
    all_ = c["HL6"].between(0, 17)
    m_ab, f_ab = c["HL15"] == 1, c["HL19"] == 1
    weekly = migrants["mig_contact_freq"].isin([1, 2])
    m_weekly = weekly[migrants["mig_role"] == 1].groupby(migrants["hh"]).any()
    f_weekly = weekly[migrants["mig_role"] == 2].groupby(migrants["hh"]).any()
    linked_weekly = (m_ab & c["hh"].map(m_weekly).fillna(False).astype(bool)) | (
        f_ab & c["hh"].map(f_weekly).fillna(False).astype(bool))
    return [
        _rows("lb_parent_abroad", village, all_, m_ab | f_ab),
        _rows("lb_parent_abroad_mother_only", village, all_, m_ab & ~f_ab),
        _rows("lb_parent_abroad_father_only", village, all_, f_ab & ~m_ab),
        _rows("lb_parent_abroad_both", village, all_, m_ab & f_ab),
        _rows("lb_neither_parent", village, all_,
              ((c["HL12"] == 2) | (c["HL13"] == 2)) & ((c["HL16"] == 2) | (c["HL17"] == 2))),
        _rows("lb_orphan_any", village, all_, (c["HL12"] == 2) | (c["HL16"] == 2)),
        _rows("lb_contact_weekly", village, all_ & (m_ab | f_ab), linked_weekly),
        _rows("care_grandparent_primary", village, all_, c["pcg_rel"].isin([3, 4])),
        _rows("care_primary_age60plus", village, all_, caregiver_age >= 60),
        _rows("edu_school_attendance", village, c["HL6"].between(7, 17), c["sch_attend"] == 1),
    ]


def under5_indicators(u: pd.DataFrame, village: pd.Series) -> list[pd.DataFrame]:
    """Under-5 module indicators (``chweight``)."""
    all_ = u["cage"].between(0, 59)
    who = u[list(EC5)]
    n_any = ((who >= 0) & (who & (WHO_A | WHO_B | WHO_X)).gt(0)).sum(axis=1)
    n_mother = ((who >= 0) & (who & WHO_A).gt(0)).sum(axis=1)
    n_father = ((who >= 0) & (who & WHO_B).gt(0)).sum(axis=1)
    achieved = (u[list(ECDI)] == 1).sum(axis=1) + u["ecdi_sad"].isin([2, 3, 4, 5]) \
        + u["ecdi_hit"].isin([1, 2, 3])
    cut = pd.Series(np.nan, index=u.index)
    for lo, hi, score in ECDI_CUTS:
        cut[u["cage"].between(lo, hi)] = score
    learn = u["UB2"].between(2, 4)
    return [
        _rows("care_supervision_inadequate", village, all_,
              u["EC3A"].between(1, 7) | u["EC3B"].between(1, 7)),
        _rows("ecd_support_learning_any", village, learn, n_any >= 4),
        _rows("ecd_support_learning_father", village, learn, n_father >= 4),
        _rows("ecd_support_learning_mother", village, learn, n_mother >= 4),
        _rows("ecd_books_3plus", village, all_, u["EC1"].between(3, 10)),
        _rows("ecd_playthings_2plus", village, all_,
              (u[["EC2A", "EC2B", "EC2C"]] == 1).sum(axis=1) >= 2),
        _rows("ecd_ecdi2030_on_track", village, u["cage"].between(24, 59), achieved >= cut),
        _rows("edu_ece_attendance", village, u["cage"].between(36, 59), u["UB8"] == 1),
        _rows("prot_birth_registered", village, all_, u["BR1"].isin([1, 2]) | (u["BR2"] == 1)),
    ]


def discipline_indicators(u: pd.DataFrame, fs: pd.DataFrame, vu: pd.Series,
                          vf: pd.Series) -> list[pd.DataFrame]:
    """Discipline over children 1-4 (under-5 module) and 5-14 (5-17 module)."""
    out = []
    for ind, items in (("prot_discipline_violent", VIOLENT),
                       ("prot_discipline_severe", ("CD2I", "CD2K"))):
        parts = [_rows(ind, vu, u["UB2"].between(1, 4), (u[list(items)] == 1).any(axis=1)),
                 _rows(ind, vf, fs["CB3"].between(5, 14), (fs[list(items)] == 1).any(axis=1))]
        both = pd.concat(parts).groupby(["village", "indicator_id"], as_index=False).sum()
        out.append(both)
    return out


def child_labour(fs: pd.DataFrame, village: pd.Series) -> pd.DataFrame:
    """SDG 8.7.1 child labour (INDICATORS §4.10) over all children 5-17."""
    age = fs["CB3"]
    econ = (fs[["CL1A", "CL1B", "CL1C", "CL1X"]] == 1).any(axis=1)
    thr = np.select([age <= 11, age <= 14], [1, 14], 43)
    econ_lab = econ & fs["CL3"].between(0, 96) & (fs["CL3"] >= thr)
    chores = (fs[["CL7", "CL9", "CL11A", "CL11B", "CL11C", "CL11D", "CL11E", "CL11F",
                  "CL11X"]] == 1).any(axis=1)
    hours = sum(fs[c].where(fs[c].between(0, 96), 0) for c in ("CL8", "CL10", "CL13"))
    chore_lab = age.between(5, 14) & chores & (hours >= 21)
    return _rows("prot_child_labour", village, age.between(5, 17), econ_lab | chore_lab)


def compute_truth(pop, frame: pd.DataFrame) -> pd.DataFrame:
    """The truth table: one row per village and indicator."""
    p, h = pop.persons, pop.households
    village_of = h.set_index("hh")["village"]
    kids = p[p["is_child"]].reset_index(drop=True)
    age_of = p.set_index(["hh", "line"])["HL6"]
    member_age = age_of.reindex(pd.MultiIndex.from_arrays(
        [kids["hh"], kids["pcg_ln"].clip(lower=1)])).to_numpy()
    cg_age = pd.Series(np.where(kids["pcg_ln"] > 0, member_age,
                                np.where(kids["pcg_age"] == 98, -1, kids["pcg_age"])))
    hh_abroad = kids.loc[(kids["HL15"] == 1) | (kids["HL19"] == 1), "hh"].unique()
    m = pop.migrants
    remit = (m["mig_remit_3m"] == 1).groupby(m["hh"]).any()
    hhs = pd.DataFrame({"hh": h["hh"]})
    u5, fs, cg = pop.u5, pop.fs, pop.caregivers
    parts = [
        *roster_indicators(kids, cg_age, m, kids["hh"].map(village_of)),
        _rows("lb_remittance_3m", h["village"], hhs["hh"].isin(hh_abroad),
              hhs["hh"].map(remit).fillna(False)),
        *under5_indicators(u5, u5["hh"].map(village_of)),
        *discipline_indicators(u5, fs, u5["hh"].map(village_of), fs["hh"].map(village_of)),
        child_labour(fs, fs["hh"].map(village_of)),
        _rows("care_interest_parenting_group", cg["hh"].map(village_of),
              pd.Series(True, index=cg.index), cg["cp_interest"] == 1),
    ]
    long = pd.concat(parts, ignore_index=True)
    ids = list(dict.fromkeys(long["indicator_id"]))
    grid = pd.MultiIndex.from_product([range(len(frame)), ids], names=["village", "indicator_id"])
    long = long.set_index(["village", "indicator_id"]).reindex(grid).reset_index()
    long["denominator"] = long["denominator"].fillna(0).astype(int)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = 100.0 * long["num"].to_numpy(float) / long["denominator"].to_numpy(float)
    long["value"] = np.where(long["denominator"] > 0, np.round(value, 6), np.nan)
    long["kode_kemendagri"] = frame["kode_kemendagri"].to_numpy()[long["village"]]
    return long[TRUTH_COLUMNS]
