"""Estimates stage at national scale, next to samplics on the same data.

Builds a national-scale ``indicators.unit_values`` table (400 villages, ~345,000 households,
~1.2 million persons, ~17 million unit-indicator rows; every catalogue indicator with a
realistic universe size) in DuckDB (in memory by default, ``--db file`` for an on-disk database
as the pipeline's warehouse), runs the pipeline's estimates stage (every indicator ×
village/district/overall × every disaggregation) ``--runs`` times and prints the median, min and
max, with the load average.

samplics side. A samplics ``TaylorEstimator`` call estimates one domain variable; the fair loop
is one call per (indicator, level, disaggregation key) with ``domain=`` covering every area ×
category at once. samplics' cost is per domain: for each domain it loops over all ~800 strata
with a mask over all rows (~3–4 s per domain on 1 million rows), so the full loop (~167,000
domains) would take days. The benchmark therefore times a fixed-seed random sample:

* strata = level × disaggregation key (24 of them, so every level and every key is covered);
  in each, ``--samplics-calls`` (indicator, level, key) cell sets drawn at random, and in each
  of those up to ``--cells-per-call`` non-empty domains drawn at random;
* one samplics call per drawn cell set, its drawn domains labelled and every other row in one
  '~outside' domain (samplics computes each domain independently: the same numbers as in the
  full call, with the same n_h, fpc and degrees of freedom);
* samplics gets integer codes for stratum, PSU and domain: with string labels its ``np.unique``
  calls alone make each call ~7× slower, so codes are the fast (fair) way to call it.

Each call's time is split into its per-domain variance time (samplics' ``_taylor_variance``,
called once per domain, timed by a wrapper) and the rest (a fixed per-call cost). The full
samplics loop is extrapolated per row of input: Σ over all cell sets of rows × (fixed per row
+ variance per row per domain × (domains + 1 '~outside')). Also printed: the measured seconds per
sampled cell (whole call time / cells drawn, so it charges the fixed cost and the '~outside'
domain to the drawn cells) against ours per cell.

Compared on the drawn cells: estimate, SE and CI bounds (proportion scale; ours is in percent)
and the degrees of freedom. samplics' proportion interval is the logit interval (t quantile at
the design degrees of freedom, [p, p] for p = 0 or 1), which the stage publishes for district and
overall cells; village cells publish the Jeffreys interval on n/deff instead
(docs/statistics.md), so the CIs compared are the logit interval of our estimate and SE.

Run: ``.venv/bin/python benchmarks/bench_estimates.py [--db file] [--samplics-calls 2]``
(~15 minutes on 2 cores; ``--samplics-calls 0`` skips samplics).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
import warnings

import duckdb
import numpy as np
import pandas as pd

from parenting_assessment.estimates.run import DISAGG_KEYS, LEVELS, estimate_all
from parenting_assessment.estimation import intervals
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


def load(uv: pd.DataFrame, hh: pd.DataFrame, path: str | None) -> duckdb.DuckDBPyConnection:
    """DuckDB with ``indicators.unit_values`` and ``core.households``, in memory or in a file."""
    con = duckdb.connect(path or ":memory:")
    for s in ("core", "indicators", "estimates"):
        con.execute(f"create schema {s}")
    con.register("_uv", uv)
    con.execute("create table indicators.unit_values as select * from _uv")
    con.unregister("_uv")
    con.register("_hh", hh)
    con.execute("create table core.households as select * from _hh")
    con.unregister("_hh")
    return con


def load_avg() -> str:
    return "load avg " + " ".join(f"{x:.2f}" for x in os.getloadavg())


class Samplics:
    """samplics inputs for one indicator: all responding households × that indicator's units."""

    def __init__(self, con: duckdb.DuckDBPyConnection, hh: pd.DataFrame) -> None:
        self.con = con
        hh = hh[hh["responded"]].copy()
        hh["st_code"], strata = pd.factorize(hh["stratum"], sort=True)
        hh["psu_code"] = pd.factorize(hh["psu"])[0]
        n_h = hh.groupby("st_code")["psu_code"].nunique()
        # samplics' fpc is the variance multiplier 1 − n_h/N_h, keyed by the sorted strata
        self.fpc = (1 - n_h / hh.groupby("st_code")["fpc"].first()).to_dict()
        self.hh = hh[["hh_id", "st_code", "psu_code", "village_code", "district_code"]]
        self.cache: tuple[str, pd.DataFrame] | None = None

    def data(self, indicator: str) -> pd.DataFrame:
        if self.cache is None or self.cache[0] != indicator:
            cols = ", ".join(DISAGG_KEYS)
            uv = self.con.execute(f"select hh_id, y::double as y, weight, {cols} from "
                                  "indicators.unit_values where indicator_id = ?",
                                  [indicator]).df()
            # households without a unit stay in, weight 0: their PSUs count in n_h (as ours)
            d = self.hh.merge(uv, on="hh_id", how="left")
            d["overall"] = "all"
            self.cache = (indicator, d)
        return self.cache[1]

    def estimate(self, indicator: str, level: str, key: str,
                 domains: list[tuple[str, str]]) -> dict:
        """samplics on the drawn domains (area, category); every other row is '~outside'."""
        from samplics import PopParam, SinglePSUEst, TaylorEstimator

        d = self.data(indicator)
        area = d[LEVELS[level] or "overall"].to_numpy(dtype=object)
        value = (np.full(len(d), "total", dtype=object) if key == "total"
                 else d[key].to_numpy(dtype=object))
        inside = d["y"].notna().to_numpy()
        dom = np.full(len(d), -1, dtype=np.int64)
        for j, (a, v) in enumerate(domains):
            dom[inside & (area == a) & (value == v)] = j
        y = d["y"].fillna(0.0).to_numpy()
        w = d["weight"].fillna(0.0).to_numpy()
        est = TaylorEstimator(PopParam.prop)
        timer = _VarianceTimer()
        t0 = time.perf_counter()
        with timer, np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.estimate(y=y, samp_weight=w, stratum=d["st_code"].to_numpy(),
                         psu=d["psu_code"].to_numpy(), domain=dom, fpc=self.fpc,
                         single_psu=SinglePSUEst.skip, remove_nan=False)
        seconds = time.perf_counter() - t0
        rows = []
        for j, (a, v) in enumerate(domains):
            p, se = est.point_est[j], est.stderror[j]
            lo, hi = est.lower_ci[j], est.upper_ci[j]
            one = 1.0 if 1.0 in p else None  # y all 0 in the data: samplics has no category 1
            rows.append({"area_code": a, "disagg_value": v,
                         "estimate_s": p[one] if one else 0.0, "se_s": se[one if one else 0.0],
                         "ci_low_s": lo[one] if one else 0.0,
                         "ci_high_s": hi[one] if one else 0.0})
        return {"seconds": seconds, "variance_seconds": timer.seconds,
                "domains_computed": timer.calls, "rows": len(d), "df": est.degree_of_freedom,
                "result": pd.DataFrame(rows)}


