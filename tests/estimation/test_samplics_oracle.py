"""samplics 0.6.1 `TaylorEstimator` as an oracle on random stratified cluster designs.

samplics conventions, read from its source (samplics/estimation/expansion.py, utils/formats.py):

* `fpc` is the *multiplier* of each stratum's variance, i.e. 1 − n_h/N_h (a dict keyed by the
  sorted strata), not R's population count; `fpc=1.0` means no correction.
* `remove_nan=True` *deletes* rows whose y is NaN before anything else. A PSU whose units are all
  missing therefore disappears from n_h and from the degrees of freedom. R (`svymean(...,
  na.rm=TRUE)`) keeps it, with z_hc = 0, and so do we. The property test below keeps at least one
  non-missing unit in every PSU, where both agree; `test_psu_with_all_y_missing` shows the
  deviation and checks our R behaviour.
* Domains are handled by zeroing the weights outside the domain, on all remaining rows, so PSUs
  without domain units keep counting in n_h (as R).
* t quantile `student.ppf(1 − alpha/2, df)` with df = #(stratum, psu) pairs − #strata over the
  whole (NaN-filtered) sample, the same for every domain.
* Logit CI for proportions; p = 0 or 1 gives the interval [p, p].

Agreement is required to a relative 1e-8 (absolute 1e-10 for values that are exactly 0).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parenting_assessment.estimation import estimate

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="samplics is archived", category=FutureWarning)
    samplics = pytest.importorskip("samplics")
PopParam = samplics.PopParam
SinglePSUEst = samplics.SinglePSUEst
TaylorEstimator = samplics.TaylorEstimator

PARAMS = {"mean": PopParam.mean, "total": PopParam.total, "proportion": PopParam.prop}


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-8, abs_tol=1e-10)


def make_design(
    seed: int, n_strata: int, binary: bool, nan_rate: float, with_fpc: bool
) -> pd.DataFrame:
    """Random stratified two-level sample; every PSU keeps ≥ 1 non-missing y."""
    rng = np.random.default_rng(seed)
    frames = []
    for h in range(n_strata):
        n_psu = int(rng.integers(2, 41))
        sizes = rng.integers(1, 6, n_psu)
        n = int(sizes.sum())
        # domain shares differ by stratum, so some categories are empty in some strata
        shares = rng.dirichlet(np.full(3, 0.4))
        frames.append(
            pd.DataFrame(
                {
                    "stratum": h,
                    "psu": np.repeat(np.arange(n_psu), sizes),  # ids nested in strata
                    "w": rng.uniform(0.5, 20.0, n),
                    "dom": rng.choice(np.array(["a", "b", "c"]), size=n, p=shares),
                    "N_h": n_psu + int(rng.integers(0, 60)) if with_fpc else np.nan,
                }
            )
        )
        first = np.zeros(n, dtype=bool)
        first[np.r_[0, np.cumsum(sizes)[:-1]]] = True
        frames[-1]["first"] = first
    data = pd.concat(frames, ignore_index=True)
    n = len(data)
    y = rng.integers(0, 2, n).astype(float) if binary else rng.gamma(2.0, 10.0, n)
    if binary:
        y[:2] = [0.0, 1.0]  # both categories present, so samplics reports category 1
    missing = (rng.random(n) < nan_rate) & ~data["first"].to_numpy()
    y[missing] = np.nan
    data["y"] = y
    return data.drop(columns="first")


def samplics_fit(data: pd.DataFrame, stat: str, with_fpc: bool) -> TaylorEstimator:
    est = TaylorEstimator(PARAMS[stat])
    if with_fpc:
        per_stratum = data.groupby("stratum").agg(n=("psu", "nunique"), N=("N_h", "first"))
        fpc = {h: 1.0 - r.n / r.N for h, r in per_stratum.iterrows()}
    else:
        fpc = 1.0
    est.estimate(
        y=data["y"],
        samp_weight=data["w"],
        stratum=data["stratum"],
        psu=data["psu"],
        domain=data["dom"],
        fpc=fpc,
        remove_nan=True,
    )
    return est


def pick(value, stat: str) -> float:
    """samplics keys proportion results by category; we estimate the share of 1."""
    return float(value[1.0]) if stat == "proportion" else float(value)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_strata=st.integers(1, 6),
    kind=st.sampled_from(["mean", "total", "proportion", "mean_binary"]),
    nan_rate=st.sampled_from([0.0, 0.1, 0.3]),
    with_fpc=st.booleans(),
)
def test_matches_samplics(
    seed: int, n_strata: int, kind: str, nan_rate: float, with_fpc: bool
) -> None:
    stat = "mean" if kind == "mean_binary" else kind
    binary = kind in ("proportion", "mean_binary")
    data = make_design(seed, n_strata, binary, nan_rate, with_fpc)
    if kind == "mean_binary":
        # samplics divides by the estimate for its CV and crashes on a mean of exactly 0 (a
        # proportion of 0 is special-cased there): give every domain one y = 1.
        data.loc[data["y"].notna().groupby(data["dom"]).idxmax(), "y"] = 1.0
    ours = estimate(
        data,
        "y",
        weight="w",
        strata="stratum",
        psu="psu",
        fpc="N_h" if with_fpc else None,
        by="dom",
        stat=stat,
    ).set_index("dom")
    ref = samplics_fit(data, stat, with_fpc)
    for d in ours.index[ours["n_unweighted"] > 0]:
        row = ours.loc[d]
        assert close(row["estimate"], pick(ref.point_est[d], stat)), d
        assert close(row["se"], pick(ref.stderror[d], stat)), d
        assert close(row["ci_low"], pick(ref.lower_ci[d], stat)), d
        assert close(row["ci_high"], pick(ref.upper_ci[d], stat)), d
        assert row["df"] == ref.degree_of_freedom
    assert set(ref.point_est) == set(ours.index[ours["n_unweighted"] > 0])


def test_psu_with_all_y_missing() -> None:
    """samplics' remove_nan drops a fully-missing PSU from n_h and df; R and we keep it.

    Our result must equal samplics run without deleting rows: NaN-y rows put in a domain of
    their own (any finite y there), which is exactly R's na.rm: out of the estimate, in the design.
    """
    data = make_design(seed=7, n_strata=3, binary=False, nan_rate=0.0, with_fpc=False)
    lost = (data["stratum"] == 0) & (data["psu"] == 0)
    data.loc[lost, "y"] = np.nan
    ours = estimate(data, "y", weight="w", strata="stratum", psu="psu", by="dom").set_index("dom")

    dropped = samplics_fit(data, "mean", with_fpc=False)
    kept = TaylorEstimator(PopParam.mean)
    kept.estimate(
        y=data["y"].fillna(1.0),
        samp_weight=data["w"],
        stratum=data["stratum"],
        psu=data["psu"],
        domain=data["dom"].where(data["y"].notna(), "__missing__"),
    )
    n_psus = data.groupby("stratum")["psu"].nunique().sum()
    assert ours["df"].iloc[0] == kept.degree_of_freedom == n_psus - 3
    assert dropped.degree_of_freedom == n_psus - 3 - 1
    d = data.loc[lost, "dom"].iloc[0]
    assert close(ours.loc[d, "se"], kept.stderror[d])
    assert not close(ours.loc[d, "se"], dropped.stderror[d])
    for dom in ours.index:
        assert close(ours.loc[dom, "estimate"], kept.point_est[dom])
        assert close(ours.loc[dom, "se"], kept.stderror[dom])


def test_single_psu_stratum_matches_samplics_skip() -> None:
    """A stratum with one PSU adds no variance: samplics `SinglePSUEst.skip`."""
    data = make_design(seed=3, n_strata=3, binary=False, nan_rate=0.0, with_fpc=False)
    data = data[(data["stratum"] != 1) | (data["psu"] == 0)]
    ours = estimate(data, "y", weight="w", strata="stratum", psu="psu", by="dom").set_index("dom")
    ref = TaylorEstimator(PopParam.mean)
    ref.estimate(
        y=data["y"],
        samp_weight=data["w"],
        stratum=data["stratum"],
        psu=data["psu"],
        domain=data["dom"],
        single_psu=SinglePSUEst.skip,
    )
    for d in ours.index:
        assert close(ours.loc[d, "estimate"], ref.point_est[d])
        assert close(ours.loc[d, "se"], ref.stderror[d])
        has_units = bool(((data["stratum"] == 1) & (data["dom"] == d)).any())
        assert ours.loc[d, "single_psu_strata"] == int(has_units)
