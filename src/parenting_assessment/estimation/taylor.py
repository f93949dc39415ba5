"""Design-based estimation by Taylor linearisation, vectorised over domains (SAMPLING.md §3).

The method is the one of R's `survey` package (`svymean`/`svytotal` with `svyby`, variance from
`svyrecvar` at the first stage, "with replacement" at stage 2+ = ultimate-cluster variance):

* the estimate of a domain d is Ŷ = Σ w δ y (total) or ȳ = Σ w δ y / Σ w δ (mean, proportion);
* linearised values z_i = w_i δ_i y_i (total) or w_i δ_i (y_i − ȳ) / Σ_j w_j δ_j (mean);
* V = Σ_h (1 − n_h/N_h) · n_h/(n_h − 1) · Σ_c (z_hc − z̄_h)², where n_h counts *every* sampled
  PSU of stratum h — PSUs without a unit in the domain enter with z_hc = 0. That is what makes a
  domain estimate differ from estimating on a subset of the data.

Why one pass over all domains: the pipeline estimates hundreds of indicator × domain cells that
share one household design. Everything is done with `pd.factorize` + `np.bincount` on integer
codes, so the cost is a few linear passes whatever the number of domains.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from parenting_assessment.estimation import intervals
from parenting_assessment.estimation.design import DESIGN_COLUMNS, check_columns

STATS = ("mean", "proportion", "total")
RESULT_COLUMNS = [
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "df",
    "deff",
    "n_unweighted",
    "N_weighted",
    "ci_degenerate",
    "single_psu_strata",
]


def check_stat(stat: str, level: float, ci_method: str = "logit") -> None:
    """Reject an unknown statistic, interval method or level early, with a one-line message."""
    if stat not in STATS:
        raise ValueError(f"stat must be one of {STATS}, got {stat!r}")
    if ci_method not in intervals.CI_METHODS:
        raise ValueError(f"ci_method must be one of {intervals.CI_METHODS}, got {ci_method!r}")
    if ci_method != "logit" and stat != "proportion":
        raise ValueError(f"ci_method={ci_method!r} applies to stat='proportion' only")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be strictly between 0 and 1, got {level!r}")


def _as_float(col: pd.Series, name: str) -> np.ndarray:
    """Column as float64 with NaN for missing (nullable and bool dtypes included)."""
    try:
        return pd.to_numeric(col).to_numpy(dtype=float, na_value=np.nan)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"column {name!r} must be numeric") from exc


def taylor_by(
    df: pd.DataFrame,
    *,
    y: str,
    weight: str,
    stratum: str,
    psu: str,
    domains: list[str],
    design: pd.DataFrame,
    stat: str = "mean",
    level: float = 0.95,
    ci_method: str = "logit",
) -> pd.DataFrame:
    """Estimate `stat` of `y` in every domain of `df`, against a household design given apart.

    `design` has one row per stratum of the *full* design: `stratum`, `n_psu` (sampled PSUs,
    including PSUs with no row in `df`) and `N_psu` (population PSUs; NaN = no fpc). `df` may hold
    only one universe (e.g. children 24–59 months): the PSUs it lacks still count in n_h.

    A PSU is identified by the pair (stratum, psu): PSU ids are nested within strata, as R's
    `svydesign(..., nest = TRUE)` (NHANES-style ids 1, 2 reused in every stratum are fine).

    Rows with missing `y` are outside every domain (R's `na.rm = TRUE`); rows with a missing
    domain key belong to no domain. A domain whose `y` is all missing is still returned, with
    n_unweighted = 0 and NaN statistics, so the report can print "-".

    A stratum with n_h = 1 contributes 0 to the variance (R `options(survey.lonely.psu =
    "certainty")`, samplics `SinglePSUEst.skip`); R's default would be to stop. Such strata are
    counted per domain in `single_psu_strata` (strata with one design PSU holding domain units)
    so the report can show that the SE is understated. Degrees of freedom are those of the whole
    design, Σ n_h − H, for every domain (as `svyby` with `degf(design)`).
    """
    check_stat(stat, level, ci_method)
    check_columns(df, [y, weight, stratum, psu, *domains])
    if len(design) == 0:
        raise ValueError("design table is empty")
    for col in DESIGN_COLUMNS:
        if col not in design.columns:
            raise ValueError(f"design table lacks column {col!r}")

    # --- strata of the design -----------------------------------------------------------------
    strata_index = pd.Index(design["stratum"])
    if not strata_index.is_unique:
        raise ValueError("design table has duplicated strata")
    n_h = design["n_psu"].to_numpy(dtype=float)
    big_n = design["N_psu"].to_numpy(dtype=float)
    if (n_h < 1).any():
        raise ValueError("design n_psu must be at least 1 in every stratum")
    with np.errstate(invalid="ignore", divide="ignore"):
        fpc_factor = np.where(np.isnan(big_n), 1.0, 1.0 - n_h / big_n)
    if (fpc_factor < 0).any():
        raise ValueError("fpc (N_psu) is smaller than the number of sampled PSUs in some stratum")
    design_df = int(round(n_h.sum())) - len(n_h)

    # --- domains (codes in sorted key order) ----------------------------------------------------
    if domains:
        grouped = df.groupby(domains, sort=True, dropna=True, observed=True)
        dom_all = grouped.ngroup().fillna(-1).to_numpy(dtype=np.int64)
        keys = grouped.size().index.to_frame(index=False)
    else:
        dom_all = np.zeros(len(df), dtype=np.int64)
        keys = pd.DataFrame(index=range(1))
    n_dom = len(keys)

    yv = _as_float(df[y], y)
    keep = ~np.isnan(yv) & (dom_all >= 0)
    yv = yv[keep]
    dom = dom_all[keep].astype(np.int64)
    w = _as_float(df[weight], weight)[keep]
    if np.isnan(w).any() or (w < 0).any():
        raise ValueError(f"weights in {weight!r} must be non-negative and not missing")
    if stat == "proportion" and not np.isin(yv, (0.0, 1.0)).all():
        raise ValueError(f"stat='proportion' needs {y!r} coded 0/1 (or missing)")

    h = strata_index.get_indexer(df[stratum].to_numpy()[keep])
    if (h < 0).any():
        raise ValueError(f"{stratum!r} has missing strata or strata not in the design table")

    # --- point estimates ------------------------------------------------------------------------
    n_unw = np.bincount(dom, minlength=n_dom)
    w_sum = np.bincount(dom, weights=w, minlength=n_dom)
    wy_sum = np.bincount(dom, weights=w * yv, minlength=n_dom)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = wy_sum / w_sum
    est = wy_sum.copy() if stat == "total" else ratio
    est[n_unw == 0] = np.nan

    # --- linearised values, summed to (domain, PSU) then (domain, stratum) ----------------------
    z = w * yv if stat == "total" else w * (yv - ratio[dom]) / w_sum[dom]
    p_code, p_uniques = pd.factorize(df[psu].to_numpy()[keep], sort=False)
    if (p_code < 0).any():
        raise ValueError(f"PSU ids in {psu!r} must not be missing")
    n_p = max(len(p_uniques), 1)
    psu_code, psu_uniques = pd.factorize(h.astype(np.int64) * n_p + p_code, sort=False)
    psu_h = psu_uniques // n_p
    if (np.bincount(psu_h, minlength=len(n_h)) > n_h).any():
        raise ValueError("data has more PSUs in a stratum than the design's n_psu")
    n_psu_seen = max(len(psu_uniques), 1)
    dp_code, dp_uniques = pd.factorize(dom * n_psu_seen + psu_code, sort=False)
    z_dc = np.bincount(dp_code, weights=z)
    dp_dom = dp_uniques // n_psu_seen
    dp_h = psu_h[dp_uniques % n_psu_seen]
    dh_code, dh_uniques = pd.factorize(dp_dom * len(n_h) + dp_h, sort=False)
    dh_dom, dh_h = dh_uniques // len(n_h), dh_uniques % len(n_h)
    present = np.bincount(dh_code)
    nh = n_h[dh_h]
    # Two-pass sum of squares around the stratum mean over *all* n_h PSUs: the absent ones
    # (z_hc = 0) add (n_h − present)·z̄². Stabler than Σz² − (Σz)²/n for totals.
    zbar = np.bincount(dh_code, weights=z_dc) / nh
    ssq = np.bincount(dh_code, weights=(z_dc - zbar[dh_code]) ** 2) + (nh - present) * zbar**2
    single = nh == 1
    with np.errstate(invalid="ignore", divide="ignore"):
        contrib = np.where(single, 0.0, fpc_factor[dh_h] * nh / (nh - 1.0) * ssq)
    variance = np.bincount(dh_dom, weights=contrib, minlength=n_dom)
    n_single = np.bincount(dh_dom, weights=single.astype(float), minlength=n_dom).astype(int)
    se = np.sqrt(variance)
    se[n_unw == 0] = np.nan

    # --- intervals and design effect ------------------------------------------------------------
    t = intervals.t_quantile(level, design_df)
    if stat == "proportion" and ci_method == "korn-graubard":
        low, high = intervals.korn_graubard_interval(est, se, n_unw.astype(float), design_df,
                                                     level)
        degenerate = np.zeros(n_dom, dtype=bool)
    elif stat == "proportion" and ci_method == "jeffreys":
        low, high = intervals.jeffreys_interval(
            est, n_unw, intervals.srs_design_effect(est, se, n_unw), design_df, level)
        degenerate = np.zeros(n_dom, dtype=bool)
    elif stat == "proportion":
        low, high, degenerate = intervals.logit_interval(est, se, t)
    else:
        low, high = intervals.wald_interval(est, se, t)
        degenerate = np.zeros(n_dom, dtype=bool)
    pos = w > 0
    n_pos = np.bincount(dom, weights=pos.astype(float), minlength=n_dom)
    with np.errstate(invalid="ignore", divide="ignore"):
        dev = w * (yv - ratio[dom]) ** 2
        s2 = np.bincount(dom, weights=dev, minlength=n_dom) / w_sum * n_pos / (n_pos - 1.0)
    deff = intervals.design_effect(variance, s2, n_pos, w_sum, total=stat == "total")

    out = keys.copy()
    out["estimate"] = est
    out["se"] = se
    out["ci_low"] = low
    out["ci_high"] = high
    out["df"] = design_df
    out["deff"] = deff
    out["n_unweighted"] = n_unw.astype(np.int64)
    out["N_weighted"] = w_sum
    out["ci_degenerate"] = degenerate
    out["single_psu_strata"] = n_single
    return out
