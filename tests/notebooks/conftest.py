from __future__ import annotations

from pathlib import Path

import pytest

# The warehouse builder is shared with tests/api (one build per session, cached on disk).
from small_warehouse import build


@pytest.fixture(scope="session")
def small_warehouse(tmp_path_factory) -> Path:
    return build(tmp_path_factory.getbasetemp() / "pa_small_warehouse")
