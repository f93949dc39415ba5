"""The composite caregiving-needs index per village, with its design-based SE (INDICATORS.md §6).

Index_v = Σ_i w_i s_i / Σ_i w_i, s_i = p_i ('+') or 100 − p_i ('−'), p_i the village's weighted
proportion (percent) of component i. Because the index is a fixed linear combination of ratio
estimates, its Taylor variance is that of the combined linearised variable: each unit u of
component i gets z_u = w_u (y_u − p̂_i)/Ŵ_i (SAMPLING.md §3), scaled by c_i = ±100 w_i/Σw; the
c_i·z_u are summed within each household (PSU) — so a household that contributes to several
components enters once, with its covariance — and V = Σ_h (1 − n_h/N_h) n_h/(n_h − 1)
Σ_c (z_hc − z̄_h)² runs over all n_h sampled households of the village's strata (households with
no unit in a component contribute 0, never get dropped). Villages are strata, so each village's
variance uses only its own strata and the villages' estimates are independent.

Conventions shared with `estimation.taylor_by`: a PSU is (stratum, psu); strata with one sampled
PSU add no variance (counted in `single_psu_strata`); the interval uses t with the degrees of
freedom of the *whole* design (Σ n_h − H), as `svyby` does, clipped to the 0–100 scale.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from parenting_assessment.estimation import display_value, mics_flag
from parenting_assessment.estimation.intervals import t_quantile
from parenting_assessment.needs.config import NeedsConfig

UV_COLUMNS = ["indicator_id", "stratum", "psu", "village_code", "district_code", "weight", "y"]
INDEX_COLUMNS = [
    "index_id", "village_code", "village_name", "district_code", "index", "se", "ci_low",
    "ci_high", "df", "n_components", "n_components_configured", "partial", "status",
    "unavailable_components", "n_households", "single_psu_strata", "census", "uncertainty_note",
    "readiness", "readiness_display", "config_version",
]
COMPONENT_COLUMNS = [
    "village_code", "indicator_id", "direction", "value", "need_value", "weight", "weight_share",
    "n_unweighted", "available", "flag", "display", "config_version",
]
CENSUS_NOTE = ("SE 0 (every listed household interviewed): the rank interval reflects only the "
               "other villages' sampling uncertainty; see the missing-data bounds and weight sets")


def village_totals(estimates: pd.DataFrame) -> pd.DataFrame:
    """The village-total rows of ``estimates.estimates`` (an already filtered table passes)."""
    out = estimates
    if "level" in out.columns:
        out = out[out["level"] == "village"]
    if "disagg_key" in out.columns:
        out = out[out["disagg_key"] == "total"]
    return out


def _villages(uv: pd.DataFrame, totals: pd.DataFrame) -> pd.Index:
    codes = set(uv["village_code"].dropna())
    if "area_code" in totals.columns:
        codes |= set(totals["area_code"].dropna())
    return pd.Index(sorted(codes), name="village_code")


def _grid(uv: pd.DataFrame, villages: pd.Index, ids: list[str]) -> tuple[np.ndarray, ...]:
    """(villages × components) unweighted n, Σw and p̂ (a fraction; NaN where n = 0)."""
    vi = villages.get_indexer(uv["village_code"])
    ii = pd.Index(ids).get_indexer(uv["indicator_id"])
    cell = vi * len(ids) + ii
    size = len(villages) * len(ids)
    w = uv["weight"].to_numpy(float)
    y = uv["y"].to_numpy(float)
    n = np.bincount(cell, minlength=size).reshape(len(villages), len(ids))
    w_sum = np.bincount(cell, weights=w, minlength=size).reshape(n.shape)
    wy = np.bincount(cell, weights=w * y, minlength=size).reshape(n.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(w_sum > 0, wy / w_sum, np.nan)
    return vi, ii, n, w_sum, p


def _prepare(unit_values: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    missing = [c for c in UV_COLUMNS if c not in unit_values.columns]
    if missing:
        raise ValueError(f"unit_values lacks column(s) {missing}")
    uv = unit_values[unit_values["indicator_id"].isin(ids)]
    y = pd.to_numeric(uv["y"]).to_numpy(float)
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("unit_values.y must be 0 or 1 for every index component")
    w = pd.to_numeric(uv["weight"]).to_numpy(float)
    if np.isnan(w).any() or (w < 0).any():
        raise ValueError("unit_values.weight must be non-negative and not missing")
    return uv


def _coefficients(config: NeedsConfig, weights: dict[str, float], n: np.ndarray,
                  p: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per-village weights after the min_n rule, index values and linear coefficients c_i."""
    ids = list(weights)
    sign = np.array([1.0 if config.directions[i] == "+" else -1.0 for i in ids])
    wv = np.array([weights[i] for i in ids])
    avail = n >= config.min_n_component
    if config.unavailable == "renormalise":
        wmat = wv * avail
        ok = wmat.sum(axis=1) > 0
    else:
        wmat = np.broadcast_to(wv, n.shape).copy()
        ok = avail.all(axis=1)
    wtot = wmat.sum(axis=1)
    need = np.where(sign > 0, 100.0 * p, 100.0 - 100.0 * p)
    with np.errstate(invalid="ignore", divide="ignore"):
        index = np.where(ok, np.where(wmat > 0, wmat * need, 0.0).sum(axis=1) / wtot, np.nan)
        coef = np.where(ok[:, None], sign * 100.0 * wmat / wtot[:, None], 0.0)
    return avail, wmat, ok, index, coef, need


