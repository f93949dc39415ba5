"""MICS reporting flags for published cells (INDICATORS.md §reporting, SAMPLING.md §4).

The flag depends only on the unweighted denominator: the weighted estimate is always computed and
stored, and rounding/suppression happen here, at display time, so that nothing upstream ever works
with a rounded or blanked number.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import overload

import numpy as np
import pandas as pd

FLAG_NONE = ""
FLAG_PAREN = "paren"
FLAG_SUPPRESSED = "suppressed"
FLAG_ZERO = "zero"

FOOTNOTES = {
    FLAG_PAREN: "( ) Figures that are based on 25–49 unweighted cases",
    FLAG_SUPPRESSED: "(*) Figures that are based on fewer than 25 unweighted cases",
    FLAG_ZERO: "- denotes 0 unweighted cases in the denominator",
}


@overload
def mics_flag(n_unweighted: int) -> str: ...
@overload
def mics_flag(n_unweighted: pd.Series) -> pd.Series: ...
def mics_flag(n_unweighted: int | pd.Series | np.ndarray) -> str | pd.Series | np.ndarray:
    """MICS flag of a cell: n ≥ 50 "", 25–49 "paren", 1–24 "suppressed", 0 "zero".

    Vectorised (one `np.select` over the whole column); a scalar in gives a scalar out, a Series
    keeps its index. Negative or missing counts are a bug upstream, so they raise.
    """
    if isinstance(n_unweighted, pd.Series):
        arr = n_unweighted.to_numpy(dtype=float, na_value=np.nan)
    else:
        arr = np.asarray(n_unweighted, dtype=float)
    if np.isnan(arr).any() or (arr < 0).any():
        raise ValueError("mics_flag: n_unweighted must be non-negative and not missing")
    flags = np.select(
        [arr >= 50, arr >= 25, arr >= 1],
        [FLAG_NONE, FLAG_PAREN, FLAG_SUPPRESSED],
        default=FLAG_ZERO,
    ).astype(object)
    if isinstance(n_unweighted, pd.Series):
        return pd.Series(flags, index=n_unweighted.index, name="flag", dtype=object)
    if arr.ndim == 0:
        return str(flags[()])
    return flags


def _fmt(value: float) -> str:
    """One decimal, half away from zero (as a spreadsheet ROUND), from the shortest repr.

    Python's own `f"{x:.1f}"` rounds the binary value half-to-even (34.25 → "34.2"), which readers
    checking a table by hand would call a mistake.
    """
    return str(Decimal(repr(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _display_one(value: float, flag: str) -> str:
    if flag == FLAG_ZERO:
        return "-"
    if flag == FLAG_SUPPRESSED:
        return "(*)"
    if value is None or not np.isfinite(value):
        return ""
    if flag == FLAG_PAREN:
        return f"({_fmt(value)})"
    if flag == FLAG_NONE:
        return _fmt(value)
    raise ValueError(f"display_value: unknown flag {flag!r}")


def display_value(estimate_pct: float | pd.Series, flag: str | pd.Series) -> str | pd.Series:
    """Text of a published cell: "34.2", "(34.2)", "(*)" or "-".

    `estimate_pct` is already on the display scale (e.g. a percentage). A non-finite estimate in
    a cell that is not suppressed gives "" (nothing to show), never "nan".
    """
    if isinstance(estimate_pct, pd.Series) or isinstance(flag, pd.Series):
        values = pd.Series(estimate_pct)
        flags = pd.Series(flag, index=values.index) if not isinstance(flag, pd.Series) else flag
        out = [_display_one(v, f) for v, f in zip(values.to_numpy(float), flags, strict=True)]
        return pd.Series(out, index=values.index, dtype=object)
    return _display_one(estimate_pct, flag)
