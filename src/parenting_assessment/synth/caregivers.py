"""Caregiver-module answers for every primary caregiver who lives in the household.

One record per person who is the primary caregiver (``pcg_ln``) of at least one child 0-17,
as in the questionnaire (one interview per caregiver). Grandparent carers are older, less
schooled and report more burden; households without remittances report more money strain
(Graham, Jordan & Yeoh 2015; Fauk et al. 2025).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from parenting_assessment.synth.answers import sig

BURDEN = ("cb_stress", "cb_tired", "cb_money_daily", "cb_money_school", "cb_health", "cb_social")
BURDEN_BASE = np.array([0.0, 0.2, 0.1, -0.1, -0.4, -0.2])
TOPICS = ("child_dev", "discipline", "communication", "finance", "health", "school")
BARRIERS = ("time", "distance", "cost", "permission", "none")


def caregivers(pop, rng: np.random.Generator) -> pd.DataFrame:
    """Caregiver answers; ``cg_rel`` is the relationship to the youngest child in their care."""
    p = pop.persons
    kids = p[p["is_child"] & (p["pcg_ln"] > 0)]
    youngest = kids.sort_values(["hh", "pcg_ln", "HL6", "line"]).drop_duplicates(
        ["hh", "pcg_ln"])
    n_care = kids.groupby(["hh", "pcg_ln"]).size()
    cg = youngest[["hh", "pcg_ln", "pcg_rel"]].rename(
        columns={"pcg_ln": "cg_ln", "pcg_rel": "cg_rel"}).sort_values(["hh", "cg_ln"])
    cg = cg.reset_index(drop=True)
    who = p.set_index(["hh", "line"]).reindex(pd.MultiIndex.from_frame(
        cg[["hh", "cg_ln"]].rename(columns={"cg_ln": "line"})))
    n = len(cg)
    age = who["HL6"].to_numpy()
    cg["cg_age"], cg["cg_sex"] = age, who["HL4"].to_numpy()
    cg["n_in_care"] = n_care.reindex(pd.MultiIndex.from_frame(cg[["hh", "cg_ln"]])).to_numpy()
    edu_p = np.where((age >= 55)[:, None], [0.45, 0.4, 0.1, 0.04, 0.0, 0.01],
                     np.where((age >= 35)[:, None], [0.1, 0.35, 0.3, 0.19, 0.05, 0.01],
                              [0.03, 0.15, 0.3, 0.41, 0.1, 0.01]))
    u = rng.random(n)[:, None]
    cg["cg_edu"] = np.array([0, 1, 2, 3, 4, 8])[(u >= np.cumsum(edu_p, axis=1)).sum(axis=1)]

    h = pop.households.set_index("hh")
    v = h["village"].reindex(cg["hh"]).to_numpy()
    mig = pop.migrants
    no_remit = ~(mig["mig_remit_3m"] == 1).groupby(mig["hh"]).any()
    has_mig = cg["hh"].isin(mig["hh"]).to_numpy()
    strain = no_remit.reindex(cg["hh"]).fillna(False).to_numpy().astype(bool)
    gp = np.isin(cg["cg_rel"].to_numpy(), [3, 4])
    latent = (pop.effects["burden"].to_numpy()[v] + 0.6 * gp + 0.3 * (age >= 60)
              + 0.35 * (cg["n_in_care"].to_numpy() >= 3) + 0.35 * strain
              - 0.15 * h["ses"].reindex(cg["hh"]).to_numpy() + rng.normal(0, 0.8, n))
    for item, base in zip(BURDEN, BURDEN_BASE, strict=True):
        money = 0.4 * strain if item.startswith("cb_money") else 0.0
        score = np.clip(np.rint(0.9 + base + money + latent + rng.normal(0, 0.6, n)), 0, 3)
        cg[item] = np.where(rng.random(n) < 0.015, 8, score).astype(int)

    interest = sig(0.35 + pop.effects["interest"].to_numpy()[v] - 0.3 * (age >= 60))
    yes = rng.random(n) < interest
    rest = rng.choice([2, 3, 8], n, p=[0.55, 0.38, 0.07])
    cg["cp_interest"] = np.where(yes, 1, rest)
    keen = np.isin(cg["cp_interest"].to_numpy(), [1, 2])
    cg["cp_time"] = np.where(keen, rng.choice([1, 2, 3, 4], n, p=[.2, .4, .3, .1]), -1)
    topic_p = np.column_stack([np.full(n, .55), np.full(n, .4), .2 + .35 * has_mig,
                               .15 + .2 * has_mig, np.full(n, .5), np.full(n, .4)])
    topics = _mask(rng.random((n, 6)) < topic_p)
    topics = np.where(topics == 0, 1 << rng.integers(0, 6, n), topics)
    cg["cp_topics"] = np.where(keen, topics, -1)
    bar = _mask(rng.random((n, 4)) < np.array([.35, .1, .12, .06]))
    cg["cp_barriers"] = np.where(bar == 0, 1 << 4, bar)
    return cg.drop(columns="n_in_care")


def _mask(flags: np.ndarray) -> np.ndarray:
    """Bit mask of a (n, k) boolean matrix: bit j set when column j is True."""
    return (flags * (1 << np.arange(flags.shape[1]))).sum(axis=1)