def _variance(uv: pd.DataFrame, design: pd.DataFrame, vi: np.ndarray, ii: np.ndarray,
              coef: np.ndarray, w_sum: np.ndarray, p: np.ndarray,
              stratum_village: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Village variances of the index and counts of single-PSU strata that hold used units."""
    strata = pd.Index(design["stratum"])
    n_h = design["n_psu"].to_numpy(float)
    big_n = design["N_psu"].to_numpy(float)
    fpc = np.where(np.isnan(big_n), 1.0, 1.0 - n_h / big_n)
    h = strata.get_indexer(uv["stratum"])
    c_u = coef[vi, ii]
    with np.errstate(invalid="ignore", divide="ignore"):
        z = c_u * uv["weight"].to_numpy(float) * (uv["y"].to_numpy(float) - p[vi, ii]) \
            / w_sum[vi, ii]
    z = np.where(c_u != 0, z, 0.0)
    used = c_u != 0
    psu_code, psu_keys = pd.factorize(pd.MultiIndex.from_arrays([h, uv["psu"].to_numpy()]))
    psu_h = np.asarray(psu_keys.get_level_values(0), dtype=np.int64)
    z_c = np.bincount(psu_code, weights=z, minlength=len(psu_keys))
    present = np.bincount(psu_h, minlength=len(n_h))
    if (present > n_h).any():
        raise ValueError("unit_values has more PSUs in a stratum than the design's n_psu")
    zbar = np.bincount(psu_h, weights=z_c, minlength=len(n_h)) / n_h
    ssq = (np.bincount(psu_h, weights=(z_c - zbar[psu_h]) ** 2, minlength=len(n_h))
           + (n_h - present) * zbar**2)
    with np.errstate(invalid="ignore", divide="ignore"):
        contrib = np.where(n_h > 1, fpc * n_h / (n_h - 1.0) * ssq, 0.0)
    n_v = coef.shape[0]
    mapped = stratum_village >= 0
    var = np.bincount(stratum_village[mapped], weights=contrib[mapped], minlength=n_v)
    single_used = np.zeros(len(n_h), dtype=bool)
    single_used[np.unique(h[used])] = True
    single_used &= n_h == 1
    singles = np.bincount(stratum_village[mapped], weights=single_used[mapped], minlength=n_v)
    return var, singles.astype(np.int64)


def _stratum_villages(unit_values: pd.DataFrame, design: pd.DataFrame,
                      villages: pd.Index) -> np.ndarray:
    """Village index of every design stratum (−1 if no unit at all); a stratum spans one village."""
    pairs = unit_values[["stratum", "village_code"]].drop_duplicates()
    if pairs["stratum"].duplicated().any():
        bad = pairs.loc[pairs["stratum"].duplicated(), "stratum"].tolist()[:5]
        raise ValueError(f"strata {bad} span several villages; villages must be strata")
    unknown = set(pairs["stratum"]) - set(design["stratum"])
    if unknown:
        raise ValueError(f"strata not in the design table: {sorted(unknown)[:5]}")
    vmap = pd.Series(villages.get_indexer(pairs["village_code"]), index=pairs["stratum"])
    return vmap.reindex(design["stratum"]).fillna(-1).to_numpy(np.int64)


def compute_needs_index(unit_values: pd.DataFrame, design: pd.DataFrame,
                        village_estimates: pd.DataFrame, config: NeedsConfig, *,
                        weights: dict[str, float] | None = None) -> pd.DataFrame:
    """One row per village: index, SE, CI, availability, status (columns `INDEX_COLUMNS`).

    `unit_values` is ``indicators.unit_values`` (all indicators may be passed), `design` the
    household design (`estimates.run.household_design`), `village_estimates` the estimates
    table (village totals give the village list, names and the readiness indicator). `weights`
    replaces the configured component weights (sensitivity analysis).
    """
    weights = {k: w for k, w in (weights or config.components).items() if w > 0}
    ids = list(weights)
    totals = village_totals(village_estimates)
    uv = _prepare(unit_values, ids)
    villages = _villages(unit_values, totals)
    vi, ii, n, w_sum, p = _grid(uv, villages, ids)
    avail, wmat, ok, index, coef, _ = _coefficients(config, weights, n, p)
    s_village = _stratum_villages(unit_values, design, villages)
    var, singles = _variance(uv, design, vi, ii, coef, w_sum, p, s_village)
    se = np.where(ok, np.sqrt(var), np.nan)
    df = int(round(design["n_psu"].to_numpy(float).sum())) - len(design)
    t = t_quantile(config.level, df)

    n_h = design["n_psu"].to_numpy(float)
    census_h = (design["N_psu"].to_numpy(float) == n_h).astype(float)
    mapped = s_village >= 0
    n_strata = np.bincount(s_village[mapped], minlength=len(villages))
    n_census = np.bincount(s_village[mapped], weights=census_h[mapped], minlength=len(villages))
    out = pd.DataFrame({"village_code": villages})
    out["index_id"] = config.index_id
    names = totals.drop_duplicates("area_code").set_index("area_code")["area_name"] \
        if {"area_code", "area_name"} <= set(totals.columns) else pd.Series(dtype=object)
    out["village_name"] = out["village_code"].map(names)
    dist = unit_values.drop_duplicates("village_code").set_index("village_code")["district_code"]
    out["district_code"] = out["village_code"].map(dist)
    out["index"] = index
    out["se"] = se
    out["ci_low"] = np.clip(index - t * se, 0.0, 100.0)
    out["ci_high"] = np.clip(index + t * se, 0.0, 100.0)
    out["df"] = df
    out["n_components"] = ((wmat > 0) & avail).sum(axis=1)
    out["n_components_configured"] = len(ids)
    out["partial"] = ok & ~avail.all(axis=1)
    out["status"] = np.where(ok, "ranked", "insufficient data")
    missing_ids = [", ".join(np.array(ids)[~row]) for row in avail]
    out["unavailable_components"] = missing_ids
    out["n_households"] = np.bincount(s_village[mapped], weights=n_h[mapped],
                                      minlength=len(villages)).astype(np.int64)
    out["single_psu_strata"] = singles
    out["census"] = (n_strata > 0) & (n_census == n_strata)
    out["uncertainty_note"] = _notes(out, config)
    out["readiness"], out["readiness_display"] = _readiness(totals, villages, config)
    out["config_version"] = config.version
    return out[INDEX_COLUMNS]


def _notes(out: pd.DataFrame, config: NeedsConfig) -> list[str]:
    notes = []
    for r in out.itertuples():
        parts = []
        if r.status != "ranked":
            parts.append(f"insufficient data: n < {config.min_n_component} for "
                         f"{r.unavailable_components}")
        elif r.partial:
            parts.append(f"partial score (renormalised) without {r.unavailable_components}")
        if r.status == "ranked" and r.se == 0:
            parts.append(CENSUS_NOTE)
        if r.single_psu_strata:
            parts.append(f"{r.single_psu_strata} stratum/strata with one sampled household add "
                         "no variance: SE understated")
        notes.append("; ".join(parts))
    return notes


def _readiness(totals: pd.DataFrame, villages: pd.Index,
               config: NeedsConfig) -> tuple[pd.Series, pd.Series]:
    """The readiness indicator (shown beside the index, never in it) per village."""
    rid = config.readiness_indicator
    if not rid or "indicator_id" not in totals.columns:
        return pd.Series(np.nan, index=range(len(villages))), pd.Series("", index=range(
            len(villages)))
    r = totals[totals["indicator_id"] == rid].drop_duplicates("area_code").set_index("area_code")
    est = pd.Series(villages).map(r["estimate"]) if "estimate" in r else np.nan
    disp = pd.Series(villages).map(r["display"]).fillna("") if "display" in r else ""
    return est, disp


def needs_components(unit_values: pd.DataFrame, village_estimates: pd.DataFrame,
                     config: NeedsConfig, *,
                     weights: dict[str, float] | None = None) -> pd.DataFrame:
    """Long table for the village profile: each component's value, need value, weight, flag.

    Values are recomputed from `unit_values` with the same ratio as the estimates table, so the
    profile and the index can never disagree; flags follow the MICS rule on n_unweighted.
    """
    weights = {k: w for k, w in (weights or config.components).items() if w > 0}
    ids = list(weights)
    uv = _prepare(unit_values, ids)
    villages = _villages(unit_values, village_totals(village_estimates))
    _, _, n, _, p = _grid(uv, villages, ids)
    avail, wmat, ok, _, _, need = _coefficients(config, weights, n, p)
    share = np.where(ok[:, None], wmat / wmat.sum(axis=1, keepdims=True), np.nan)
    out = pd.DataFrame({
        "village_code": np.repeat(villages.to_numpy(), len(ids)),
        "indicator_id": np.tile(ids, len(villages)),
        "direction": np.tile([config.directions[i] for i in ids], len(villages)),
        "value": 100.0 * p.ravel(), "need_value": need.ravel(),
        "weight": np.tile([weights[i] for i in ids], len(villages)),
        "weight_share": share.ravel(), "n_unweighted": n.ravel().astype(np.int64),
        "available": avail.ravel(),
    })
    out["flag"] = mics_flag(out["n_unweighted"])
    out["display"] = display_value(out["value"], out["flag"])
    out["config_version"] = config.version
    return out[COMPONENT_COLUMNS]
