"""Shared synthetic rounds for the generator tests (small, so the suite stays fast)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from parenting_assessment.instrument import load_instrument
from parenting_assessment.synth import synthesize
from parenting_assessment.synth.api import DEFAULT_FRAME, DEFAULT_INSTRUMENT

SEED = 11


@pytest.fixture(scope="session")
def ins():
    return load_instrument(DEFAULT_INSTRUMENT)


@pytest.fixture(scope="session")
def small_frame_csv(tmp_path_factory) -> Path:
    """Four real villages (one in NTB, for WITA) with short listings: fast populations."""
    frame = pd.read_csv(DEFAULT_FRAME, dtype=str, keep_default_na=False)
    keep = frame[frame["kode_kemendagri"].isin(
        ["32.12.16.2001", "32.12.16.2004", "52.03.13.2001", "52.03.13.2008"])].copy()
    keep["n_listed_pmi"] = ["40", "30", "17", "35"]
    keep["n_listed_non_pmi"] = ["60", "45", "50", "55"]
    keep["target_pmi"] = ["18", "18", "17", "18"]
    path = tmp_path_factory.mktemp("frame") / "small_frame.csv"
    keep.to_csv(path, index=False)
    return path


def _run(tmp_path_factory, name: str, frame: Path, seed: int, rate: float):
    return synthesize(seed=seed, out_dir=tmp_path_factory.mktemp(name), frame_csv=frame,
                      defect_rate=rate)


@pytest.fixture(scope="session")
def clean_run(tmp_path_factory, small_frame_csv):
    """No injected defects: every row must satisfy the form."""
    return _run(tmp_path_factory, "clean", small_frame_csv, SEED, 0.0)


@pytest.fixture(scope="session")
def defect_run(tmp_path_factory, small_frame_csv):
    """Same seed with defects: differences from ``clean_run`` are exactly the defects."""
    return _run(tmp_path_factory, "defects", small_frame_csv, SEED, 0.15)


@pytest.fixture(scope="session")
def defect_run_again(tmp_path_factory, small_frame_csv):
    return _run(tmp_path_factory, "defects_again", small_frame_csv, SEED, 0.15)


@pytest.fixture(scope="session")
def other_seed_run(tmp_path_factory, small_frame_csv):
    return _run(tmp_path_factory, "other_seed", small_frame_csv, SEED + 1, 0.15)
