"""Bad input fails fast with a one-line ValueError that names the problem."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from parenting_assessment.estimation import design_table, estimate, taylor_by

DATA = pd.DataFrame(
    {
        "h": ["a", "a", "a", "b", "b"],
        "psu": [1, 2, 2, 1, 2],
        "w": [1.0, 2.0, 2.0, 3.0, 1.0],
        "y": [0.0, 1.0, 1.0, 0.0, np.nan],
        "x": [1.5, 2.0, 3.0, 4.0, 5.0],
        "N": [10, 10, 10, 5, 5],
    }
)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"y": "nope", "weight": "w"}, "unknown column(s) in data: ['nope']"),
        ({"y": "y", "weight": "w", "by": "sex"}, "unknown column(s) in data: ['sex']"),
        ({"y": "y", "weight": "w", "stat": "median"}, "stat must be one of"),
        ({"y": "y", "weight": "w", "level": 95}, "level must be strictly between 0 and 1"),
        ({"y": "x", "weight": "w", "stat": "proportion"}, "needs 'x' coded 0/1"),
        ({"y": "y", "weight": "w", "strata": "h", "psu": "psu", "fpc": "x"}, "varies within"),
    ],
)
def test_bad_arguments(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        estimate(DATA, **kwargs)


def test_negative_weight() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        estimate(DATA.assign(w=[1.0, -2.0, 2.0, 3.0, 1.0]), "y", weight="w")


def test_negative_weight_on_a_missing_y_row_still_fails() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        estimate(DATA.assign(w=[1.0, 2.0, 2.0, 3.0, -1.0]), "y", weight="w")


def test_fpc_below_sampled_psus() -> None:
    bad = DATA.assign(N=[10, 10, 10, 1, 1])  # stratum b has 2 sampled PSUs
    message = r"smaller than the number of sampled PSUs in strata \['b'\]"
    with pytest.raises(ValueError, match=message):
        estimate(bad, "y", weight="w", strata="h", psu="psu", fpc="N")


def test_sampling_fraction_is_not_taken_for_a_count() -> None:
    with pytest.raises(ValueError, match="not a sampling fraction"):
        estimate(DATA.assign(N=0.2), "y", weight="w", strata="h", psu="psu", fpc="N")


def test_missing_strata_or_psu() -> None:
    with pytest.raises(ValueError, match="strata column 'h' has missing values"):
        estimate(DATA.assign(h=["a", None, "a", "b", "b"]), "y", weight="w", strata="h")
    with pytest.raises(ValueError, match="PSU column 'psu' has missing values"):
        estimate(DATA.assign(psu=[1, np.nan, 2, 1, 2]), "y", weight="w", psu="psu")


def test_not_a_dataframe() -> None:
    with pytest.raises(ValueError, match="pandas DataFrame or a DuckDB relation"):
        estimate({"y": [1]}, "y", weight="w")


def test_taylor_by_rejects_inconsistent_design() -> None:
    design = design_table(DATA, strata="h", psu="psu")
    with pytest.raises(ValueError, match="not in the design table"):
        taylor_by(
            DATA,
            y="y",
            weight="w",
            stratum="h",
            psu="psu",
            domains=[],
            design=design[design["stratum"] == "a"],
        )
    too_small = design.assign(n_psu=1)
    with pytest.raises(ValueError, match="more PSUs in a stratum than the design"):
        taylor_by(DATA, y="y", weight="w", stratum="h", psu="psu", domains=[], design=too_small)
    with pytest.raises(ValueError, match="lacks column 'N_psu'"):
        taylor_by(
            DATA,
            y="y",
            weight="w",
            stratum="h",
            psu="psu",
            domains=[],
            design=design.drop(columns="N_psu"),
        )


def test_design_table_counts_nested_psus() -> None:
    design = design_table(DATA, strata="h", psu="psu", fpc="N")
    assert design.to_dict("list") == {"stratum": ["a", "b"], "n_psu": [2, 2], "N_psu": [10, 5]}
