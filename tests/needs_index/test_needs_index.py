"""The needs index and its SE against independent computations.

Oracles: `taylor_by` / `estimate()` (tested against R survey) on single components or on a
unit-level combined variable, and `slow_index` below — a loop-by-loop transcription of
SAMPLING.md §3 for a linear combination, that never groups with pandas.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from parenting_assessment.estimation import estimate, taylor_by
from parenting_assessment.needs import NeedsConfig, compute_needs_index, needs_components

DIRS = {"a": "+", "b": "-", "c": "+"}


def make_survey(seed: int, villages=("V1", "V2", "V3"), census=(), n_h=(12, 9),
                base_p=0.35) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Households in (village, pmi|non_pmi) strata and three components with their own universes.

    a: children (every household 0–3 children, so some households have none), '+';
    b: a subset of children with varying weights (like fsweight), '−';
    c: one row per household with at least one child (household unit), '+'.
    """
    rng = np.random.default_rng(seed)
    hh_rows, units = [], []
    for v_i, v in enumerate(villages):
        for s, n in zip(("pmi", "non_pmi"), n_h, strict=True):
            big_n = n if v in census else int(n * rng.integers(3, 9))
            for j in range(n):
                hh_id = f"{v}-{s}-{j}"
                w = big_n / n
                hh_rows.append((hh_id, f"{v}|{s}", v, big_n, w))
                k = int(rng.integers(0, 4))
                p = base_p + 0.1 * v_i + (0.15 if s == "pmi" else 0.0)
                for _ in range(k):
                    units.append(("a", hh_id, w, int(rng.random() < p), int(rng.random() < .1)))
                    if rng.random() < 0.6:
                        units.append(("b", hh_id, w * int(rng.integers(1, 4)),
                                      int(rng.random() < 1 - p), int(rng.random() < .15)))
                if k:
                    units.append(("c", hh_id, w, int(rng.random() < p / 2), 0))
    hh = pd.DataFrame(hh_rows, columns=["hh_id", "stratum", "village_code", "N_h", "w"])
    uv = pd.DataFrame(units, columns=["indicator_id", "hh_id", "weight", "y", "missing"])
    uv = uv.merge(hh[["hh_id", "stratum", "village_code"]], on="hh_id")
    uv["psu"] = uv["hh_id"]
    uv["district_code"] = "D1"
    design = hh.groupby("stratum").agg(n_psu=("hh_id", "size"), N_psu=("N_h", "first"))
    design = design.reset_index()
    design["N_psu"] = design["N_psu"].astype(float)
    return hh, uv, design


def village_estimates(uv: pd.DataFrame, design: pd.DataFrame) -> pd.DataFrame:
    est = taylor_by(uv, y="y", weight="weight", stratum="stratum", psu="psu",
                    domains=["indicator_id", "village_code"], design=design, stat="proportion")
    est = est.rename(columns={"village_code": "area_code"})
    est["estimate"] *= 100
    est["se"] *= 100
    est["area_name"] = "Desa " + est["area_code"]
    est["level"], est["disagg_key"] = "village", "total"
    return est


def config(components: dict[str, float], **kw) -> NeedsConfig:
    return NeedsConfig(version="test-1", components=components, directions=DIRS, **kw)


def slow_index(uv: pd.DataFrame, hh: pd.DataFrame, village: str,
               weights: dict[str, float]) -> tuple[float, float]:
    """Index and SE of one village by plain loops over components, strata and households."""
    wsum_all = sum(weights.values())
    p, wtot = {}, {}
    for comp in weights:
        sw = swy = 0.0
        for r in uv.itertuples():
            if r.indicator_id == comp and r.village_code == village:
                sw += r.weight
                swy += r.weight * r.y
        p[comp], wtot[comp] = swy / sw, sw
    index = 0.0
    coef = {}
    for comp, w in weights.items():
        sign = 1.0 if DIRS[comp] == "+" else -1.0
        need = 100 * p[comp] if sign > 0 else 100 - 100 * p[comp]
        index += w * need / wsum_all
        coef[comp] = sign * 100 * w / wsum_all
    var = 0.0
    vh = hh[hh["village_code"] == village]
    for stratum in sorted(set(vh["stratum"])):
        members = vh[vh["stratum"] == stratum]
        z = []
        for h in members.itertuples():
            zh = 0.0
            for r in uv.itertuples():
                if r.hh_id == h.hh_id and r.indicator_id in weights:
                    zh += coef[r.indicator_id] * r.weight * (r.y - p[r.indicator_id]) \
                        / wtot[r.indicator_id]
            z.append(zh)
        n, big_n = len(z), float(members["N_h"].iloc[0])
        zbar = sum(z) / n
        var += (1 - n / big_n) * n / (n - 1) * sum((x - zbar) ** 2 for x in z)
    return index, math.sqrt(var)


