from __future__ import annotations

from pathlib import Path

import pytest
from small_warehouse import build

from parenting_assessment import api


@pytest.fixture(scope="session")
def small_warehouse(tmp_path_factory) -> Path:
    return build(tmp_path_factory.getbasetemp() / "pa_small_warehouse")


@pytest.fixture
def default_warehouse(small_warehouse, monkeypatch) -> Path:
    """PA_WAREHOUSE points at the small warehouse and the API forgets any earlier copy."""
    monkeypatch.setenv("PA_WAREHOUSE", str(small_warehouse))
    monkeypatch.setitem(api._STATE, "con", None)
    return small_warehouse
