"""Fixtures of the validation tests; the literal-table builders live in ``literal_survey``."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from literal_survey import FRAME, INSTRUMENT, literal_db

from parenting_assessment.frame import load_frame
from parenting_assessment.instrument import load_instrument


@pytest.fixture(scope="session")
def ins():
    return load_instrument(INSTRUMENT)


@pytest.fixture(scope="session")
def frame() -> pd.DataFrame:
    return load_frame(FRAME)


@pytest.fixture
def db(ins):
    def make(rows: dict[str, list[dict]]) -> duckdb.DuckDBPyConnection:
        return literal_db(ins, rows)

    return make
