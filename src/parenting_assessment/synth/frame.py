"""The sampling frame the synthetic survey is drawn from.

The frame is data (SAMPLING.md §1): village codes, listing counts ``N_h`` and targets ``n_h``.
The generator reads the project's frame, optionally keeps the first villages only, adds clearly
fake villages in province 99 when asked for more villages than the frame holds, and can reset the
targets. The frame actually used is written next to the export, so every draw is reproducible.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

FRAME_COLUMNS = [
    "kode_kemendagri", "desa", "kode_kecamatan", "kecamatan", "kode_kabupaten", "kabupaten",
    "kode_provinsi", "provinsi", "n_listed_pmi", "n_listed_non_pmi", "target_pmi",
    "target_non_pmi", "centroid_lat", "centroid_lon",
]
INT_COLUMNS = ["n_listed_pmi", "n_listed_non_pmi", "target_pmi", "target_non_pmi"]
# Synthetic villages: 6 per kecamatan and 6 kecamatan per kabupaten, like the real frame, so
# district-level estimation has several villages per district.
_PER_KEC, _KEC_PER_KAB = 6, 6
SYNTHETIC_PROVINCE = "99"


def read_frame(path: Path) -> pd.DataFrame:
    """Read a frame CSV with codes as text and counts as integers."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in FRAME_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: frame lacks columns {missing}")
    frame = frame[FRAME_COLUMNS].copy()
    for col in INT_COLUMNS:
        frame[col] = frame[col].astype(int)
    for col in ("centroid_lat", "centroid_lon"):
        frame[col] = frame[col].astype(float)
    return frame.reset_index(drop=True)


def synthetic_villages(start: int, count: int, rng: np.random.Generator) -> pd.DataFrame:
    """``count`` fake villages numbered from ``start`` (0-based) in the fake province 99.

    Codes have the Kemendagri shape but a province that does not exist, and the names say
    "Sintetis", so nobody can mistake them for real places.
    """
    rows = []
    for i in range(start, start + count):
        kec_i, desa_i = divmod(i, _PER_KEC)
        kab_i, kec_in_kab = divmod(kec_i, _KEC_PER_KAB)
        kab = f"{SYNTHETIC_PROVINCE}.{kab_i + 1:02d}"
        kec = f"{kab}.{kec_in_kab + 1:02d}"
        n_pmi = int(rng.integers(14, 141))
        n_non = int(rng.integers(120, 521))
        # Plausible inland Java coordinates, spread by district and kecamatan.
        lat = -7.0 - 0.35 * (kab_i % 4) - 0.05 * kec_in_kab + rng.uniform(-0.02, 0.02)
        lon = 109.0 + 0.45 * (kab_i // 4 % 8) + 0.06 * desa_i + rng.uniform(-0.02, 0.02)
        rows.append({
            "kode_kemendagri": f"{kec}.{2001 + desa_i}",
            "desa": f"Desa Sintetis {i + 1:03d}",
            "kode_kecamatan": kec,
            "kecamatan": f"Kecamatan Sintetis {kec_i + 1:02d}",
            "kode_kabupaten": kab,
            "kabupaten": f"Kabupaten Sintetis {kab_i + 1:02d}",
            "kode_provinsi": SYNTHETIC_PROVINCE,
            "provinsi": "Provinsi Sintetis (data buatan)",
            "n_listed_pmi": n_pmi,
            "n_listed_non_pmi": n_non,
            "target_pmi": min(n_pmi, 18),
            "target_non_pmi": min(n_non, 12),
            "centroid_lat": round(lat, 5),
            "centroid_lon": round(lon, 5),
        })
    return pd.DataFrame(rows, columns=FRAME_COLUMNS)


def prepare_frame(
    frame: pd.DataFrame, *, villages: int | None, households_per_village: int | None,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Apply the ``villages`` and ``households_per_village`` options to a frame."""
    out = frame.copy()
    if villages is not None:
        if villages < 1:
            raise ValueError("villages must be at least 1")
        if villages <= len(out):
            out = out.iloc[:villages]
        else:
            extra = synthetic_villages(0, villages - len(out), rng)
            out = pd.concat([out, extra], ignore_index=True)
    if households_per_village is not None:
        if households_per_village < 2:
            raise ValueError("households_per_village must be at least 2")
        n_pmi = max(1, round(0.6 * households_per_village))
        n_non = max(1, households_per_village - n_pmi)
        out["target_pmi"] = n_pmi
        out["target_non_pmi"] = n_non
        # A stratum never has fewer listed households than it samples (n_h <= N_h).
        out["n_listed_pmi"] = np.maximum(out["n_listed_pmi"], n_pmi)
        out["n_listed_non_pmi"] = np.maximum(out["n_listed_non_pmi"], n_non)
    out["target_pmi"] = np.minimum(out["target_pmi"], out["n_listed_pmi"])
    out["target_non_pmi"] = np.minimum(out["target_non_pmi"], out["n_listed_non_pmi"])
    for col in INT_COLUMNS:
        out[col] = out[col].astype(int)
    return out.reset_index(drop=True)


def utc_offset_hours(kode_provinsi: str) -> int:
    """Device clock offset: WITA (+08:00) for NTB and eastward, WIB (+07:00) elsewhere."""
    code = int(kode_provinsi) if kode_provinsi.isdigit() else 0
    if code in (51, 52, 53, 63, 64, 65, 71, 72, 73, 74, 75, 76):
        return 8
    if code in (81, 82) or code >= 91 and code != int(SYNTHETIC_PROVINCE):
        return 9
    return 7
