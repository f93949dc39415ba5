"""Taylor-linearised proportions for many domains at once, aggregated inside DuckDB.

The same estimator as ``estimation.taylor_by`` (tested against R ``survey`` and samplics), but
the unit-level work happens in DuckDB and only per-stratum sums reach Python. For a ratio the
linearised value of PSU c is z_c = (Y_c − p̂ W_c) / W, so for every (domain, stratum)

    Σ_c z_c  = (Σ Y_c − p̂ Σ W_c) / W
    Σ_c z_c² = (Σ Y_c² − 2 p̂ Σ Y_c W_c + p̂² Σ W_c²) / W²

need only five PSU-level sums per (indicator, category, stratum). Strata are nested in
villages and districts, so one unit scan per disaggregation key serves all three area levels;
PSU ids are unique across strata (the household), so the scan groups by PSU alone.
A test checks equality with ``taylor_by`` on every cell.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from parenting_assessment.estimation import intervals

DOMAIN = ["indicator_id", "area_code", "disagg_value"]
SUMS = ["w", "y", "yy", "yw", "ww", "n_unweighted", "n_pos", "wyy", "w_missing"]

STRATUM_SUMS = """
with c as (
    select indicator_id, {value} as disagg_value, psu, any_value(stratum) as stratum,
           sum(weight) as wc, sum(weight * y) as yc, count(*) as nc,
           count(*) filter (where weight <> 0) as npos, sum(weight * y * y) as wyy,
           sum(weight * missing) as wm
    from indicators.unit_values where {where}
    group by indicator_id, disagg_value, psu
)
select indicator_id, disagg_value, stratum, sum(wc) as w, sum(yc) as y, sum(yc * yc) as yy,
       sum(yc * wc) as yw, sum(wc * wc) as ww, sum(nc) as n_unweighted, sum(npos) as n_pos,
       sum(wyy) as wyy, sum(wm) as w_missing
from c group by all
"""


def stratum_sums(con: duckdb.DuckDBPyConnection, key: str | None) -> pd.DataFrame:
    """PSU sums folded to (indicator, category of ``key``, stratum): one scan of the units."""
    value = "'total'" if key is None else f"{key}::varchar"
    where = "true" if key is None else f"{key} is not null"
    return con.execute(STRATUM_SUMS.format(value=value, where=where)).df()


def proportions(sums: pd.DataFrame, design: pd.DataFrame, area_of: pd.Series, *,
                level: float = 0.95) -> pd.DataFrame:
    """Every (indicator, area, category) domain from the stratum sums.

    ``design`` has stratum, n_psu (all sampled PSUs) and N_psu (NaN = no fpc); ``area_of``
    maps stratum → area code for the level being estimated.
    """
    s = sums.merge(design, on="stratum", how="left")
    s["area_code"] = s["stratum"].map(area_of)
    dom = s.groupby(DOMAIN, sort=False, observed=True)
    tot = dom[SUMS].sum()
    w_d = tot["w"].to_numpy(float)
    p_d = np.where(w_d > 0, tot["y"].to_numpy(float) / np.where(w_d > 0, w_d, 1), np.nan)
    idx = dom.ngroup().to_numpy()
    p, big_w = p_d[idx], w_d[idx]
    n_h = s["n_psu"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        sz = (s["y"] - p * s["w"]) / big_w
        szz = (s["yy"] - 2 * p * s["yw"] + p**2 * s["ww"]) / big_w**2
        fpc = np.where(s["N_psu"].notna(), 1 - n_h / s["N_psu"], 1.0)
        term = np.where(n_h > 1, fpc * n_h / (n_h - 1) * np.maximum(szz - sz**2 / n_h, 0), 0.0)
    variance = pd.Series(np.nan_to_num(term), index=s.index).groupby(idx).sum().to_numpy()
    single = pd.Series(n_h == 1, index=s.index).groupby(idx).sum().to_numpy()
    df = float(design["n_psu"].sum() - len(design))
    se = np.sqrt(variance)
    low, high, degenerate = intervals.logit_interval(p_d, se, intervals.t_quantile(level, df))
    n_pos = tot["n_pos"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        s2 = (tot["wyy"].to_numpy(float) - w_d * p_d**2) / w_d * n_pos / (n_pos - 1)
    res = tot.index.to_frame(index=False)
    res["estimate"], res["se"], res["ci_low"], res["ci_high"] = p_d, se, low, high
    res["df"] = df
    res["deff"] = intervals.design_effect(se**2, s2, n_pos, w_d, total=False)
    res["n_unweighted"] = tot["n_unweighted"].to_numpy().astype("int64")
    res["N_weighted"] = w_d
    with np.errstate(divide="ignore", invalid="ignore"):
        res["missing_pct"] = np.where(w_d > 0, 100 * tot["w_missing"].to_numpy(float) / w_d,
                                      np.nan)
    res["single_psu_strata"] = single.astype("int64")
    res["ci_degenerate"] = degenerate
    return res