@pytest.mark.parametrize("comp", ["a", "b"])
def test_single_component_se_equals_taylor_by(comp):
    hh, uv, design = make_survey(1)
    est = village_estimates(uv, design)
    idx = compute_needs_index(uv, design, est, config({comp: 1.0}, min_n_component=1))
    ref = est[est["indicator_id"] == comp].set_index("area_code")
    got = idx.set_index("village_code")
    expected = ref["estimate"] if DIRS[comp] == "+" else 100 - ref["estimate"]
    np.testing.assert_allclose(got["index"], expected.reindex(got.index), rtol=1e-12)
    np.testing.assert_allclose(got["se"], ref["se"].reindex(got.index), rtol=1e-10)
    assert (got["status"] == "ranked").all()


def test_two_components_same_units_equal_combined_variable():
    """Same universe: index = weighted mean of 100·(w1·y1 + w2·(1 − y2))/(w1 + w2) per unit."""
    hh, uv, design = make_survey(2)
    a = uv[uv["indicator_id"] == "a"].reset_index(drop=True)
    rng = np.random.default_rng(5)
    b = a.assign(indicator_id="b", y=(rng.random(len(a)) < 0.6).astype(int))
    both = pd.concat([a, b], ignore_index=True)
    w1, w2 = 2.0, 1.0
    combined = a[["hh_id", "stratum", "psu", "village_code", "weight"]].copy()
    combined["v"] = 100 * (w1 * a["y"] + w2 * (1 - b["y"])) / (w1 + w2)
    # households without units stay in the design (y missing): estimate() builds n_h from them
    empty = hh.loc[~hh["hh_id"].isin(a["hh_id"]), ["hh_id", "stratum", "village_code"]]
    empty = empty.assign(psu=empty["hh_id"], weight=1.0, v=np.nan)
    data = pd.concat([combined, empty], ignore_index=True)
    data["fpc"] = data["stratum"].map(design.set_index("stratum")["N_psu"])
    ref = estimate(data, "v", weight="weight", strata="stratum", psu="psu", fpc="fpc",
                   by="village_code").set_index("village_code")
    est = village_estimates(both, design)
    idx = compute_needs_index(both, design, est, config({"a": w1, "b": w2}, min_n_component=1))
    got = idx.set_index("village_code")
    np.testing.assert_allclose(got["index"], ref["estimate"].reindex(got.index), rtol=1e-12)
    np.testing.assert_allclose(got["se"], ref["se"].reindex(got.index), rtol=1e-10)


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_three_universes_match_slow_loop(seed):
    hh, uv, design = make_survey(seed)
    weights = {"a": 2.0, "b": 1.0, "c": 0.5}
    est = village_estimates(uv, design)
    idx = compute_needs_index(uv, design, est, config(weights, min_n_component=1))
    for r in idx.itertuples():
        index, se = slow_index(uv, hh, r.village_code, weights)
        assert r.index == pytest.approx(index, rel=1e-12)
        assert r.se == pytest.approx(se, rel=1e-10)


def test_domain_is_not_subsetting():
    """Households without units of any component still count in n_h (and the test notices)."""
    hh, uv, design = make_survey(6)
    est = village_estimates(uv, design)
    cfg = config({"b": 1.0}, min_n_component=1)
    right = compute_needs_index(uv, design, est, cfg)
    sub = design.copy()
    seen = uv[uv["indicator_id"] == "b"].groupby("stratum")["psu"].nunique()
    sub["n_psu"] = sub["stratum"].map(seen).astype(int)
    wrong = compute_needs_index(uv, sub, est, cfg)
    assert not np.allclose(right["se"], wrong["se"])


