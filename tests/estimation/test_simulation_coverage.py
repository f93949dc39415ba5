"""Simulation study (slow; ``make test-all`` or ``pytest -m slow``): 200 samples from one
known population, drawn as the design says, estimated with the public ``estimate``.

The village intervals the report publishes (Jeffreys on n/deff with the district's design
effect) must cover the true village values 93–97 % of the time for every indicator; every
indicator must be unbiased to within ratio-estimator order 1/n; the SEs must equal the
empirical SDs. The logit interval of SAMPLING.md, kept for districts and overall, reaches
nominal coverage at village level only for the headline indicator: the rarer,
household-clustered ones undercover at the bundled design's takes (18 pmi + 12 non_pmi
households); the printed table documents it (benchmarks/simulation_coverage.py,
docs/statistics.md).
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))


@pytest.mark.slow
def test_intervals_cover_true_village_values():
    import simulation_coverage

    summary = simulation_coverage.run_study(reps=200).set_index("indicator_id")
    print(summary.to_string())
    assert (summary["intervals"] == 200 * 42).all()
    assert summary["coverage_jd_pct"].between(93.0, 97.0).all()
    assert 93.0 <= summary.loc["lb_parent_abroad", "coverage_pct"] <= 97.0
    assert (summary["mean_abs_bias_pp"] < 1.0).all()
    assert (summary["mean_bias_pp"].abs() < 0.5).all()
    # The variance estimator is right wherever a cell is published (n >= 25; MICS suppresses
    # smaller ones): its root-mean-square SE equals the replicates' empirical SD to within the
    # Monte Carlo error of 200 replicates, so what undercovers is the skewed sampling
    # distribution of rare, household-clustered outcomes, not the SE.
    published = summary[summary["mean_n"] >= 25]
    assert set(published.index) >= {"lb_parent_abroad", "care_grandparent_primary",
                                     "edu_school_attendance"}
    assert published["rms_se_over_sd"].between(0.93, 1.07).all()
    # The Korn–Graubard option (NCHS) keeps a binomial floor: it does not undercover badly for
    # any indicator (measured 92.8–99.9 %), at the price of being conservative where the
    # stratification makes the design effect truly small (lb_parent_abroad).
    assert (summary["coverage_kg_pct"] >= 92.0).all()
    assert (summary["coverage_kg_pct"] >= summary["coverage_pct"]).all()


@pytest.mark.slow
def test_coverage_approaches_nominal_as_village_samples_grow():
    import simulation_coverage

    base = simulation_coverage.run_study(reps=200).set_index("indicator_id")
    large = simulation_coverage.run_study(reps=200, take_factor=4).set_index("indicator_id")
    assert (large["coverage_pct"] > base["coverage_pct"]).loc[
        ["care_grandparent_primary", "ecd_books_3plus", "edu_school_attendance"]].all()
    assert large["coverage_pct"].between(90.0, 97.0).all()
    assert large["coverage_jd_pct"].between(93.0, 97.0).all()
