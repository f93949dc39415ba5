"""Draw the survey sample from the population, as the field teams would (SAMPLING.md §1).

Stratified simple random sampling without replacement of ``target_*`` households in each
(village, pmi | non_pmi) stratum (a stratum with ``N_h = n_h`` is a census), household
non-response, the random choice of one child aged 5-17 per household, and module non-response.
Non-responding households stay in the sample: they are submitted with only the cover answered,
exactly as they reach the pipeline from KoboToolbox.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

NONRESPONSE_RANGE = (0.06, 0.10)
NONRESPONSE_KINDS = np.array([2, 3, 4, 0])  # visit_result 2/3/4, or 0 = visit 1 but consent 2
NONRESPONSE_P = [0.45, 0.15, 0.2, 0.2]
MODULE_FAIL_CODES = np.array([2, 3, 4, 5, 6])
MODULE_FAIL_P = [0.45, 0.15, 0.25, 0.05, 0.1]


@dataclass
class Sample:
    """The selected households and, for respondents, which modules were administered."""

    households: pd.DataFrame  # hh, village, stratum, visit_result, consent, responded, sel_fs_ln
    child_modules: pd.DataFrame  # hh, line, ch_type (1 under 5, 2 selected 5-17), result
    caregiver_modules: pd.DataFrame  # hh, cg_ln, cg_result


def select_households(pop, frame: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Indices (``hh``) of the stratified SRS without replacement."""
    h = pop.households
    target = np.where(h["stratum"] == "pmi", frame["target_pmi"].to_numpy()[h["village"]],
                      frame["target_non_pmi"].to_numpy()[h["village"]])
    key = rng.random(len(h))
    rank = pd.Series(key).groupby([h["village"], h["stratum"]]).rank(method="first") - 1
    return h["hh"].to_numpy()[rank.to_numpy() < target]


def draw_sample(pop, frame: pd.DataFrame, rng: np.random.Generator, *,
                nonresponse: float | None = None, module_nonresponse: float = 0.03) -> Sample:
    """Select, then simulate the visit outcome, the 5-17 selection and module results.

    ``nonresponse`` fixes the household non-response rate; by default each village draws its
    own rate in 6-10 %. At least one household responds in every stratum, so weights exist.
    """
    chosen = select_households(pop, frame, rng)
    s = pop.households.loc[chosen, ["hh", "village", "kode_kemendagri", "stratum",
                                    "hh_listing_no", "date"]].reset_index(drop=True)
    rate = (rng.uniform(*NONRESPONSE_RANGE, len(frame)) if nonresponse is None
            else np.full(len(frame), nonresponse))
    responded = rng.random(len(s)) >= rate[s["village"]]
    key = pd.Series(rng.random(len(s)) + responded * 2.0)
    top = key.groupby([s["village"], s["stratum"]]).transform("max") == key
    responded |= top.to_numpy()  # the best-ranked household of each stratum always responds
    kind = rng.choice(NONRESPONSE_KINDS, len(s), p=NONRESPONSE_P)
    s["responded"] = responded
    s["visit_result"] = np.where(responded, 1, np.where(kind == 0, 1, kind))
    s["consent"] = np.where(responded, 1, np.where(kind == 0, 2, -1))

    resp = s.loc[responded, "hh"].to_numpy()
    fs = pop.fs[pop.fs["hh"].isin(resp)].copy()
    fs["key"] = rng.random(len(fs))
    sel = fs.sort_values(["hh", "key"]).drop_duplicates("hh")[["hh", "line"]]
    s["sel_fs_ln"] = np.where(responded, s["hh"].map(sel.set_index("hh")["line"]).fillna(0), -1)
    s["sel_fs_ln"] = s["sel_fs_ln"].astype(int)

    u5 = pop.u5.loc[pop.u5["hh"].isin(resp), ["hh", "line"]].assign(ch_type=1)
    cm = pd.concat([u5, sel.assign(ch_type=2)]).sort_values(["hh", "line"])
    cm = cm.reset_index(drop=True)
    cm["result"] = _results(len(cm), module_nonresponse, rng)

    kids = pop.persons.set_index(["hh", "line"])["pcg_ln"]
    pcg = kids.reindex(pd.MultiIndex.from_frame(cm[["hh", "line"]])).to_numpy()
    cg = pd.DataFrame({"hh": cm["hh"], "cg_ln": pcg})
    cg = cg[cg["cg_ln"] > 0].drop_duplicates().sort_values(["hh", "cg_ln"])
    cg = cg.reset_index(drop=True)
    cg["cg_result"] = _results(len(cg), module_nonresponse, rng)
    return Sample(s, cm, cg)


def _results(n: int, fail_rate: float, rng: np.random.Generator) -> np.ndarray:
    ok = rng.random(n) >= fail_rate
    return np.where(ok, 1, rng.choice(MODULE_FAIL_CODES, n, p=MODULE_FAIL_P))
