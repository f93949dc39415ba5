"""Readers shared by the generator tests."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path

import pandas as pd

MAIN = "Pemetaan Pengasuhan Berbasis..."
TITLE = "Pemetaan Pengasuhan Berbasis Komunitas Desmigratif 2026"


@lru_cache(maxsize=8)
def read_sheets(path: Path) -> dict[str, pd.DataFrame]:
    """All sheets as text, keyed by sheet name (blank cells as ''); cached, do not mutate."""
    return pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False,
                         engine="openpyxl")


def bare(df: pd.DataFrame) -> pd.DataFrame:
    """Question columns renamed to their name (``roster/HL6`` -> ``HL6``).

    select_multiple choice columns (``child/u5/EC5A/A``) keep their full header.
    """
    cols = set(df.columns)

    def name(c: str) -> str:
        if c.startswith("_") or c == "meta/rootUuid" or c.rsplit("/", 1)[0] in cols:
            return c
        return c.rsplit("/", 1)[-1]

    return df.rename(columns=name)


def repeat_rows(sheets: dict[str, pd.DataFrame], repeat: str) -> dict[str, list[dict]]:
    """Rows of a repeat sheet grouped by submission uuid, in sheet order."""
    out: dict[str, list[dict]] = {}
    if repeat not in sheets:
        return out
    for rec in bare(sheets[repeat]).to_dict("records"):
        out.setdefault(rec["_submission__uuid"], []).append(rec)
    return out


def local_time(ts: str) -> datetime:
    return datetime.fromisoformat(ts)
