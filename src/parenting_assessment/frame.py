"""The sampling frame: study villages, listing counts per stratum, targets and centroids.

Area codes are Kemendagri codes kept as text and checked for shape (CONTEXT.md §5); the frame
is an input of the pipeline, never a constant in code.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

DESA_CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.[123]\d{3}$")
REQUIRED = ("kode_kemendagri", "desa", "kode_kabupaten", "kabupaten", "n_listed_pmi",
            "n_listed_non_pmi", "target_pmi", "target_non_pmi", "centroid_lat", "centroid_lon")
COUNTS = ("n_listed_pmi", "n_listed_non_pmi", "target_pmi", "target_non_pmi")


class FrameError(ValueError):
    """The sampling frame is unusable; the message names the file and the row."""


def load_frame(path: Path) -> pd.DataFrame:
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise FrameError(f"{path}: cannot read the sampling frame ({exc})") from exc
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise FrameError(f"{path}: the sampling frame lacks column(s) {', '.join(missing)}")
    for i, code in enumerate(df["kode_kemendagri"], start=2):
        if not DESA_CODE.match(code):
            raise FrameError(f"{path}: row {i}: '{code}' is not a Kemendagri desa code "
                             "(PP.KK.CC.DDDD)")
    if df["kode_kemendagri"].duplicated().any():
        dup = df.loc[df["kode_kemendagri"].duplicated(), "kode_kemendagri"].iloc[0]
        raise FrameError(f"{path}: village {dup} appears twice")
    for c in COUNTS:
        num = pd.to_numeric(df[c], errors="coerce")
        if num.isna().any() or (num < 0).any():
            row = int(num.isna().idxmax() if num.isna().any() else (num < 0).idxmax()) + 2
            raise FrameError(f"{path}: row {row}: column {c} must be a whole number >= 0")
        df[c] = num.astype("int64")
    for c in ("centroid_lat", "centroid_lon"):
        df[c] = pd.to_numeric(df[c], errors="coerce")
    bad = (df["target_pmi"] > df["n_listed_pmi"]) | (df["target_non_pmi"] > df["n_listed_non_pmi"])
    if bad.any():
        raise FrameError(f"{path}: row {int(bad.idxmax()) + 2}: a target exceeds the listing count")
    return df
