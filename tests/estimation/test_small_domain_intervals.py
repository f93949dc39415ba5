"""The Korn–Graubard and Jeffreys interval options of `estimate()` against independent code.

statsmodels' `proportion_confint` (methods "beta" and "jeffreys") is the oracle: on a simple
random sample the effective sample size is known in closed form, so the survey interval must
equal the plain binomial interval on that many trials; with `deff_by`, the design effect is
recomputed here from the district estimate's SE.
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


def test_jeffreys_on_srs_equals_the_binomial_jeffreys_interval_on_n_minus_one_trials():
    # Same closed form as above: own design effect n/(n − 1), so n_eff = n − 1 and df = n − 1.
    rng = np.random.default_rng(11)
    for n in (15, 60, 240):
        y = (rng.random(n) < 0.25).astype(int)
        y[:2] = [0, 1]
        got = estimate(srs(list(y)), "y", weight="w", stat="proportion",
                       ci_method="jeffreys").iloc[0]
        low, high = proportion_confint(y.mean() * (n - 1), n - 1, alpha=0.05, method="jeffreys")
        assert (got["ci_low"], got["ci_high"]) == pytest.approx((low, high), abs=1e-9)


def villages_in_districts(seed: int) -> pd.DataFrame:
    """Two districts × four villages × two strata of households with 1–4 children each."""
    rng = np.random.default_rng(seed)
    rows = []
    for d in ("D1", "D2"):
        for v in range(4):
            for s, (n_hh, listed, rate) in {"pmi": (8, 40, 0.5), "non": (6, 150, 0.1)}.items():
                for hh in range(n_hh):
                    positive = rng.random() < rate  # the outcome is shared by the household
                    for _ in range(rng.integers(1, 5)):
                        rows.append((d, f"{d}v{v}", f"{d}v{v}{s}", f"{d}v{v}{s}{hh}",
                                     listed / n_hh, listed, int(positive)))
    return pd.DataFrame(rows, columns=["district", "village", "stratum", "hh", "w", "N", "y"])


def test_deff_by_uses_the_district_design_effect_for_every_village_of_the_district():
    data = villages_in_districts(5)
    kw = dict(weight="w", strata="stratum", psu="hh", fpc="N", stat="proportion")
    got = estimate(data, "y", by="village", ci_method="jeffreys",
                   deff_by={"village": "district"}, **kw)
    district = estimate(data, "y", by="district", **kw).set_index("district")
    for _, v in got.iterrows():
        d = district.loc[v["village"][:2]]
        deff = d["se"] ** 2 * d["n_unweighted"] / (d["estimate"] * (1 - d["estimate"]))
        n = v["n_unweighted"]
        ratio = (student_t.ppf(0.975, n - 1) / student_t.ppf(0.975, v["df"])) ** 2
        n_star = n / deff * min(1.0, ratio)  # a small domain gains no cases from the df
        low, high = proportion_confint(v["estimate"] * n_star, n_star, method="jeffreys")
        if v["estimate"] == 0:
            low = 0.0
        assert (v["ci_low"], v["ci_high"]) == pytest.approx((low, high), abs=1e-9)
    # estimates and SEs are those of the default call
    plain = estimate(data, "y", by="village", **kw)
    assert np.allclose(got[["estimate", "se"]], plain[["estimate", "se"]], equal_nan=True)


def test_deff_by_must_map_a_by_column_to_a_coarser_one_and_needs_jeffreys():
    data = villages_in_districts(6)
    kw = dict(weight="w", strata="stratum", psu="hh", stat="proportion")
    with pytest.raises(ValueError, match="must be constant within each value of 'district'"):
        estimate(data, "y", by="district", ci_method="jeffreys",
                 deff_by={"district": "village"}, **kw)
    with pytest.raises(ValueError, match="must map one `by` column to a coarser column"):
        estimate(data, "y", by="village", ci_method="jeffreys", deff_by="district", **kw)
    with pytest.raises(ValueError, match="applies to ci_method='jeffreys' only"):
        estimate(data, "y", by="village", deff_by={"village": "district"}, **kw)


def test_jeffreys_of_a_tiny_domain_is_never_narrower_than_the_binomial_one():
    # 3 units with deff 1 in a design with 700 df: (t_2/t_700)² > 1 must not add cases.
    from parenting_assessment.estimation.intervals import jeffreys_interval

    low, high = jeffreys_interval([1 / 3], [3], [1.0], 700, 0.95)
    ref = proportion_confint(1, 3, alpha=0.05, method="jeffreys")
    assert (low[0], high[0]) == pytest.approx(ref, abs=1e-12)


def test_deff_by_keeps_the_other_by_columns_for_a_village_by_sex_cell():
    data = villages_in_districts(9)
    data["sex"] = np.where(np.arange(len(data)) % 3 == 0, "f", "m")
    kw = dict(weight="w", strata="stratum", psu="hh", fpc="N", stat="proportion")
    got = estimate(data, "y", by=["village", "sex"], ci_method="jeffreys",
                   deff_by={"village": "district"},
                   **kw)
    cells = estimate(data, "y", by=["district", "sex"], **kw).set_index(["district", "sex"])
    for _, v in got.iterrows():
        d = cells.loc[(v["village"][:2], v["sex"])]
        deff = d["se"] ** 2 * d["n_unweighted"] / (d["estimate"] * (1 - d["estimate"]))
        n = v["n_unweighted"]
        ratio = (student_t.ppf(0.975, n - 1) / student_t.ppf(0.975, v["df"])) ** 2
        n_star = n / deff * min(1.0, ratio)
        low, high = proportion_confint(v["estimate"] * n_star, n_star, method="jeffreys")
        if v["estimate"] == 0:
            low = 0.0
        if v["estimate"] == 1:
            high = 1.0
        assert (v["ci_low"], v["ci_high"]) == pytest.approx((low, high), abs=1e-9)
