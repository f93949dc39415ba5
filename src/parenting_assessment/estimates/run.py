"""Estimate every indicator × area level × disaggregation from ``indicators.unit_values``.

Stratum-level sums for every indicator and disaggregation category come from one scan
(``fast_sums``); the estimator formulas live in ``sql_taylor.proportions``. The household
design (strata, n_h, fpc) is passed separately, so domains are never estimated by subsetting.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from parenting_assessment.estimates.fast_sums import all_stratum_sums
from parenting_assessment.estimates.sql_taylor import proportions
from parenting_assessment.estimation import display_value, intervals, mics_flag
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
    """Every indicator × level × disaggregation from one scan of the unit values."""
    design = household_design(con)
    areas = con.execute("""select distinct stratum, village_code, district_code
                           from core.households where responded""").df().set_index("stratum")
    area_of = {"village": areas["village_code"], "district": areas["district_code"],
               "overall": pd.Series("all", index=areas.index)}
    parts = []
    for key, sums in all_stratum_sums(con, DISAGG_KEYS).items():
        for level in LEVELS:
            est = proportions(sums, design, area_of[level])
            est["level"], est["disagg_key"] = level, key
            parts.append(est)
    out = pd.concat(parts, ignore_index=True)
    out = village_intervals(out, areas.drop_duplicates("village_code").set_index(
        "village_code")["district_code"])
    out = _complete_village_grid(out, cat, frame)
    for c in ("estimate", "se", "ci_low", "ci_high"):
        out[c] = 100 * out[c]
    names = _area_names(frame)
    out["area_name"] = out["area_code"].map(names)
    out["mics6_code"] = out["indicator_id"].map({i.id: i.mics6_code for i in cat.indicators})
    out["n_unweighted"] = out["n_unweighted"].fillna(0).astype("int64")
    out["N_weighted"] = out["N_weighted"].fillna(0.0)
    out["single_psu_strata"] = out["single_psu_strata"].fillna(0).astype("int64")
    out["flag"] = mics_flag(out["n_unweighted"])
    out["display"] = display_value(out["estimate"], out["flag"])
    out["catalogue_version"] = cat.version
    order = {i.id: n for n, i in enumerate(cat.indicators)}
    out["_o"] = out["indicator_id"].map(order)
    out["_l"] = out["level"].map({k: n for n, k in enumerate(LEVELS)})
    out = out.sort_values(["_o", "_l", "area_code", "disagg_key", "disagg_value"], kind="stable")
    return out[ESTIMATE_COLUMNS].reset_index(drop=True)


def village_intervals(est: pd.DataFrame, district_of: pd.Series,
                      level: float = 0.95) -> pd.DataFrame:
    """Village intervals: Jeffreys on n/deff, deff that of the same cell in the district.

    Why not the logit interval of SAMPLING.md here: a village sample holds a dozen `non_pmi`
    households, and for rare, household-clustered outcomes its own SE collapses in exactly the
    samples whose estimate is too low; the logit interval then covers the true village value
    75–83 % of the time, this one 95–97 % (docs/statistics.md, simulation study). District and
    overall cells keep the logit interval. Same as `estimate(..., ci_method="jeffreys",
    deff_by={"village_code": "district_code"})`, which the tests compare it with.
    """
    cell = ["indicator_id", "disagg_key", "disagg_value"]
    district = est[est["level"] == "district"]
    deff = district[cell + ["area_code"]].assign(deff_pool=intervals.srs_design_effect(
        district["estimate"], district["se"], district["n_unweighted"]))
    villages = est["level"] == "village"
    v = est.loc[villages, cell + ["area_code"]]
    v = v.assign(district=v["area_code"].map(district_of).to_numpy())
    pooled = v.merge(deff.rename(columns={"area_code": "district"}), on=cell + ["district"],
                     how="left")["deff_pool"].to_numpy()
    est = est.copy()
    low, high = intervals.jeffreys_interval(
        est.loc[villages, "estimate"], est.loc[villages, "n_unweighted"], pooled,
        float(est["df"].iloc[0]), level)
    est.loc[villages, "ci_low"], est.loc[villages, "ci_high"] = low, high
    est.loc[villages, "ci_degenerate"] = False
    return est


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