def test_min_n_exclude_and_renormalise():
    hh, uv, design = make_survey(7, n_h=(20, 15))
    # drop most 'b' units in V2 so that b has n < 25 there
    keep = ~((uv["indicator_id"] == "b") & (uv["village_code"] == "V2")) | (
        uv.groupby(["indicator_id", "village_code"]).cumcount() < 5)
    uv = uv[keep].reset_index(drop=True)
    est = village_estimates(uv, design)
    n = est.set_index(["indicator_id", "area_code"])["n_unweighted"]
    assert n[("b", "V2")] < 25 and min(n[("a", v)] for v in ("V1", "V2", "V3")) >= 25
    assert min(n[("b", v)] for v in ("V1", "V3")) >= 25

    ex = compute_needs_index(uv, design, est, config({"a": 1.0, "b": 3.0})).set_index(
        "village_code")
    assert ex.loc["V2", "status"] == "insufficient data"
    assert ex.loc["V2", "unavailable_components"] == "b"
    assert np.isnan(ex.loc["V2", "index"]) and np.isnan(ex.loc["V2", "se"])
    assert "insufficient data" in ex.loc["V2", "uncertainty_note"]
    assert (ex.loc[["V1", "V3"], "status"] == "ranked").all()

    rn = compute_needs_index(uv, design, est, config({"a": 1.0, "b": 3.0},
                                                     unavailable="renormalise"))
    rn = rn.set_index("village_code")
    only_a = est[(est["indicator_id"] == "a") & (est["area_code"] == "V2")].iloc[0]
    assert rn.loc["V2", "status"] == "ranked" and rn.loc["V2", "partial"]
    assert rn.loc["V2", "n_components"] == 1
    assert rn.loc["V2", "index"] == pytest.approx(only_a["estimate"], rel=1e-12)
    assert rn.loc["V2", "se"] == pytest.approx(only_a["se"], rel=1e-10)
    assert not rn.loc["V1", "partial"]
    assert rn.loc["V1", "index"] == pytest.approx(ex.loc["V1", "index"], rel=1e-12)


def test_census_village_has_zero_se_and_says_so():
    hh, uv, design = make_survey(8, census=("V2",))
    est = village_estimates(uv, design)
    idx = compute_needs_index(uv, design, est, config({"a": 1.0, "b": 1.0}, min_n_component=1))
    idx = idx.set_index("village_code")
    assert idx.loc["V2", "se"] == 0.0 and idx.loc["V2", "census"]
    assert idx.loc["V2", "ci_low"] == idx.loc["V2", "index"] == idx.loc["V2", "ci_high"]
    assert "other villages" in idx.loc["V2", "uncertainty_note"]
    assert (idx.loc[["V1", "V3"], "se"] > 0).all() and not idx.loc["V1", "census"]


def test_ci_uses_whole_design_df_and_names_are_carried():
    from scipy.stats import t as student_t

    hh, uv, design = make_survey(9)
    est = village_estimates(uv, design)
    idx = compute_needs_index(uv, design, est, config({"a": 1.0, "c": 1.0}, min_n_component=1))
    df = int(design["n_psu"].sum()) - len(design)
    t = student_t.ppf(0.975, df)
    assert (idx["df"] == df).all()
    np.testing.assert_allclose(idx["ci_high"] - idx["index"], t * idx["se"], rtol=1e-12)
    assert list(idx["village_name"]) == ["Desa V1", "Desa V2", "Desa V3"]
    assert (idx["config_version"] == "test-1").all()
    assert (idx["n_households"] == 21).all()


def test_component_profile_values_and_flags():
    hh, uv, design = make_survey(10)
    est = village_estimates(uv, design)
    comp = needs_components(uv, est, config({"a": 2.0, "b": 1.0}, min_n_component=1))
    ref = est.set_index(["area_code", "indicator_id"])
    for r in comp.itertuples():
        e = ref.loc[(r.village_code, r.indicator_id)]
        assert r.value == pytest.approx(e["estimate"], rel=1e-12)
        assert r.n_unweighted == e["n_unweighted"]
        need = r.value if r.direction == "+" else 100 - r.value
        assert r.need_value == pytest.approx(need)
        assert r.weight_share == pytest.approx(r.weight / 3.0)
    assert set(comp["flag"]) <= {"", "paren", "suppressed", "zero"}


def test_village_without_units_is_listed_as_insufficient():
    hh, uv, design = make_survey(11)
    est = village_estimates(uv, design)
    extra = est.iloc[[0]].assign(area_code="V9", area_name="Desa V9", n_unweighted=0)
    idx = compute_needs_index(uv, design, pd.concat([est, extra]), config({"a": 1.0}))
    row = idx.set_index("village_code").loc["V9"]
    assert row["status"] == "insufficient data" and row["unavailable_components"] == "a"