class _VarianceTimer:
    """Times samplics' per-domain variance routine (one call per domain) while active."""

    def __init__(self) -> None:
        self.seconds, self.calls = 0.0, 0

    def __enter__(self) -> None:
        from samplics import TaylorEstimator

        self.original = TaylorEstimator._taylor_variance

        def timed(est, *args, **kwargs):
            t0 = time.perf_counter()
            try:
                return self.original(est, *args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - t0
                self.calls += 1

        TaylorEstimator._taylor_variance = timed

    def __exit__(self, *exc) -> None:
        from samplics import TaylorEstimator

        TaylorEstimator._taylor_variance = self.original


def draw_cells(ours: pd.DataFrame, seed: int, calls: int, per_call: int) -> list[tuple]:
    """Per (level, key): `calls` random cell sets, each with up to `per_call` random domains."""
    rng = np.random.default_rng(seed)
    cells = ours[ours["n_unweighted"] > 0]
    draws = []
    for level in LEVELS:
        for key in ("total", *DISAGG_KEYS):
            sets = cells[(cells["level"] == level) & (cells["disagg_key"] == key)]
            names = sorted(sets["indicator_id"].unique())
            for ind in rng.choice(names, size=min(calls, len(names)), replace=False):
                doms = sets[sets["indicator_id"] == ind][["area_code", "disagg_value"]]
                take = rng.choice(len(doms), size=min(per_call, len(doms)), replace=False)
                draws.append((str(ind), level, key,
                              [tuple(r) for r in doms.iloc[np.sort(take)].to_numpy()]))
    return draws


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=("memory", "file"), default="memory")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--samplics-calls", type=int, default=2,
                    help="random cell sets per (level, key) stratum; 0 skips samplics")
    ap.add_argument("--cells-per-call", type=int, default=3)
    ap.add_argument("--seed", type=int, default=20240501)
    args = ap.parse_args()
    warnings.filterwarnings("ignore", message="samplics is archived", category=FutureWarning)
    t0 = time.perf_counter()
    uv, hh, frame = national_data()
    print(f"data: {len(uv):,} unit-indicator rows, {len(hh):,} households, "
          f"{uv['indicator_id'].nunique()} indicators, built in {time.perf_counter() - t0:.1f} s")
    tmp = tempfile.mkdtemp(prefix="bench_estimates_") if args.db == "file" else None
    try:
        t0 = time.perf_counter()
        con = load(uv, hh, os.path.join(tmp, "warehouse.duckdb") if tmp else None)
        print(f"DuckDB ({args.db}) loaded in {time.perf_counter() - t0:.1f} s")
        del uv
        run(con, hh, frame, args)
        con.close()
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2:.2f} GiB")


