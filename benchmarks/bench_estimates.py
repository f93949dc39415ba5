"""Estimates stage at national scale, next to a samplics loop on the same data.

Builds a national-scale ``indicators.unit_values`` table (400 villages, ~345,000 households,
~1.2 million persons; every catalogue indicator with a realistic universe size) directly in
DuckDB, runs the pipeline's estimates stage (every indicator × village/district/overall ×
every disaggregation), then times samplics' TaylorEstimator on a sample of the same cells and
extrapolates its time per cell to the whole stage. Prints both times, the ratio and the
maximum absolute difference on the cells both computed.

Run: ``.venv/bin/python benchmarks/bench_estimates.py [--samplics-cells 12]``.
"""

from __future__ import annotations

import argparse
import resource
import time
import warnings

import duckdb
import numpy as np
import pandas as pd

from parenting_assessment.estimates.run import DISAGG_KEYS, LEVELS, estimate_all
from parenting_assessment.indicators.catalogue import load_catalogue

VILLAGES, HOUSEHOLDS = 400, 345_000


def national_data(seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """unit_values, households (design) and a frame for 400 synthetic villages."""
    rng = np.random.default_rng(seed)
    village = rng.integers(0, VILLAGES, HOUSEHOLDS)
    stratum_type = np.where(rng.random(HOUSEHOLDS) < 0.4, "pmi", "non_pmi")
    codes = np.array([f"99.{1 + v // 40:02d}.01.{2001 + v:04d}" for v in range(VILLAGES)])
    districts = np.array([c[:5] for c in codes])
    hh = pd.DataFrame({"hh_id": np.arange(HOUSEHOLDS).astype(str), "village_code": codes[village],
                       "district_code": districts[village]})
    hh["stratum"] = hh["village_code"] + "|" + stratum_type
    n_h = hh.groupby("stratum")["hh_id"].transform("size")
    hh["fpc"] = (n_h * rng.uniform(1.2, 3.0, HOUSEHOLDS)).round().groupby(
        hh["stratum"]).transform("max")
    hh["hhweight"] = hh["fpc"] / n_h
    hh["psu"] = hh["hh_id"]
    hh["responded"] = True
    kids = rng.poisson(1.9, HOUSEHOLDS) + 1  # children 0-17; ~1.2M persons with adults
    child_hh = np.repeat(np.arange(HOUSEHOLDS), kids)
    n_child = len(child_hh)
    age = rng.integers(0, 18, n_child)
    base = hh.iloc[child_hh].reset_index(drop=True)
    attrs = pd.DataFrame({
        "sex": rng.choice(["male", "female"], n_child),
        "mig": rng.choice(["none", "father_abroad", "mother_abroad", "both_abroad", "unknown"],
                          n_child, p=[0.6, 0.15, 0.17, 0.05, 0.03]),
        "cg": rng.choice(["mother", "father", "grandparent", "other_relative"], n_child,
                         p=[0.6, 0.1, 0.2, 0.1]),
    })
    cat = load_catalogue()
    parts = []
    for ind in cat.indicators:
        if ind.unit == "household" or ind.unit == "caregiver":
            sel = rng.random(HOUSEHOLDS) < 0.35
            d = hh[sel][["hh_id", "stratum", "psu", "village_code", "district_code"]].copy()
            d["weight"] = hh.loc[sel, "hhweight"].to_numpy()
            keys = {}
            if ind.unit == "caregiver":
                keys = {"cg": rng.choice(["mother", "grandparent"], len(d)),
                        "cg_sex": rng.choice(["male", "female"], len(d)),
                        "cg_age": rng.choice(["<30", "30-44", "45-59", "60+"], len(d))}
            keys["hh_mig"] = rng.choice(["none", "mother_abroad", "father_abroad"], len(d))
        else:
            lo, hi = {"child": (0, 17), "under5": (0, 4), "child_5_17": (5, 17),
                      "child_module": (1, 14)}[ind.unit]
            keep = (age >= lo) & (age <= hi)
            if ind.unit == "child_5_17":
                keep &= rng.random(n_child) < 0.5
            d = base.loc[keep, ["hh_id", "stratum", "psu", "village_code", "district_code"]]
            d = d.copy()
            d["weight"] = base.loc[keep, "hhweight"].to_numpy()
            a = attrs[keep]
            keys = {k: a[k].to_numpy() for k in ("sex", "mig", "cg")}
            if ind.age is not None:
                bands = [f"{b0}-{b1}" for b0, b1 in ind.age.bands]
                keys["age"] = rng.choice(bands, len(d))
        d["indicator_id"] = ind.id
        d["y"] = (rng.random(len(d)) < rng.uniform(0.05, 0.9)).astype(np.int32)
        d["missing"] = (rng.random(len(d)) < 0.02).astype(np.int32)
        for k in DISAGG_KEYS:
            d[k] = keys[k] if (k in keys and k in ind.disaggregations) else None
        parts.append(d)
    uv = pd.concat(parts, ignore_index=True)
    frame = pd.DataFrame({"kode_kemendagri": codes, "desa": [f"Desa {i:03d}" for i in
                                                              range(VILLAGES)],
                          "kode_kabupaten": districts, "kabupaten": districts})
    return uv, hh, frame


def samplics_cell(uv: pd.DataFrame, design_hh: pd.DataFrame, indicator: str, level_col: str | None,
                  key: str) -> pd.DataFrame:
    """One (indicator, level, key) cell set with samplics, domain = area (× key)."""
    warnings.filterwarnings("ignore", message="samplics is archived", category=FutureWarning)
    from samplics import PopParam, SinglePSUEst, TaylorEstimator

    d = design_hh[["hh_id", "stratum", "psu", "hhweight", "village_code", "district_code",
                   "fpc"]].merge(uv[uv["indicator_id"] == indicator][["hh_id", "y", "weight"]
                                                                       + ([key] if key != "total"
                                                                          else [])],
                                 on="hh_id", how="left")
    area = d[level_col] if level_col else pd.Series("all", index=d.index)
    dom = area if key == "total" else area + "|" + d[key].astype(str)
    inside = d["y"].notna() & (dom.notna() if key == "total" else d[key].notna())
    y = d["y"].fillna(0.0).to_numpy()
    w = np.where(inside, d["weight"].fillna(0.0), 0.0)
    dom = np.where(inside, dom, "~outside")
    n_h = d.groupby("stratum")["psu"].nunique()
    fpc = (1 - n_h / d.groupby("stratum")["fpc"].first()).to_dict()
    est = TaylorEstimator(PopParam.prop)
    est.estimate(y=y, samp_weight=w, stratum=d["stratum"].to_numpy(), psu=d["psu"].to_numpy(),
                 domain=dom, fpc=fpc, single_psu=SinglePSUEst.skip, remove_nan=False)
    rows = [{"domain": k, "estimate": est.point_est[k][1] if isinstance(est.point_est[k], dict)
             else est.point_est[k], "se": est.stderror[k][1] if isinstance(est.stderror[k], dict)
             else est.stderror[k]} for k in est.point_est if k != "~outside"]
    return pd.DataFrame(rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samplics-cells", type=int, default=6)
    args = ap.parse_args()
    t0 = time.perf_counter()
    uv, hh, frame = national_data()
    print(f"data: {len(uv):,} unit-indicator rows, {len(hh):,} households, "
          f"{uv['indicator_id'].nunique()} indicators, built in {time.perf_counter() - t0:.1f} s")
    con = duckdb.connect()
    for s in ("core", "indicators", "estimates"):
        con.execute(f"create schema {s}")
    con.register("_uv", uv)
    con.execute("create table indicators.unit_values as select * from _uv")
    con.register("_hh", hh)
    con.execute("create table core.households as select * from _hh")
    cat = load_catalogue()
    times = []
    for _ in range(3):
        t1 = time.perf_counter()
        ours = estimate_all(con, cat, frame)
        times.append(time.perf_counter() - t1)
    ours_s = float(np.median(times))
    cells = ours[["indicator_id", "level", "disagg_key"]].drop_duplicates()
    print(f"ours: {len(ours):,} estimates in {ours_s:.1f} s (median of 3; "
          f"runs {', '.join(f'{t:.1f}' for t in times)}); {len(cells)} cell sets")

    rng = np.random.default_rng(0)
    pick = cells.sample(args.samplics_cells, random_state=rng.integers(1e9))
    level_cols = {"village": "village_code", "district": "district_code", "overall": None}
    t2 = time.perf_counter()
    max_diff = 0.0
    for r in pick.itertuples():
        theirs = samplics_cell(uv, hh, r.indicator_id, level_cols[r.level], r.disagg_key)
        mine = ours[(ours.indicator_id == r.indicator_id) & (ours.level == r.level)
                    & (ours.disagg_key == r.disagg_key) & (ours.n_unweighted > 0)].copy()
        mine["domain"] = mine["area_code"] if r.disagg_key == "total" else (
            mine["area_code"] + "|" + mine["disagg_value"])
        m = mine.merge(theirs, on="domain", suffixes=("", "_s"))
        assert len(m) == len(mine), (r, len(m), len(mine))
        max_diff = max(max_diff, float((m["estimate"] / 100 - m["estimate_s"]).abs().max()),
                       float((m["se"] / 100 - m["se_s"]).abs().max()))
    samplics_s = (time.perf_counter() - t2) / len(pick) * len(cells)
    print(f"samplics: {len(pick)} cell sets in {time.perf_counter() - t2:.1f} s → "
          f"{samplics_s:.0f} s extrapolated to all {len(cells)}")
    print(f"ratio samplics/ours: {samplics_s / ours_s:.0f}x; max |difference| "
          f"(proportion and SE) on compared cells: {max_diff:.2e}")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2:.2f} GiB")
    _ = LEVELS


if __name__ == "__main__":
    main()
