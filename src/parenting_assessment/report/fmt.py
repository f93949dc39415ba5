"""Text of published numbers: one decimal rounded half up, MICS flags, intervals, counts.

Rounding happens only here, at display time (INDICATORS.md §5). The rule is the one of
``estimation.flags`` (half away from zero from the shortest repr), so a CI bound or a need score
is rounded exactly like the stored ``display`` column that readers compare it with.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

SHOWN = ("", "paren")
FLAG_TEXT = {"suppressed": "(*)", "zero": "-"}


def finite(x: object) -> bool:
    """True for a real, finite number (None, NaN, pd.NA and text are not)."""
    try:
        return x is not None and math.isfinite(float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def f1(x: object) -> str:
    """One decimal, half up ("34.25" → "34.3"); "" when there is no number."""
    if not finite(x):
        return ""
    return str(Decimal(repr(float(x))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))  # type: ignore[arg-type]


def flagged(x: object, flag: str) -> str:
    """A value under a MICS flag: "34.2", "(34.2)", "(*)" or "-" (as ``display``)."""
    if flag in FLAG_TEXT:
        return FLAG_TEXT[flag]
    text = f1(x)
    return f"({text})" if flag == "paren" and text else text


def ci(lo: object, hi: object, flag: str = "") -> str:
    """"12.3–45.6" for a published cell; "" for suppressed or empty cells."""
    if flag not in SHOWN or not (finite(lo) and finite(hi)):
        return ""
    return f"{f1(lo)}–{f1(hi)}"


def count(n: object) -> str:
    """A whole number with a thin space between thousands ("12 345").

    A comma or a point would mean opposite things to English and Indonesian readers.
    """
    if not finite(n):
        return ""
    return f"{round(float(n)):,}".replace(",", "\u202f")  # type: ignore[arg-type]


def percent0(p: object) -> str:
    """A probability (0–1) as a whole percentage, e.g. "97%"."""
    return f"{round(100 * float(p))}%" if finite(p) else ""  # type: ignore[arg-type]


def rank_interval(lo: object, hi: object) -> str:
    if not (finite(lo) and finite(hi)):
        return ""
    return f"{int(float(lo))}–{int(float(hi))}"  # type: ignore[arg-type]


def whole(x: object) -> str:
    return str(int(round(float(x)))) if finite(x) else ""  # type: ignore[arg-type]