def run(con: duckdb.DuckDBPyConnection, hh: pd.DataFrame, frame: pd.DataFrame,
        args: argparse.Namespace) -> None:
    cat = load_catalogue()
    times = []
    for i in range(args.runs):
        before = load_avg()
        t1 = time.perf_counter()
        ours = estimate_all(con, cat, frame)
        times.append(time.perf_counter() - t1)
        print(f"  stage run {i + 1}: {times[-1]:.1f} s ({before} before, {load_avg()} after)",
              flush=True)
    ours_s = float(np.median(times))
    cells = ours[ours["n_unweighted"] > 0]
    sets = cells.groupby(["indicator_id", "level", "disagg_key"]).size()
    print(f"ours: {len(ours):,} estimate rows ({len(cells):,} non-empty cells in {len(sets)} "
          f"cell sets); stage median {ours_s:.1f} s, min {min(times):.1f}, max {max(times):.1f} "
          f"over {len(times)} runs")
    if args.samplics_calls <= 0:
        return

    sam = Samplics(con, hh)
    draws = draw_cells(ours, args.seed, args.samplics_calls, args.cells_per_call)
    draws.sort(key=lambda d: d[0])  # one data preparation per indicator
    n_drawn = sum(len(d[3]) for d in draws)
    print(f"samplics: {n_drawn} cells drawn (seed {args.seed}) in {len(draws)} calls, one per "
          f"(indicator, level, key); {load_avg()}")
    diffs = {c: 0.0 for c in ("estimate", "se", "ci_low", "ci_high")}
    calls, df_equal = [], True
    t_all = time.perf_counter()
    for ind, level, key, domains in draws:
        r = sam.estimate(ind, level, key, domains)
        mine = ours[(ours["indicator_id"] == ind) & (ours["level"] == level)
                    & (ours["disagg_key"] == key)]
        m = r["result"].merge(mine, on=["area_code", "disagg_value"], how="left")
        assert len(m) == len(domains) and m["estimate"].notna().all(), (ind, level, key)
        # samplics gives the logit interval; the report's village cells publish the Jeffreys
        # interval on n/deff (docs/statistics.md), so compare like with like: the logit
        # interval of our estimate and SE (what every district and overall cell publishes).
        lo, hi, _ = intervals.logit_interval(
            m["estimate"].to_numpy() / 100, m["se"].to_numpy() / 100,
            intervals.t_quantile(0.95, float(m["df"].iloc[0])))
        m["ci_low"], m["ci_high"] = 100 * lo, 100 * hi
        for c in diffs:
            diffs[c] = max(diffs[c], float((m[c] / 100 - m[f"{c}_s"]).abs().max()))
        df_equal &= bool((m["df"] == r["df"]).all())
        calls.append({"rows": r["rows"], "drawn": len(domains), "seconds": r["seconds"],
                      "variance": r["variance_seconds"], "computed": r["domains_computed"]})
        print(f"  {ind} {level} {key}: {len(domains)} cells, {r['domains_computed']} domains "
              f"computed, {r['seconds']:.1f} s ({r['variance_seconds']:.1f} s variance); "
              f"{load_avg()}", flush=True)
    wall = time.perf_counter() - t_all
    c = pd.DataFrame(calls)
    measured = float(c["seconds"].sum())
    # per row of input: fixed cost of a call, and variance cost of one domain
    fixed_per_row = float((c["seconds"] - c["variance"]).sum() / c["rows"].sum())
    var_per_row = float(c["variance"].sum() / (c["rows"] * c["computed"]).sum())
    rows_of = {i: len(sam.hh) + int(n) - int(h) for i, n, h in con.execute(
        "select indicator_id, count(*), count(distinct hh_id) from indicators.unit_values "
        "group by 1").fetchall()}
    sets = sets.reset_index(name="domains")
    n_rows = sets["indicator_id"].map(rows_of).to_numpy(float)
    full = float((n_rows * (fixed_per_row + var_per_row * (sets["domains"] + 1))).sum())
    per_cell_measured = measured / n_drawn
    per_cell_ours = ours_s / len(cells)
    print(f"samplics measured: {measured:.1f} s in {len(c)} calls for {n_drawn} cells "
          f"({wall:.1f} s wall incl. data preparation); {per_cell_measured:.2f} s per drawn "
          f"cell (call time / cells drawn)")
    print(f"  of which per-domain variance {c['variance'].sum():.1f} s over "
          f"{int(c['computed'].sum())} domains computed ({int(c['computed'].sum()) - n_drawn} "
          f"'~outside'); fixed per call {(c['seconds'] - c['variance']).mean():.1f} s mean")
    print(f"samplics full loop, EXTRAPOLATED from those {n_drawn} cells / {len(c)} calls: "
          f"{full:,.0f} s ({full / 86400:.1f} days) for {len(cells):,} cells in {len(sets)} "
          f"calls [per cell set: rows × ({fixed_per_row * 1e6:.2f} µs fixed + "
          f"{var_per_row * 1e6:.2f} µs × (domains + 1))]")
    print(f"ratio samplics/ours: full loop {full / ours_s:,.0f}× (extrapolated / measured "
          f"median); per cell {per_cell_measured:.2f} s vs {per_cell_ours * 1e3:.3f} ms = "
          f"{per_cell_measured / per_cell_ours:,.0f}× (measured per drawn cell / ours per cell)")
    print("max |samplics − ours| on the drawn cells (proportion scale; CIs: logit): "
          + ", ".join(f"{k} {v:.2e}" for k, v in diffs.items())
          + f"; degrees of freedom equal: {df_equal}")


if __name__ == "__main__":
    main()
