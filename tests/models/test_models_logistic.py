"""Weighted logistic models against simulated truth, sm.Logit, and an explicit sandwich."""

from __future__ import annotations

import warnings

import duckdb
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.stats import norm

from parenting_assessment.models import fit_logistic, fit_models

TRUE = {"mig[father_abroad]": 0.5, "mig[mother_abroad]": 1.0, "mig[both_abroad]": 0.7,
        "cg[grandparent]": -0.4, "sex[female]": -0.3, "age[36-47]": 0.2, "age[48-59]": 0.4,
        "hh_size": 0.1}
BANDS = ("24-35", "36-47", "48-59")


def simulate(n_hh: int, seed: int, *, strata: int = 4, equal_weights: bool = False,
             cluster_sd: float = 0.0, unknown_share: float = 0.0) -> pd.DataFrame:
    """Children in households in strata; outcome from a logistic model with known log-ORs."""
    rng = np.random.default_rng(seed)
    hh_stratum = rng.integers(0, strata, n_hh)
    hh_size = rng.integers(2, 9, n_hh)
    hh_weight = np.ones(n_hh) if equal_weights else (1.0 + 2.5 * hh_stratum)
    hh_effect = rng.normal(0, cluster_sd, n_hh)
    hh_mig = rng.choice(["none", "father_abroad", "mother_abroad", "both_abroad"], n_hh,
                        p=[0.5, 0.25, 0.15, 0.10])
    kids = rng.integers(1, 4, n_hh)
    h = np.repeat(np.arange(n_hh), kids)
    n = len(h)
    mig = hh_mig[h].astype(object)
    mig[rng.random(n) < unknown_share] = "unknown"
    away_mother = np.isin(mig, ["mother_abroad", "both_abroad"])
    cg = np.where(away_mother, np.where(rng.random(n) < 0.8, "grandparent", "other_relative"),
                  np.where(rng.random(n) < 0.85, "mother", "grandparent"))
    sex = np.where(rng.random(n) < 0.5, "male", "female")
    age = rng.choice(BANDS, n)
    x = {"mig": mig, "cg": cg, "sex": sex, "age": age, "hh_size": hh_size[h]}
    eta = -0.6 + 0.3 * hh_stratum[h] + hh_effect[h]
    for lv in ("father_abroad", "mother_abroad", "both_abroad"):
        eta += TRUE[f"mig[{lv}]"] * (mig == lv)
    eta += TRUE["cg[grandparent]"] * (cg == "grandparent") + TRUE["sex[female]"] * (
        sex == "female") + TRUE["age[36-47]"] * (age == "36-47") + TRUE["age[48-59]"] * (
        age == "48-59") + TRUE["hh_size"] * (hh_size[h] - 4)
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    return pd.DataFrame({"y": y, "weight": hh_weight[h], "hh_id": [f"h{i}" for i in h],
                         "stratum": [f"s{k}" for k in hh_stratum[h]],
                         "village_code": [f"v{k}" for k in hh_stratum[h]], **x})


def by_term(out: pd.DataFrame) -> pd.DataFrame:
    return out.set_index("term")


def test_recovers_known_log_odds_ratios():
    df = simulate(7000, seed=1)
    out = by_term(fit_logistic(df, "sim"))
    assert out["converged"].all()
    for term, beta in TRUE.items():
        assert out.loc[term, "coef"] == pytest.approx(beta, abs=max(0.15, 4 * out.loc[term, "se"]))
    # other_relative stays its own category (enough units), mother is the reference
    assert "cg[other_relative]" in out.index and "cg[mother]" not in out.index
    assert out["n_fe_groups"].iat[0] == 4 and out["n_clusters"].iat[0] == 7000
    assert out["fixed_effects"].iat[0] == "village"


def _independent_x(df: pd.DataFrame, strata: bool) -> pd.DataFrame:
    x = pd.DataFrame({"const": 1.0}, index=df.index)
    for lv in ("father_abroad", "mother_abroad", "both_abroad"):
        x[f"mig[{lv}]"] = (df["mig"] == lv).astype(float)
    for lv in ("grandparent", "other_relative"):
        x[f"cg[{lv}]"] = (df["cg"] == lv).astype(float)
    x["sex[female]"] = (df["sex"] == "female").astype(float)
    for b in BANDS[1:]:
        x[f"age[{b}]"] = (df["age"] == b).astype(float)
    x["hh_size"] = df["hh_size"].astype(float)
    if strata:
        for s in sorted(df["stratum"].unique())[1:]:
            x[f"stratum[{s}]"] = (df["stratum"] == s).astype(float)
    return x


