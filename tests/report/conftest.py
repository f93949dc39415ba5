"""One small survey, generated and run through the real pipeline once per session, then
rendered in both languages and every format; the report tests look at those files.

A village of the frame is renamed ``Desa <Baru> & "Jaya"`` before the run so that every output
is checked with a name that needs escaping.
"""

from __future__ import annotations

import pandas as pd
import pytest
from pipelines.run import materialize_all
from report_helpers import STAGES, TRICKY_NAME, ReportRun, render

from generated_survey import generated_survey


@pytest.fixture(scope="session")
def report_run(tmp_path_factory: pytest.TempPathFactory) -> ReportRun:
    base = tmp_path_factory.mktemp("report")
    syn, survey = generated_survey(base, seed=11, villages=5, households_per_village=24)
    frame = pd.read_csv(syn.frame_path, dtype=str, keep_default_na=False)
    frame.loc[1, "desa"] = TRICKY_NAME
    frame.to_csv(syn.frame_path, index=False, lineterminator="\n")
    materialize_all(survey, stages=STAGES)
    run = ReportRun(base / "w.duckdb", syn.frame_path, base / "out", {})
    paths = render(run, run.out)
    return ReportRun(run.warehouse, run.frame_path, run.out, paths)
