"""One schema for every finding, whichever check produced it."""

from __future__ import annotations

import pandas as pd

FINDING_COLUMNS = [
    "submission_uuid", "section", "row_key", "field", "rule_id", "rule_family", "severity",
    "message", "message_id", "value", "batch", "checked_by",
]


def as_findings(df: pd.DataFrame | None) -> pd.DataFrame:
    """Conform a frame to the findings schema (missing columns become NULL)."""
    if df is None or df.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in FINDING_COLUMNS})
    out = df.copy()
    for c in FINDING_COLUMNS:
        if c not in out.columns:
            out[c] = None
    return out[FINDING_COLUMNS].astype("object")