def test_equal_weights_no_strata_equals_unweighted_logit():
    df = simulate(800, seed=2, strata=1, equal_weights=True)
    out = by_term(fit_logistic(df, "sim"))
    x = _independent_x(df, strata=False)
    ref = sm.Logit(df["y"].astype(float), x).fit(disp=0).params
    for term in TRUE:
        assert out.loc[term, "coef"] == pytest.approx(ref[term], rel=1e-6, abs=1e-9)
    assert out["n_fe_groups"].iat[0] == 0 and out["fixed_effects"].iat[0] == "none"


def test_cluster_robust_se_equals_statsmodels_and_the_sandwich():
    df = simulate(600, seed=3, cluster_sd=0.8)
    out = by_term(fit_logistic(df, "sim"))
    x = _independent_x(df, strata=True)
    groups = pd.factorize(df["hh_id"])[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sm.GLM(df["y"].astype(float), x, family=sm.families.Binomial(),
                     var_weights=df["weight"]).fit(cov_type="cluster",
                                                   cov_kwds={"groups": groups})
    # the CRV1 sandwich written out: bread (X'WVX)^-1, meat Σ_g s_g s_g', G/(G−1)·(n−1)/(n−k)
    xm, w, y = x.to_numpy(), df["weight"].to_numpy(float), df["y"].to_numpy(float)
    mu = 1 / (1 + np.exp(-xm @ ref.params.to_numpy()))
    bread = np.linalg.inv((xm * (w * mu * (1 - mu))[:, None]).T @ xm)
    scores = pd.DataFrame(xm * (w * (y - mu))[:, None]).groupby(groups).sum().to_numpy()
    g, (n, k) = scores.shape[0], xm.shape
    sandwich = bread @ (scores.T @ scores) @ bread * g / (g - 1) * (n - 1) / (n - k)
    manual = pd.Series(np.sqrt(np.diag(sandwich)), index=x.columns)
    for term in TRUE:
        assert out.loc[term, "coef"] == pytest.approx(ref.params[term], rel=1e-8)
        assert out.loc[term, "se"] == pytest.approx(ref.bse[term], rel=1e-8)
        assert out.loc[term, "se"] == pytest.approx(manual[term], rel=1e-6)


def test_odds_ratio_interval_and_p_value_formulas():
    out = fit_logistic(simulate(500, seed=4), "sim")
    z = norm.ppf(0.975)
    np.testing.assert_allclose(out["odds_ratio"], np.exp(out["coef"]))
    np.testing.assert_allclose(out["ci_low"], np.exp(out["coef"] - z * out["se"]))
    np.testing.assert_allclose(out["ci_high"], np.exp(out["coef"] + z * out["se"]))
    np.testing.assert_allclose(out["p_value"], 2 * norm.sf(np.abs(out["coef"] / out["se"])))
    assert out.set_index("term").loc["mig[mother_abroad]", "term_label_en"].startswith("Mother")


def test_unknown_migration_rows_dropped_and_reported():
    df = simulate(400, seed=5, unknown_share=0.05)
    n_unknown = int((df["mig"] == "unknown").sum())
    out = fit_logistic(df, "sim")
    assert n_unknown > 0
    assert f"dropped {n_unknown} units with unknown parental migration status" in out["note"].iat[0]
    assert (out["n"] == len(df) - n_unknown).all()


def test_separation_and_flat_strata_are_notes_not_crashes():
    df = simulate(600, seed=6)
    df.loc[df["mig"] == "both_abroad", "y"] = 0
    df.loc[df["stratum"] == "s0", "y"] = 1
    out = by_term(fit_logistic(df, "sim"))
    note = out["note"].iat[0]
    assert "mig[both_abroad] not estimable" in note and "separation" in note
    assert "dropped 1 village group(s)" in note
    assert np.isnan(out.loc["mig[both_abroad]", "odds_ratio"])
    assert np.isfinite(out.loc["mig[mother_abroad]", "odds_ratio"])
    assert out["n_fe_groups"].iat[0] == 3


def test_no_events_gives_a_note():
    df = simulate(100, seed=7).assign(y=0)
    out = fit_logistic(df, "sim")
    assert not out["converged"].any() and out["odds_ratio"].isna().all()
    assert "does not vary" in out["note"].iat[0]


def test_sparse_caregiver_types_are_collapsed():
    df = simulate(500, seed=8)
    idx = df.index[:6]
    df.loc[idx, "cg"] = "non_relative"
    df.loc[df.index[6:9], "cg"] = "unknown"
    out = by_term(fit_logistic(df, "sim"))
    assert "cg[other]" in out.index and "cg[non_relative]" not in out.index
    assert "non_relative (6)" in out["note"].iat[0] and "unknown (3)" in out["note"].iat[0]


def _warehouse(df: pd.DataFrame, with_line: bool) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema indicators; create schema core")
    parts = []
    for oid in ("ecd_support_learning_any", "care_supervision_inadequate"):
        parts.append(df.assign(indicator_id=oid, psu=df["hh_id"], district_code="D", missing=0))
    uv = pd.concat(parts, ignore_index=True)
    uv["line"] = uv.groupby(["indicator_id", "hh_id"]).cumcount() + 1
    hh = uv.drop_duplicates("hh_id")[["hh_id", "hh_size"]]
    kids = uv.drop_duplicates(["hh_id", "line"])[["hh_id", "line"]].copy()
    kids["pcg_age_years"] = np.random.default_rng(0).integers(18, 75, len(kids))
    uv = uv.drop(columns=["hh_size"] + ([] if with_line else ["line"]))
    for name, frame in (("indicators.unit_values", uv), ("core.households", hh),
                        ("core.children", kids)):
        con.register("_t", frame)
        con.execute(f"create table {name} as select * from _t")
        con.unregister("_t")
    return con


@pytest.mark.parametrize("with_line", [False, True])
def test_fit_models_from_warehouse(with_line):
    df = simulate(500, seed=9)
    con = _warehouse(df, with_line)
    out = fit_models(con, ("ecd_support_learning_any", "care_supervision_inadequate"))
    assert set(out["model"]) == {"ecd_support_learning_any", "care_supervision_inadequate"}
    direct = by_term(fit_logistic(df, "x"))
    got = out[out["model"] == "ecd_support_learning_any"].set_index("term")
    if not with_line:
        np.testing.assert_allclose(got.loc[list(TRUE), "coef"], direct.loc[list(TRUE), "coef"])
    else:
        assert any(t.startswith("pcg_age[") for t in got.index)


def test_quasi_separation_after_fit_is_not_reported_as_an_estimate():
    """Small samples with many strata: a diverging log-OR becomes 'not estimable', not 1e12."""
    out = fit_logistic(simulate(40, seed=4, strata=6), "sim")
    note = out["note"].iat[0]
    assert "quasi-separation" in note and "few events per parameter" in note
    bad = out[~out["estimable"]]
    assert len(bad) and bad["odds_ratio"].isna().all()
    assert (out.loc[out["estimable"], "coef"].abs() <= 10).all()


def test_design_strata_defined_by_migration_absorb_the_exposure():
    """pmi/non_pmi strata are 'parent abroad or not': stratum FE leave mig vs none unidentified."""
    df = simulate(1500, seed=10, strata=3)
    df["stratum"] = df["village_code"] + np.where(df["mig"] == "none", "|non_pmi", "|pmi")
    by_stratum = by_term(fit_logistic(df, "sim", fixed_effects="stratum"))
    mig_terms = ["mig[father_abroad]", "mig[mother_abroad]", "mig[both_abroad]"]
    assert not by_stratum.loc[mig_terms, "estimable"].any()
    assert "not identified" in by_stratum["note"].iat[0]
    by_village = by_term(fit_logistic(df, "sim"))
    assert by_village.loc[mig_terms, "estimable"].all()
    for term in mig_terms:
        assert by_village.loc[term, "coef"] == pytest.approx(
            TRUE[term], abs=max(0.25, 4 * by_village.loc[term, "se"]))
