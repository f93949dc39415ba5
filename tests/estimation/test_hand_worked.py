"""A tiny design worked through by a slow, loop-based reading of the SAMPLING.md §3 formulas.

`slow_estimate` below is written independently of the engine: plain Python loops over strata and
PSUs, the textbook deviation-from-the-mean form of the variance (not the engine's Σz² shortcut),
and no pandas grouping. The engine must agree with it to rounding error.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import t as student_t

from parenting_assessment.estimation import design_table, estimate, taylor_by

# 2 strata × 3 PSUs (households), 1–3 members each. PSU ids reused across strata (nested).
ROWS = [
    # stratum, psu, weight, y, sex, binary
    ("A", 1, 10.0, 3.0, "f", 1),
    ("A", 1, 10.0, 5.0, "m", 0),
    ("A", 2, 12.0, 4.0, "f", 1),
    ("A", 3, 8.0, 9.0, "m", 1),
    ("A", 3, 8.0, 2.0, "m", 0),
    ("A", 3, 8.0, 6.0, "f", 0),
    ("B", 1, 20.0, 7.0, "m", 1),
    ("B", 2, 25.0, 1.0, "f", 0),
    ("B", 2, 25.0, 8.0, "f", 1),
    ("B", 3, 15.0, 5.0, "m", 1),
]
TINY = pd.DataFrame(ROWS, columns=["stratum", "psu", "w", "y", "sex", "binary"])
TINY["N_h"] = TINY["stratum"].map({"A": 10, "B": 7})


def slow_estimate(
    rows: list[tuple], y_index: int, in_domain, stat: str, pop: dict | None, level: float = 0.95
) -> dict:
    """Direct transcription of SAMPLING.md §3, one loop per sum."""
    sw = swy = 0.0
    for r in rows:
        if in_domain(r) and not math.isnan(r[y_index]):
            sw += r[2]
            swy += r[2] * r[y_index]
    theta = swy if stat == "total" else swy / sw
    ybar = swy / sw
    # z_hc for every design PSU, 0 for PSUs without domain units
    z: dict[tuple, float] = {}
    for r in rows:
        z.setdefault((r[0], r[1]), 0.0)
        if in_domain(r) and not math.isnan(r[y_index]):
            if stat == "total":
                z[(r[0], r[1])] += r[2] * r[y_index]
            else:
                z[(r[0], r[1])] += r[2] * (r[y_index] - ybar) / sw
    variance = 0.0
    strata = sorted({k[0] for k in z})
    for h in strata:
        zs = [v for k, v in z.items() if k[0] == h]
        n_h = len(zs)
        if n_h == 1:
            continue
        mean_h = sum(zs) / n_h
        f = 1.0 if pop is None else 1.0 - n_h / pop[h]
        variance += f * n_h / (n_h - 1) * sum((v - mean_h) ** 2 for v in zs)
    se = math.sqrt(variance)
    df = len(z) - len(strata)
    t = student_t.ppf((1 + level) / 2, df)
    if stat == "proportion":
        lo = math.log(theta / (1 - theta)) - t * se / (theta * (1 - theta))
        hi = math.log(theta / (1 - theta)) + t * se / (theta * (1 - theta))
        ci = (1 / (1 + math.exp(-lo)), 1 / (1 + math.exp(-hi)))
    else:
        ci = (theta - t * se, theta + t * se)
    return {"estimate": theta, "se": se, "ci_low": ci[0], "ci_high": ci[1], "df": df}


def check(row: pd.Series, expected: dict) -> None:
    for key, value in expected.items():
        assert row[key] == pytest.approx(value, rel=1e-12, abs=1e-12), key


@pytest.mark.parametrize("with_fpc", [False, True])
@pytest.mark.parametrize("stat", ["mean", "total"])
def test_overall(stat: str, with_fpc: bool) -> None:
    pop = {"A": 10, "B": 7} if with_fpc else None
    out = estimate(
        TINY,
        "y",
        weight="w",
        strata="stratum",
        psu="psu",
        fpc="N_h" if with_fpc else None,
        stat=stat,
    )
    check(out.iloc[0], slow_estimate(ROWS, 3, lambda r: True, stat, pop))


@pytest.mark.parametrize("with_fpc", [False, True])
def test_domain_mean(with_fpc: bool) -> None:
    pop = {"A": 10, "B": 7} if with_fpc else None
    out = estimate(
        TINY,
        "y",
        weight="w",
        strata="stratum",
        psu="psu",
        fpc="N_h" if with_fpc else None,
        by="sex",
    )
    assert list(out["sex"]) == ["f", "m"]
    for _, row in out.iterrows():
        check(row, slow_estimate(ROWS, 3, lambda r, s=row["sex"]: r[4] == s, "mean", pop))


def test_domain_proportion_logit_ci() -> None:
    out = estimate(
        TINY,
        "binary",
        weight="w",
        strata="stratum",
        psu="psu",
        fpc="N_h",
        by="sex",
        stat="proportion",
    )
    for _, row in out.iterrows():
        exp = slow_estimate(
            ROWS, 5, lambda r, s=row["sex"]: r[4] == s, "proportion", {"A": 10, "B": 7}
        )
        check(row, exp)
        assert 0 < row["ci_low"] < row["estimate"] < row["ci_high"] < 1
        assert not row["ci_degenerate"]


def test_domain_is_not_subsetting() -> None:
    """SAMPLING.md §3: a domain SE uses all n_h PSUs; subsetting the data first does not."""
    domain = estimate(TINY, "y", weight="w", strata="stratum", psu="psu", by="sex")
    dom_f = domain.set_index("sex").loc["f"]
    subset = estimate(TINY[TINY["sex"] == "f"], "y", weight="w", strata="stratum", psu="psu")
    expected = slow_estimate(ROWS, 3, lambda r: r[4] == "f", "mean", None)
    assert dom_f["se"] == pytest.approx(expected["se"], rel=1e-12)
    assert subset.iloc[0]["estimate"] == pytest.approx(expected["estimate"], rel=1e-12)
    # females live in only 1 of the 3 PSUs of stratum B: subsetting leaves n_B = 1 (no variance)
    assert abs(subset.iloc[0]["se"] - expected["se"]) > 1e-3 * expected["se"]
    assert subset.iloc[0]["df"] != expected["df"]


def test_missing_y_keeps_its_psu() -> None:
    """NA y is left out of the mean (na.rm=TRUE) but its PSU still counts in n_h."""
    rows = [list(r) for r in ROWS]
    rows[3][3] = math.nan  # PSU A3 keeps two non-missing units
    rows[6][3] = math.nan  # PSU B1 has no unit left: z_B1 = 0, yet n_B stays 3
    rows = [tuple(r) for r in rows]
    data = pd.DataFrame(rows, columns=TINY.columns[:6])
    out = estimate(data, "y", weight="w", strata="stratum", psu="psu")
    check(out.iloc[0], slow_estimate(rows, 3, lambda r: True, "mean", None))
    assert out.iloc[0]["n_unweighted"] == 8
    assert out.iloc[0]["N_weighted"] == pytest.approx(sum(r[2] for r in rows) - 8 - 20)


def test_taylor_by_on_a_universe_uses_the_full_design() -> None:
    """The pipeline call: `df` holds only one universe (here: males), the design all PSUs."""
    design = design_table(TINY, strata="stratum", psu="psu", fpc="N_h")
    assert design["n_psu"].tolist() == [3, 3]
    males = TINY[TINY["sex"] == "m"]
    out = taylor_by(
        males, y="y", weight="w", stratum="stratum", psu="psu", domains=[], design=design
    )
    check(out.iloc[0], slow_estimate(ROWS, 3, lambda r: r[4] == "m", "mean", {"A": 10, "B": 7}))


def test_single_psu_stratum_contributes_zero_and_is_reported() -> None:
    rows = [*ROWS, ("C", 1, 30.0, 4.0, "f", 1), ("C", 1, 30.0, 6.0, "f", 0)]
    data = pd.DataFrame(rows, columns=TINY.columns[:6])
    out = estimate(data, "y", weight="w", strata="stratum", psu="psu", by="sex")
    for _, row in out.iterrows():
        check(row, slow_estimate(rows, 3, lambda r, s=row["sex"]: r[4] == s, "mean", None))
    # only the female domain has units in the one-PSU stratum C
    assert out["single_psu_strata"].tolist() == [1, 0]


def test_proportion_at_zero_is_flagged() -> None:
    data = TINY.assign(none=0)
    out = estimate(data, "none", weight="w", strata="stratum", psu="psu", stat="proportion")
    row = out.iloc[0]
    assert (row["estimate"], row["se"], row["ci_low"], row["ci_high"]) == (0, 0, 0, 0)
    assert row["ci_degenerate"]


def test_multiple_by_columns_sorted_and_empty_domain() -> None:
    data = TINY.assign(y=np.where(TINY["stratum"] == "B", np.nan, TINY["y"]))
    out = estimate(data, "y", weight="w", strata="stratum", psu="psu", by=["stratum", "sex"])
    assert out[["stratum", "sex"]].values.tolist() == [
        ["A", "f"],
        ["A", "m"],
        ["B", "f"],
        ["B", "m"],
    ]
    assert out["n_unweighted"].tolist() == [3, 3, 0, 0]
    assert out["estimate"].iloc[2:].isna().all()
    rows = list(data.itertuples(index=False, name=None))
    exp = slow_estimate(rows, 3, lambda r: r[0] == "A" and r[4] == "f", "mean", None)
    check(out.iloc[0], exp)
