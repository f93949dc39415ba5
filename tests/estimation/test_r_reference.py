"""Golden numbers from R `survey` (and Stata) at print precision.

Every expected value below is copied from published R/Stata output, named in the test docstring:
cran/survey `tests/testoutput/api.Rout.saved`, `tests/testoutput/fpc.Rout.save`,
`tests/domain.Rout.save`, `tests/deff.Rout.save`, and the NHANES II example of samplics/Stata.
Tolerances are half a unit of the last printed digit.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from parenting_assessment.estimation import estimate

API_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "api"


def load_api(name: str) -> pd.DataFrame:
    """Read one API sample from the repository fixtures; skip cleanly when they are absent."""
    path = API_DIR / f"{name}.csv"
    if not path.is_file():
        pytest.skip(f"API fixture {path} not available")
    return pd.read_csv(path)


def only(frame: pd.DataFrame) -> pd.Series:
    assert len(frame) == 1
    return frame.iloc[0]


# --- California API data ------------------------------------------------------------------------


def test_apistrat_mean_api00() -> None:
    """R: dstrat <- svydesign(id=~1, strata=~stype, weights=~pw, data=apistrat, fpc=~fpc)
    svymean(~api00, dstrat) -> mean 662.29, SE 9.4089."""
    r = only(estimate(load_api("apistrat"), "api00", weight="pw", strata="stype", fpc="fpc"))
    assert r["estimate"] == pytest.approx(662.29, abs=5e-3)
    assert r["se"] == pytest.approx(9.4089, abs=5e-5)
    assert r["df"] == 200 - 3


def test_apistrat_total_enroll() -> None:
    """R: svytotal(~enroll, dstrat, na.rm=TRUE) -> total 3687178, SE 114642."""
    r = only(
        estimate(
            load_api("apistrat"), "enroll", weight="pw", strata="stype", fpc="fpc", stat="total"
        )
    )
    assert r["estimate"] == pytest.approx(3687178, abs=0.5)
    assert r["se"] == pytest.approx(114642, abs=0.5)


def test_apiclus1_mean_api00() -> None:
    """R: dclus1 <- svydesign(id=~dnum, weights=~pw, data=apiclus1, fpc=~fpc)
    svymean(~api00, dclus1) -> mean 644.17, SE 23.542 (15 clusters, so df = 14)."""
    r = only(estimate(load_api("apiclus1"), "api00", weight="pw", psu="dnum", fpc="fpc"))
    assert r["estimate"] == pytest.approx(644.17, abs=5e-3)
    assert r["se"] == pytest.approx(23.542, abs=5e-4)
    assert r["df"] == 14


def test_apiclus1_total_enroll() -> None:
    """R: svytotal(~enroll, dclus1, na.rm=TRUE) -> total 3404940, SE 932235."""
    r = only(
        estimate(load_api("apiclus1"), "enroll", weight="pw", psu="dnum", fpc="fpc", stat="total")
    )
    assert r["estimate"] == pytest.approx(3404940, abs=0.5)
    assert r["se"] == pytest.approx(932235, abs=0.5)


def test_duckdb_relation_input() -> None:
    """Same R call as test_apistrat_mean_api00, with the data handed over as a DuckDB relation."""
    con = duckdb.connect()
    rel = con.from_df(load_api("apistrat"))
    r = only(estimate(rel, "api00", weight="pw", strata="stype", fpc="fpc"))
    assert r["estimate"] == pytest.approx(662.29, abs=5e-3)
    assert r["se"] == pytest.approx(9.4089, abs=5e-5)


# --- R's `fpc` data (Stata's fpc example): nested PSU ids, fpc, domains -------------------------

FPC = pd.DataFrame(
    {
        "stratid": [1, 1, 1, 1, 1, 2, 2, 2],
        "psuid": [1, 2, 3, 4, 5, 1, 2, 3],  # ids reused across strata: nest=TRUE
        "weight": [3, 3, 3, 3, 3, 4, 4, 4],
        "Nh": [15, 15, 15, 15, 15, 12, 12, 12],
        "x": [2.8, 4.1, 6.8, 6.8, 9.2, 3.7, 6.6, 4.2],
    }
)


def test_fpc_data_without_fpc() -> None:
    """R: svymean(~x, svydesign(weights=~weight, ids=~psuid, strata=~stratid, data=fpc,
    nest=TRUE)) -> mean 5.4481, SE 0.7413."""
    r = only(estimate(FPC, "x", weight="weight", strata="stratid", psu="psuid"))
    assert r["estimate"] == pytest.approx(5.4481, abs=5e-5)
    assert r["se"] == pytest.approx(0.7413, abs=5e-5)


def test_fpc_data_with_fpc() -> None:
    """R: svymean(~x, svydesign(weights=~weight, ids=~psuid, strata=~stratid, fpc=~Nh,
    data=fpc, nest=TRUE)) -> mean 5.4481, SE 0.616."""
    r = only(estimate(FPC, "x", weight="weight", strata="stratid", psu="psuid", fpc="Nh"))
    assert r["estimate"] == pytest.approx(5.4481, abs=5e-5)
    assert r["se"] == pytest.approx(0.616, abs=5e-4)


def test_fpc_data_domains() -> None:
    """R (tests/domain.R): dfpc <- svydesign(id=~psuid, strat=~stratid, weight=~weight,
    data=fpc, nest=TRUE); svyby(~x, ~I(x>4), design=dfpc, svymean)
    -> FALSE 3.314286 (SE 0.3117042), TRUE 6.195000 (SE 0.7555129).

    The FALSE domain has one unit per stratum, yet n_h stays 5 and 3: R warns "only one PSU",
    and the SE is still defined. The single-PSU-*stratum* counter must stay 0 here."""
    data = FPC.assign(big=FPC["x"] > 4)
    out = estimate(data, "x", weight="weight", strata="stratid", psu="psuid", by="big")
    assert list(out["big"]) == [False, True]
    assert out["estimate"].tolist() == pytest.approx([3.314286, 6.195000], abs=5e-7)
    assert out["se"].tolist() == pytest.approx([0.3117042, 0.7555129], abs=5e-8)
    assert out["single_psu_strata"].tolist() == [0, 0]


def test_fpc_data_subsetting_the_data_is_wrong() -> None:
    """Dropping the x <= 4 rows *before* building the design loses PSUs (n_h 5→4, 3→2), so it
    cannot reproduce R's domain SE 0.7555129 (svymean(~x, subset(dfpc, x>4)) in R keeps them)."""
    sub = FPC[FPC["x"] > 4]
    r = only(estimate(sub, "x", weight="weight", strata="stratid", psu="psuid"))
    assert r["estimate"] == pytest.approx(6.195, abs=5e-4)
    assert abs(r["se"] - 0.7555129) > 1e-3


