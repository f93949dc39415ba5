"""Rank simulation and sensitivity, against hand-worked cases and closed-form probabilities."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from test_needs_index import DIRS, config, make_survey, village_estimates

from parenting_assessment.needs import (
    compute_needs_index,
    missing_bounds,
    needs_tables,
    rank_villages,
    sensitivity,
)


def index_frame(scores, ses, status=None) -> pd.DataFrame:
    n = len(scores)
    return pd.DataFrame({
        "village_code": [f"V{i + 1}" for i in range(n)], "index": scores, "se": ses,
        "status": status or ["ranked"] * n})


def test_hand_worked_three_villages_far_apart():
    out = rank_villages(index_frame([50.0, 80.0, 20.0], [1.0, 1.0, 1.0]),
                        config({"a": 1.0}, top_k=1, draws=2000, seed=1)).set_index(
        "village_code")
    assert list(out["rank"]) == [1, 2, 3] and list(out.index) == ["V2", "V1", "V3"]
    assert out.loc["V2", "p_top_k"] == 1.0 and out.loc["V1", "p_top_k"] == 0.0
    assert out.loc["V3", "p_top_k"] == 0.0
    for v, r in (("V2", 1), ("V1", 2), ("V3", 3)):
        assert out.loc[v, "rank_low"] == out.loc[v, "rank_high"] == out.loc[v, "rank_median"] == r
    assert list(out["in_top_k"]) == [True, False, False]


def test_two_overlapping_villages_match_closed_form():
    """P(A ranked 1st of two) = Φ((a − b)/√(se_a² + se_b²)); checked within 4 MC SEs."""
    a, b, sa, sb = 52.0, 50.0, 3.0, 4.0
    cfg = config({"a": 1.0}, top_k=1, draws=20000, seed=3)
    out = rank_villages(index_frame([a, b], [sa, sb]), cfg).set_index("village_code")
    p = norm.cdf((a - b) / np.hypot(sa, sb))
    mc = np.sqrt(p * (1 - p) / cfg.draws)
    assert out.loc["V1", "p_top_k"] == pytest.approx(p, abs=4 * mc)
    assert out.loc["V1", "p_top_k"] + out.loc["V2", "p_top_k"] == pytest.approx(1.0)
    assert out.loc["V1", "rank_low"] == 1 and out.loc["V1", "rank_high"] == 2


def test_seeded_simulation_is_deterministic():
    frame = index_frame([50.0, 51.0, 49.0, 40.0], [3.0, 3.0, 3.0, 3.0])
    one = rank_villages(frame, config({"a": 1.0}, top_k=2, seed=11))
    two = rank_villages(frame, config({"a": 1.0}, top_k=2, seed=11))
    pd.testing.assert_frame_equal(one, two)
    other = rank_villages(frame, config({"a": 1.0}, top_k=2, seed=12))
    assert not np.array_equal(one["p_top_k"], other["p_top_k"])


def test_census_and_unranked_villages():
    frame = index_frame([50.0, 50.0, 10.0, np.nan], [0.0, 5.0, 0.5, np.nan],
                        status=["ranked", "ranked", "ranked", "insufficient data"])
    out = rank_villages(frame, config({"a": 1.0}, top_k=1, seed=2)).set_index("village_code")
    # the census village's rank moves only because village 2 is uncertain
    assert out.loc["V1", "rank_low"] == 1 and out.loc["V1", "rank_high"] == 2
    assert out.loc["V1", "p_top_k"] == pytest.approx(0.5, abs=0.03)
    assert np.isnan(out.loc["V4", "rank"]) and not out.loc["V4", "in_top_k"]
    assert (out["n_ranked"] == 3).all()


def test_missing_bounds_bracket_and_hand_check():
    hh, uv, design = make_survey(21)
    est = village_estimates(uv, design)
    cfg = config({"a": 1.0, "b": 1.0}, min_n_component=1, draws=500,
                 alternative_weight_sets={"only_b": {"b": 1.0}})
    sens = sensitivity(uv, design, est, cfg)
    b = missing_bounds(sens).set_index("village_code")
    main = sens[sens["scenario"] == "main"].set_index("village_code")["index"].reindex(b.index)
    assert (b["index_low"] <= main).all() and (main <= b["index_high"]).all()
    assert (b["index_low"] < b["index_high"]).all()
    # by hand for V1: '+' a → max(y, missing) / y·(1 − missing); '−' b the other way round
    v = uv[uv["village_code"] == "V1"]

    def share(comp, values):
        m = v["indicator_id"] == comp
        return 100 * np.average(values[m], weights=v.loc[m, "weight"])

    hi = (share("a", np.maximum(v["y"], v["missing"]))
          + 100 - share("b", v["y"] * (1 - v["missing"]))) / 2
    lo = (share("a", v["y"] * (1 - v["missing"]))
          + 100 - share("b", np.maximum(v["y"], v["missing"]))) / 2
    assert b.loc["V1", "index_high"] == pytest.approx(hi, rel=1e-12)
    assert b.loc["V1", "index_low"] == pytest.approx(lo, rel=1e-12)


def test_bounds_collapse_without_missing_answers():
    hh, uv, design = make_survey(22)
    uv = uv.assign(missing=0)
    cfg = config({"a": 1.0, "c": 2.0}, min_n_component=1, draws=200)
    sens = sensitivity(uv, design, village_estimates(uv, design), cfg)
    b = missing_bounds(sens).set_index("village_code")
    main = sens[sens["scenario"] == "main"].set_index("village_code")["index"]
    np.testing.assert_allclose(b["index_low"], main.reindex(b.index))
    np.testing.assert_allclose(b["index_high"], main.reindex(b.index))


def test_weight_sets_rank_and_top_k_changes():
    hh, uv, design = make_survey(23, villages=("V1", "V2", "V3", "V4"))
    est = village_estimates(uv, design)
    cfg = config({"a": 1.0, "b": 1.0}, min_n_component=1, top_k=2, draws=500,
                 alternative_weight_sets={"same": {"a": 1.0, "b": 1.0}, "only_b": {"b": 1.0}})
    sens = sensitivity(uv, design, est, cfg)
    same = sens[sens["scenario"] == "weights:same"]
    assert (same["rank_change"] == 0).all() and (same["top_k_changed"] == 0).all()
    only_b = sens[sens["scenario"] == "weights:only_b"].set_index("village_code")
    need_b = 100 - est[est["indicator_id"] == "b"].set_index("area_code")["estimate"]
    expected = need_b.rank(ascending=False, method="min")
    np.testing.assert_array_equal(only_b["rank"], expected.reindex(only_b.index))
    main = sens[sens["scenario"] == "main"].set_index("village_code")
    changed = len(set(main.index[main["in_top_k"]]) - set(only_b.index[only_b["in_top_k"]]))
    assert (only_b["top_k_changed"] == changed).all()
    assert set(sens["kind"]) == {"main", "missing_bound", "weight_set"}


def test_needs_tables_from_a_warehouse():
    hh, uv, design = make_survey(24)
    con = duckdb.connect()
    for s in ("core", "indicators", "estimates"):
        con.execute(f"create schema {s}")
    households = hh.rename(columns={"N_h": "fpc"}).assign(responded=True)
    con.register("h", households)
    con.execute("create table core.households as select * from h")
    con.register("u", uv)
    con.execute("create table indicators.unit_values as select * from u")
    con.register("e", village_estimates(uv, design))
    con.execute("create table estimates.estimates as select * from e")
    cfg = config({"a": 1.0, "b": 2.0}, min_n_component=1, draws=300,
                 alternative_weight_sets={"eq": {"a": 1.0, "b": 1.0}})
    tables = needs_tables(con, cfg)
    idx = tables["needs_index"]
    direct = compute_needs_index(uv, design, village_estimates(uv, design), cfg)
    merged = idx.merge(direct, on="village_code", suffixes=("", "_d"))
    np.testing.assert_allclose(merged["index"], merged["index_d"])
    np.testing.assert_allclose(merged["se"], merged["se_d"])
    assert {"rank", "rank_low", "rank_high", "p_top_k", "index_low", "index_high"} <= set(idx)
    assert len(tables["needs_components"]) == 3 * 2
    assert set(tables["needs_sensitivity"]["scenario"]) == {
        "main", "missing_low", "missing_high", "weights:eq"}
    assert DIRS["b"] == "-"
