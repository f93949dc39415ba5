"""The DuckDB aggregation used by the estimates stage equals the tested pandas engine."""

import duckdb
import numpy as np
import pandas as pd
import pytest

from parenting_assessment.estimates.sql_taylor import proportions, stratum_sums
from parenting_assessment.estimation import taylor_by


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(3)
    hh = pd.DataFrame({"psu": [f"h{i}" for i in range(300)]})
    hh["village_code"] = rng.choice(["v1", "v2", "v3", "v4"], len(hh))
    hh["stratum"] = hh["village_code"] + "|" + rng.choice(["pmi", "non_pmi"], len(hh))
    hh.loc[0, "stratum"] = "v9|pmi"          # a stratum with one PSU
    hh.loc[0, "village_code"] = "v9"
    sizes = hh.groupby("stratum")["psu"].transform("size")
    hh["w"] = rng.uniform(1, 9, len(hh)).round(2)
    kids = hh.loc[hh.index.repeat(rng.integers(0, 4, len(hh)))].reset_index(drop=True)
    rows = []
    for ind, share in (("a", 1.0), ("b", 0.4)):
        k = kids[rng.random(len(kids)) < share].copy()
        k["indicator_id"] = ind
        k["y"] = (rng.random(len(k)) < 0.3).astype(int)
        k["missing"] = (rng.random(len(k)) < 0.1).astype(int)
        k["sex"] = rng.choice(["male", "female"], len(k))
        rows.append(k)
    uv = pd.concat(rows, ignore_index=True).rename(columns={"w": "weight"})
    design = pd.DataFrame({"stratum": sizes.groupby(hh["stratum"]).first().index,
                           "n_psu": hh.groupby("stratum").size().to_numpy()})
    design["N_psu"] = np.where(design["stratum"].str.endswith("|pmi"), design["n_psu"] * 3,
                               np.nan)
    return uv, design


@pytest.mark.parametrize("key", [None, "sex"])
def test_sql_equals_taylor_by(data, key):
    uv, design = data
    con = duckdb.connect()
    con.execute("create schema indicators")
    con.register("_uv", uv)
    con.execute("create table indicators.unit_values as select * from _uv")
    area_of = uv.drop_duplicates("stratum").set_index("stratum")["village_code"]
    got = proportions(stratum_sums(con, key), design, area_of)
    domains = ["indicator_id", "village_code"] + ([key] if key else [])
    ref = taylor_by(uv, y="y", weight="weight", stratum="stratum", psu="psu", domains=domains,
                    design=design, stat="proportion")
    if key:
        ref = ref.rename(columns={key: "disagg_value"})
    else:
        ref["disagg_value"] = "total"
    m = got.merge(ref.rename(columns={"village_code": "area_code"}),
                  on=["indicator_id", "area_code", "disagg_value"], suffixes=("", "_ref"))
    assert len(m) == len(ref) == len(got)
    for col in ("estimate", "se", "ci_low", "ci_high", "df", "N_weighted"):
        assert np.allclose(m[col], m[f"{col}_ref"], atol=1e-12, equal_nan=True), col
    assert np.allclose(m["deff"], m["deff_ref"], rtol=1e-9, equal_nan=True)
    assert (m["n_unweighted"] == m["n_unweighted_ref"]).all()
    assert (m["single_psu_strata"] == m["single_psu_strata_ref"]).all()
    assert m.loc[m["area_code"] == "v9", "se"].eq(0).all()


def test_bincount_sums_equal_sql_sums(data):

    uv, _ = data
    _assert_fast_equals_sql(_con(uv), ("sex",))


def _con(uv):
    con = duckdb.connect()
    con.execute("create schema indicators")
    con.register("_uv", uv)
    con.execute("create table indicators.unit_values as select * from _uv")
    return con


def _assert_fast_equals_sql(con, keys):
    from parenting_assessment.estimates.fast_sums import all_stratum_sums

    fast = all_stratum_sums(con, keys)
    assert set(fast) == {"total", *keys}
    for key in ("total", *keys):
        slow = stratum_sums(con, None if key == "total" else key)
        m = fast[key].merge(slow, on=["indicator_id", "disagg_value", "stratum"],
                            suffixes=("", "_sql"))
        assert len(m) == len(slow) == len(fast[key])
        for col in ("w", "y", "yy", "yw", "ww", "n_unweighted", "n_pos", "wyy", "w_missing"):
            assert np.allclose(m[col], m[f"{col}_sql"], rtol=1e-12, atol=1e-9), (key, col)


def test_bincount_sums_with_partly_missing_keys_and_integer_psu(data):
    """A key absent for one indicator and missing for some units; PSU ids stored as integers."""
    uv = data[0].copy()
    rng = np.random.default_rng(5)
    uv["grp"] = np.where(uv["indicator_id"] == "a", rng.choice(["x", "y", "z"], len(uv)), None)
    uv.loc[rng.random(len(uv)) < 0.2, "grp"] = None
    uv.loc[uv.index[:5], "weight"] = 0.0
    uv["psu"] = uv["psu"].str[1:].astype(int)
    _assert_fast_equals_sql(_con(uv), ("sex", "grp"))


def test_hash_collisions_are_salted_away(data, monkeypatch):
    """Colliding hashes (forced: three values only) are detected and re-hashed with a salt."""
    from parenting_assessment.estimates import fast_sums

    original = fast_sums._hash_expr
    monkeypatch.setattr(fast_sums, "_hash_expr", lambda cols, salt: (
        f"({original(cols, salt)} % 3)" if salt == 0 else original(cols, salt)))
    _assert_fast_equals_sql(_con(data[0]), ("sex",))


def test_psu_in_two_strata_is_an_error(data):
    from parenting_assessment.estimates.fast_sums import all_stratum_sums

    uv = data[0].copy()
    psu = uv["psu"].value_counts().index[0]
    row = uv.index[uv["psu"] == psu][0]
    uv.loc[row, "stratum"] = next(s for s in uv["stratum"] if s != uv.loc[row, "stratum"])
    with pytest.raises(ValueError, match="several strata"):
        all_stratum_sums(_con(uv), ("sex",))