# --- design effect (R tests/deff.R, data from Takahiro Tsuchiya) --------------------------------

KIGYO = pd.DataFrame(
    {
        "uriage": [15, 143, 21, 51, 337, 50, 274, 145, 15, 86],
        "srs_w": [100] * 10,
        "pps_w": [20, 200, 11, 25, 550, 30, 250, 100, 10, 55],
    }
)


def test_deff_mean_and_total_srs() -> None:
    """R: des.srs <- svydesign(ids=~1, weights=~srs.w, data=kigyo)
    svymean(~uriage, des.srs, deff=TRUE) -> 113.700, SE 35.626, DEff 1.0101
    svytotal(~uriage, des.srs, deff=TRUE) -> 113700, SE 35626, DEff 1.0101
    (R's default deff applies (1 - n/N̂) even without an fpc, hence 1/0.99 for an SRS.)"""
    m = only(estimate(KIGYO, "uriage", weight="srs_w", stat="mean"))
    assert m["estimate"] == pytest.approx(113.7, abs=5e-4)
    assert m["se"] == pytest.approx(35.626, abs=5e-4)
    assert m["deff"] == pytest.approx(1.0101, abs=5e-5)
    t = only(estimate(KIGYO, "uriage", weight="srs_w", stat="total"))
    assert t["se"] == pytest.approx(35626, abs=0.5)
    assert t["deff"] == pytest.approx(1.0101, abs=5e-5)


def test_deff_relation_to_r_replace_variant() -> None:
    """R: des.pps <- svydesign(ids=~1, weights=~pps.w, data=kigyo)
    svymean(~uriage, des.pps, deff='replace') -> 243.914, SE 48.752, DEff 1.974067
    svytotal(~uriage, des.pps, deff='replace') -> 305136, SE 184965, DEff 18.15669; N̂ = 1251.
    'replace' omits the factor (1 - n/N̂) of the default deff, so ours × (1 - 10/1251) = R's."""
    m = only(estimate(KIGYO, "uriage", weight="pps_w"))
    assert m["estimate"] == pytest.approx(243.914, abs=5e-4)
    assert m["se"] == pytest.approx(48.752, abs=5e-4)
    assert m["N_weighted"] == 1251
    assert m["deff"] * (1 - 10 / 1251) == pytest.approx(1.974067, abs=5e-7)
    t = only(estimate(KIGYO, "uriage", weight="pps_w", stat="total"))
    assert t["se"] == pytest.approx(184965, abs=0.5)
    assert t["deff"] * (1 - 10 / 1251) == pytest.approx(18.15669, abs=5e-6)


# --- NHANES II (Stata `svy: mean zinc`, reproduced in the samplics README) ----------------------


def test_nhanes2_zinc() -> None:
    """Stata: svyset psuid [pw=finalwgt], strata(stratid); svy: mean zinc
    -> 87.18207, SE .4944827, 95% CI [86.1736, 88.1906], 31 design df.
    psuid is 1/2 inside every stratum: PSUs are (stratid, psuid) pairs. zinc has missing values,
    which are left out of the mean without removing any PSU from the design."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="samplics is archived", category=FutureWarning)
        datasets = pytest.importorskip("samplics.datasets")
    data = datasets.load_nhanes2()["data"]
    r = only(estimate(data, "zinc", weight="finalwgt", strata="stratid", psu="psuid"))
    assert r["estimate"] == pytest.approx(87.182, abs=5e-4)
    assert r["se"] == pytest.approx(0.4945, abs=5e-5)
    assert r["ci_low"] == pytest.approx(86.1736, abs=5e-5)
    assert r["ci_high"] == pytest.approx(88.1906, abs=5e-5)
    assert r["df"] == 31
