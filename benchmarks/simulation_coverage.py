"""Simulation study: do the 95% intervals cover the true village values 95% of the time?

One synthetic population (known truth) is built from the bundled frame; ``--reps`` samples
are drawn from it exactly as the design says (stratified SRS of households per village ×
pmi/non_pmi stratum, household non-response, module non-response); each sample is weighted
(N_h / r_h) and estimated with ``parenting_assessment.estimate`` (Taylor linearisation, fpc,
logit intervals). The script prints, per indicator, the share of village intervals that cover
the truth, the mean bias and its standardised value, and ``rms_se_over_sd``: the root mean
square of the estimated SEs over the empirical SD of the estimates across replicates, per
village, averaged. That ratio separates the two reasons an interval can undercover: a variance
estimator that is too small (ratio below 1) or a sampling distribution too skewed for a
symmetric-on-the-logit-scale interval (ratio about 1 but coverage low). ``coverage_kg_pct`` is
the coverage of the Korn–Graubard interval (NCHS standard for proportions, the
``ci_method="korn-graubard"`` option) computed from the same estimates and SEs;
``coverage_jd_pct`` that of the Jeffreys interval on n/deff with the design effect of the
village's district (``ci_method="jeffreys", deff_by={"village": "district"}``).

``--take-factor`` multiplies every stratum's sample take (capped at the listing count), to show
how coverage approaches 95 % as the village samples grow.

Run: ``.venv/bin/python benchmarks/simulation_coverage.py --reps 200 [--take-factor 4]``
(one to three minutes).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from parenting_assessment import estimate
from parenting_assessment.estimation.intervals import korn_graubard_interval
from parenting_assessment.synth import answers
from parenting_assessment.synth.caregivers import caregivers
from parenting_assessment.synth.frame import read_frame
from parenting_assessment.synth.generate import stage_rngs
from parenting_assessment.synth.population import build_population
from parenting_assessment.synth.sampling import draw_sample
from parenting_assessment.synth.truth import compute_truth

ROOT = Path(__file__).resolve().parents[1]

# indicator id -> (population table, universe, numerator), following INDICATORS.md.
INDICATORS = {
    "lb_parent_abroad": ("persons", lambda d: d["HL6"] <= 17,
                         lambda d: (d["HL15"].astype(str) == "1") | (d["HL19"].astype(str) == "1")),
    "care_grandparent_primary": ("persons", lambda d: d["HL6"] <= 17,
                                 lambda d: d["pcg_rel"].astype(str).isin(["3", "4"])),
    "edu_school_attendance": ("persons", lambda d: d["HL6"].between(7, 17),
                              lambda d: d["sch_attend"].astype(str) == "1"),
    "ecd_books_3plus": ("u5", lambda d: d["cage"].between(0, 59),
                        lambda d: pd.to_numeric(d["EC1"], errors="coerce").between(3, 10)),
}


def build(seed: int) -> tuple[pd.DataFrame, object, pd.DataFrame]:
    frame = read_frame(ROOT / "data" / "frame" / "frame.csv")
    rngs = stage_rngs(seed)
    pop = build_population(frame, rngs["population"])
    pop.u5 = answers.under5(pop, rngs["answers"])
    pop.fs = answers.five_to_17(pop, rngs["answers"])
    pop.caregivers = caregivers(pop, rngs["answers"])
    return frame, pop, compute_truth(pop, frame)


def one_replicate(frame: pd.DataFrame, pop, rng: np.random.Generator) -> pd.DataFrame:
    sample = draw_sample(pop, frame, rng)
    hh = sample.households[sample.households["responded"]].copy()
    listed = np.where(hh["stratum"] == "pmi", frame["n_listed_pmi"].to_numpy()[hh["village"]],
                      frame["n_listed_non_pmi"].to_numpy()[hh["village"]])
    hh["N_h"] = listed
    hh["stratum_id"] = hh["kode_kemendagri"] + "|" + hh["stratum"]
    hh["w"] = hh["N_h"] / hh.groupby("stratum_id")["hh"].transform("size")
    completed = sample.child_modules[(sample.child_modules["ch_type"] == 1)
                                     & (sample.child_modules["result"] == 1)]
    tables = {"persons": pop.persons, "u5": pop.u5.merge(completed[["hh", "line"]])}
    out = []
    for ind, (table, universe, numerator) in INDICATORS.items():
        d = tables[table]
        d = d[d["hh"].isin(hh["hh"]) & universe(d)].copy()
        d["y"] = numerator(d).astype(float)
        d = d.merge(hh[["hh", "kode_kemendagri", "stratum_id", "N_h", "w"]], on="hh")
        # Every responding household stays in the design (domain estimation, no subsetting).
        full = hh[["hh", "kode_kemendagri", "stratum_id", "N_h", "w"]].merge(
            d[["hh", "y"]], on="hh", how="left")
        full["village"] = full["kode_kemendagri"].where(full["y"].notna())
        est = estimate(full, "y", weight="w", strata="stratum_id", psu="hh", fpc="N_h",
                       by="village", stat="proportion")
        est["kg_low"], est["kg_high"] = korn_graubard_interval(
            est["estimate"], est["se"], est["n_unweighted"], float(est["df"].iloc[0]), 0.95)
        full["district"] = full["kode_kemendagri"].str[:5]
        pooled = estimate(full, "y", weight="w", strata="stratum_id", psu="hh", fpc="N_h",
                          by="village", stat="proportion", ci_method="jeffreys",
                          deff_by={"village": "district"})
        assert (pooled["village"].to_numpy() == est["village"].to_numpy()).all()
        est["jd_low"], est["jd_high"] = pooled["ci_low"], pooled["ci_high"]
        est["indicator_id"] = ind
        out.append(est.rename(columns={"village": "kode_kemendagri"}))
    return pd.concat(out, ignore_index=True)


def scale_takes(frame: pd.DataFrame, factor: float) -> pd.DataFrame:
    """The frame with every stratum's target multiplied by ``factor`` (at most a census)."""
    out = frame.copy()
    for s in ("pmi", "non_pmi"):
        scaled = (out[f"target_{s}"] * factor).round().astype(int)
        out[f"target_{s}"] = np.minimum(scaled, out[f"n_listed_{s}"])
    return out


