from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The warehouse builder is shared with tests/api (one build per session, cached on disk).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from small_warehouse import build  # noqa: E402


@pytest.fixture(scope="session")
def small_warehouse(tmp_path_factory) -> Path:
    return build(tmp_path_factory.getbasetemp() / "pa_small_warehouse")
