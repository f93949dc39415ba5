"""One resource carries the run's settings; assets ask it for paths and connections."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd

from parenting_assessment.config import Settings
from parenting_assessment.frame import load_frame
from parenting_assessment.instrument import Instrument, load_instrument
from parenting_assessment.warehouse import connect


class SurveyResource(dg.ConfigurableResource):
    """Paths of the inputs and the warehouse (defaults: the bundled sample)."""

    raw: str = str(Settings().raw)
    watch: str = str(Settings().watch)
    frame: str = str(Settings().frame)
    instrument: str = str(Settings().instrument)
    warehouse: str = str(Settings().warehouse)
    landing: str = str(Settings().landing)
    reports: str = str(Settings().reports)
    run_id: str = "latest"

    @property
    def settings(self) -> Settings:
        return Settings(raw=Path(self.raw), watch=Path(self.watch), frame=Path(self.frame),
                        instrument=Path(self.instrument), warehouse=Path(self.warehouse),
                        landing=Path(self.landing), reports=Path(self.reports),
                        run_id=self.run_id)

    def load_instrument(self) -> Instrument:
        return load_instrument(self.instrument)

    def load_frame(self) -> pd.DataFrame:
        return load_frame(Path(self.frame))

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with connect(self.warehouse, read_only=read_only) as con:
            yield con
