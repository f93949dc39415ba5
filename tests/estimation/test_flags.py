"""MICS publication rule (INDICATORS.md reporting table and footnotes)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from parenting_assessment.estimation import display_value, mics_flag


def test_flag_boundaries() -> None:
    n = pd.Series([0, 1, 24, 25, 49, 50, 1000], index=list("abcdefg"))
    flags = mics_flag(n)
    assert flags.tolist() == ["zero", "suppressed", "suppressed", "paren", "paren", "", ""]
    assert list(flags.index) == list("abcdefg")


def test_flag_scalar_and_array() -> None:
    assert mics_flag(30) == "paren"
    assert mics_flag(np.array([0, 60])).tolist() == ["zero", ""]


def test_flag_rejects_negative_or_missing() -> None:
    with pytest.raises(ValueError):
        mics_flag(pd.Series([3, -1]))
    with pytest.raises(ValueError):
        mics_flag(pd.Series([3, np.nan]))


@pytest.mark.parametrize(
    ("value", "flag", "text"),
    [
        (34.2, "", "34.2"),
        (34.2, "paren", "(34.2)"),
        (34.2, "suppressed", "(*)"),
        (0.0, "zero", "-"),
        (34.25, "", "34.3"),  # half away from zero, not Python's half-to-even on the binary value
        (0.04, "", "0.0"),
        (100.0, "paren", "(100.0)"),
        (float("nan"), "", ""),
    ],
)
def test_display_value(value: float, flag: str, text: str) -> None:
    assert display_value(value, flag) == text


def test_display_value_vectorised() -> None:
    est = pd.Series([12.345, 50.0, 7.0, 3.0])
    flags = mics_flag(pd.Series([80, 30, 10, 0]))
    assert display_value(est, flags).tolist() == ["12.3", "(50.0)", "(*)", "-"]