def run_study(reps: int, seed: int = 20261127, take_factor: float = 1.0) -> pd.DataFrame:
    frame, pop, truth = build(seed)
    frame = scale_takes(frame, take_factor)
    rng = np.random.default_rng(seed + 1)
    results = pd.concat([one_replicate(frame, pop, rng).assign(rep=r) for r in range(reps)])
    t = truth.rename(columns={"value": "truth"})[["kode_kemendagri", "indicator_id", "truth"]]
    res = results.merge(t, on=["kode_kemendagri", "indicator_id"])
    res["estimate"] *= 100
    res["covered"] = (100 * res["ci_low"] <= res["truth"]) & (res["truth"] <= 100 * res["ci_high"])
    res["covered_kg"] = (100 * res["kg_low"] <= res["truth"]) & (
        res["truth"] <= 100 * res["kg_high"])
    res["covered_jd"] = (100 * res["jd_low"] <= res["truth"]) & (
        res["truth"] <= 100 * res["jd_high"])
    res["se2"] = (100 * res["se"]) ** 2
    by_village = res.groupby(["indicator_id", "kode_kemendagri"]).agg(
        mean_est=("estimate", "mean"), sd=("estimate", "std"), truth=("truth", "first"),
        n=("estimate", "size"), mean_se2=("se2", "mean"), n_units=("n_unweighted", "mean"))
    by_village["z"] = (by_village["mean_est"] - by_village["truth"]) / (
        by_village["sd"] / np.sqrt(by_village["n"]))
    summary = res.groupby("indicator_id").agg(intervals=("covered", "size"),
                                              coverage_pct=("covered", "mean"),
                                              coverage_kg_pct=("covered_kg", "mean"),
                                              coverage_jd_pct=("covered_jd", "mean"))
    summary[["coverage_pct", "coverage_kg_pct", "coverage_jd_pct"]] *= 100
    bias = (by_village["mean_est"] - by_village["truth"]).groupby("indicator_id")
    summary["mean_bias_pp"] = bias.mean()
    summary["mean_abs_bias_pp"] = bias.apply(lambda s: s.abs().mean())
    summary["mean_z"] = by_village["z"].groupby("indicator_id").mean()
    ratio = np.sqrt(by_village["mean_se2"]) / by_village["sd"]
    summary["rms_se_over_sd"] = ratio.groupby("indicator_id").mean()
    summary["mean_n"] = by_village["n_units"].groupby("indicator_id").mean()
    summary["villages"] = by_village.groupby("indicator_id").size()
    summary["reps"] = reps
    return summary.reset_index()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--seed", type=int, default=20261127)
    ap.add_argument("--take-factor", type=float, default=1.0)
    args = ap.parse_args()
    t0 = time.perf_counter()
    summary = run_study(args.reps, args.seed, args.take_factor)
    pd.set_option("display.width", 120)
    print(summary.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    print(f"\n{args.reps} replicate samples (take factor {args.take_factor:g}) in "
          f"{time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
