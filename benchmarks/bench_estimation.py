"""Timing of the Taylor engine on a survey-sized long table (not a test; run by hand).

PYTHONPATH=src .venv/bin/python benchmarks/bench_estimation.py
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from parenting_assessment.estimation import design_table, estimate, taylor_by


def make_data(n_rows: int = 1_200_000, n_strata: int = 200, n_domains: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    stratum = rng.integers(0, n_strata, n_rows)
    hh = rng.integers(0, 300, n_rows)  # household id, nested in stratum
    return pd.DataFrame(
        {
            "stratum": stratum,
            "hh": hh,
            "w": rng.uniform(5, 50, n_rows),
            "N_h": 1000,
            "domain": rng.integers(0, n_domains, n_rows),
            "y": rng.integers(0, 2, n_rows).astype(float),
        }
    )


def main() -> None:
    data = make_data()
    t0 = time.perf_counter()
    design = design_table(data, strata="stratum", psu="hh", fpc="N_h")
    t1 = time.perf_counter()
    out = taylor_by(
        data,
        y="y",
        weight="w",
        stratum="stratum",
        psu="hh",
        domains=["domain"],
        design=design,
        stat="proportion",
    )
    t2 = time.perf_counter()
    full = estimate(
        data,
        "y",
        weight="w",
        strata="stratum",
        psu="hh",
        fpc="N_h",
        by="domain",
        stat="proportion",
    )
    t3 = time.perf_counter()
    print(f"{len(data):,} rows, {len(out)} domains, {len(design)} strata")
    print(f"design_table {t1 - t0:.2f} s, taylor_by {t2 - t1:.2f} s, estimate() {t3 - t2:.2f} s")
    assert len(full) == len(out)


if __name__ == "__main__":
    main()
