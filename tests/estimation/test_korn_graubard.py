"""The Korn–Graubard interval option of `estimate()` against independent Clopper–Pearson code.

statsmodels' `proportion_confint(method="beta")` is the oracle: on a simple random sample the
effective sample size of the NCHS standard is known in closed form, so the survey interval must
equal a plain binomial Clopper–Pearson interval on that many trials.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import t as student_t
from statsmodels.stats.proportion import proportion_confint

from parenting_assessment import estimate


def srs(values: list[int], domain: list[str] | None = None) -> pd.DataFrame:
    return pd.DataFrame({"y": values, "w": 1.0, "d": domain or ["all"] * len(values)})


def test_srs_equals_clopper_pearson_on_n_minus_one_trials():
    # Weights 1, one stratum, every unit its own PSU, no fpc: the linearised variance is
    # p(1 − p)/(n − 1), so n_eff = n − 1 < n (no floor), and with df = n − 1 the degrees-of-
    # freedom ratio is 1. The interval is Clopper–Pearson with x = p(n − 1) on n − 1 trials.
    rng = np.random.default_rng(7)
    for n in (12, 40, 150):
        y = (rng.random(n) < 0.3).astype(int)
        y[:2] = [0, 1]  # neither 0 % nor 100 %
        got = estimate(srs(list(y)), "y", weight="w", stat="proportion",
                       ci_method="korn-graubard").iloc[0]
        p = y.mean()
        low, high = proportion_confint(p * (n - 1), n - 1, alpha=0.05, method="beta")
        assert got["estimate"] == pytest.approx(p, abs=1e-12)
        assert (got["ci_low"], got["ci_high"]) == pytest.approx((low, high), abs=1e-9)
        assert not got["ci_degenerate"]


def test_zero_proportion_gets_the_binomial_upper_bound_not_a_zero_width_interval():
    data = srs([0] * 20 + [1] * 10, ["a"] * 20 + ["b"] * 10)
    logit = estimate(data, "y", weight="w", by="d", stat="proportion").set_index("d")
    kg = estimate(data, "y", weight="w", by="d", stat="proportion",
                  ci_method="korn-graubard").set_index("d")
    assert (logit.loc["a", "ci_low"], logit.loc["a", "ci_high"]) == (0.0, 0.0)
    assert logit.loc["a", "ci_degenerate"]
    # p = 0: n_eff = n = 20 units (the df adjustment, (t_19/t_28)² > 1, is capped at n);
    # Clopper–Pearson upper bound 1 − (α/2)^(1/n), lower 0.
    assert kg.loc["a", "ci_low"] == 0.0
    assert kg.loc["a", "ci_high"] == pytest.approx(1 - 0.025 ** (1 / 20), abs=1e-12)
    assert kg.loc["b", "ci_high"] == 1.0
    assert kg.loc["b", "ci_low"] == pytest.approx(0.025 ** (1 / 10), abs=1e-12)
    assert not kg["ci_degenerate"].any()


def test_design_effect_below_one_is_floored_at_the_srs_interval_on_n_units():
    # The outcome is (almost) fixed by the stratum, so the stratified SE is far below the SRS
    # one (deff ≪ 1). NCHS sets n_eff = n then, and the degrees-of-freedom adjustment scales
    # it by (t_{n−1}/t_df)² with df = 60 PSUs − 2 strata: Clopper–Pearson on that many trials.
    strata = ["s1"] * 30 + ["s2"] * 30
    y = [1] * 29 + [0] + [0] * 30
    data = pd.DataFrame({"y": y, "st": strata, "w": [2.0] * 30 + [6.0] * 30})
    data["hh"] = np.arange(len(data))
    got = estimate(data, "y", weight="w", strata="st", psu="hh", stat="proportion",
                   ci_method="korn-graubard").iloc[0]
    assert got["deff"] < 1
    assert got["df"] == 58
    n_eff = 60 * (student_t.ppf(0.975, 59) / student_t.ppf(0.975, 58)) ** 2
    p = got["estimate"]
    low, high = proportion_confint(p * n_eff, n_eff, alpha=0.05, method="beta")
    assert (got["ci_low"], got["ci_high"]) == pytest.approx((low, high), abs=1e-9)
    # and it is wider than the logit interval built on the small SE
    logit = estimate(data, "y", weight="w", strata="st", psu="hh", stat="proportion").iloc[0]
    assert got["ci_high"] - got["ci_low"] > logit["ci_high"] - logit["ci_low"]


def test_estimates_and_ses_do_not_depend_on_the_interval_method():
    rng = np.random.default_rng(3)
    data = pd.DataFrame({"y": (rng.random(200) < 0.2).astype(float),
                         "st": rng.integers(0, 4, 200), "hh": rng.integers(0, 60, 200),
                         "w": rng.uniform(1, 9, 200), "d": rng.choice(list("xyz"), 200)})
    kw = dict(weight="w", strata="st", psu="hh", by="d", stat="proportion")
    a = estimate(data, "y", **kw)
    b = estimate(data, "y", ci_method="korn-graubard", **kw)
    cols = ["estimate", "se", "df", "deff", "n_unweighted", "N_weighted"]
    pd.testing.assert_frame_equal(a[["d", *cols]], b[["d", *cols]])
    assert ((b["ci_low"] <= b["estimate"]) & (b["estimate"] <= b["ci_high"])).all()


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"stat": "proportion", "ci_method": "wilson"}, "ci_method must be one of"),
    ({"stat": "mean", "ci_method": "korn-graubard"}, "applies to stat='proportion' only"),
])
def test_unknown_or_misapplied_interval_method_is_a_clear_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        estimate(srs([0, 1, 1]), "y", weight="w", **kwargs)
