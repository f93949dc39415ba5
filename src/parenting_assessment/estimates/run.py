"""Estimate every indicator × area level × disaggregation from ``indicators.unit_values``.

One vectorised Taylor call per (level, disaggregation key) covers all indicators and areas at
once; the household design (strata, n_h, fpc) is passed separately so that domains are never
estimated by subsetting.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from parenting_assessment.estimation import display_value, mics_flag, taylor_by
from parenting_assessment.indicators.catalogue import Catalogue
from parenting_assessment.indicators.engine import DISAGG_KEYS

LEVELS = {"village": "village_code", "district": "district_code", "overall": None}
ESTIMATE_COLUMNS = [
    "indicator_id", "mics6_code", "level", "area_code", "area_name", "disagg_key", "disagg_value",
    "estimate", "se", "ci_low", "ci_high", "df", "deff", "n_unweighted", "N_weighted",
    "missing_pct", "flag", "display", "single_psu_strata", "catalogue_version",
]


def household_design(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Strata of responding households: n_psu = r_h, N_psu = listed households (fpc)."""
    design = con.execute("""
        select stratum, count(*)::bigint as n_sampled, any_value(fpc)::double as n_population
        from core.households where responded group by stratum order by stratum""").df()
    # DuckDB names are case-insensitive, so n_psu / N_psu are named in pandas.
    return design.rename(columns={"n_sampled": "n_psu", "n_population": "N_psu"})


def _area_names(frame: pd.DataFrame) -> dict[str, str]:
    names = dict(zip(frame["kode_kemendagri"], frame["desa"], strict=True))
    names.update(dict(zip(frame["kode_kabupaten"], frame["kabupaten"], strict=False)))
    names["all"] = "Semua desa studi"
    return names


def estimate_all(con: duckdb.DuckDBPyConnection, cat: Catalogue,
                 frame: pd.DataFrame) -> pd.DataFrame:
    uv = con.execute("select * from indicators.unit_values").df()
    design = household_design(con)
    uv["wm"] = uv["weight"] * uv["missing"]
    parts = []
    for level, col in LEVELS.items():
        if col is None:
            uv["_all"] = "all"
            col = "_all"
        for key in ("total", *DISAGG_KEYS):
            data = uv if key == "total" else uv[uv[key].notna()]
            if data.empty:
                continue
            domains = ["indicator_id", col] + ([] if key == "total" else [key])
            est = taylor_by(data, y="y", weight="weight", stratum="stratum", psu="psu",
                            domains=domains, design=design, stat="proportion")
            miss = data.groupby(domains, observed=True)[["wm", "weight"]].sum()
            est = est.merge(miss.reset_index(), on=domains, how="left")
            est["missing_pct"] = 100 * est["wm"] / est["weight"].where(est["weight"] > 0)
            est = est.rename(columns={col: "area_code", key: "disagg_value"})
            est["level"], est["disagg_key"] = level, key
            if key == "total":
                est["disagg_value"] = "total"
            parts.append(est)
    out = pd.concat(parts, ignore_index=True)
    out = _complete_village_grid(out, cat, frame)
    for c in ("estimate", "se", "ci_low", "ci_high"):
        out[c] = 100 * out[c]
    names = _area_names(frame)
    out["area_name"] = out["area_code"].map(names)
    out["mics6_code"] = out["indicator_id"].map({i.id: i.mics6_code for i in cat.indicators})
    out["n_unweighted"] = out["n_unweighted"].fillna(0).astype("int64")
    out["N_weighted"] = out["N_weighted"].fillna(0.0)
    out["flag"] = mics_flag(out["n_unweighted"])
    out["display"] = display_value(out["estimate"], out["flag"])
    out["catalogue_version"] = cat.version
    if "single_psu_strata" not in out:
        out["single_psu_strata"] = 0
    order = {i.id: n for n, i in enumerate(cat.indicators)}
    out["_o"] = out["indicator_id"].map(order)
    lv = {k: n for n, k in enumerate(LEVELS)}
    out["_l"] = out["level"].map(lv)
    out = out.sort_values(["_o", "_l", "area_code", "disagg_key", "disagg_value"])
    return out[ESTIMATE_COLUMNS].reset_index(drop=True)


def _complete_village_grid(est: pd.DataFrame, cat: Catalogue, frame: pd.DataFrame) -> pd.DataFrame:
    """Every frame village gets a total row for every indicator, n = 0 ("-") if nobody."""
    grid = pd.MultiIndex.from_product(
        [[i.id for i in cat.indicators], frame["kode_kemendagri"].tolist()],
        names=["indicator_id", "area_code"]).to_frame(index=False)
    grid["level"], grid["disagg_key"], grid["disagg_value"] = "village", "total", "total"
    have = est[(est["level"] == "village") & (est["disagg_key"] == "total")]
    missing = grid.merge(have[["indicator_id", "area_code"]], how="left", indicator=True)
    missing = missing[missing["_merge"] == "left_only"].drop(columns="_merge")
    missing["n_unweighted"] = 0
    missing["N_weighted"] = 0.0
    for c in ("estimate", "se", "ci_low", "ci_high", "deff", "missing_pct"):
        missing[c] = np.nan
    return pd.concat([est, missing], ignore_index=True)
