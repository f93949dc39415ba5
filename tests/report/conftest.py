"""One small survey, generated and run through the real pipeline once per session, then
rendered in both languages and every format; the report tests look at those files.

A village of the frame is renamed ``Desa <Baru> & "Jaya"`` before the run so that every output
is checked with a name that needs escaping.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from pipelines.resources import SurveyResource
from pipelines.run import materialize_all

from parenting_assessment.frame import load_frame
from parenting_assessment.report import RunInfo, render_report
from parenting_assessment.synth import synthesize

ROOT = Path(__file__).resolve().parents[2]
INSTRUMENT = ROOT / "data" / "instrument" / "pemetaan_pengasuhan.xlsx"
TRICKY_NAME = 'Desa <Baru> & "Jaya"'
RUN_INFO = RunInfo(run_id="test-run", code_version="test", time="2026-11-27 00:00 UTC")
STAGES = ("raw_batch", "typed_tables", "validated_tables", "core_model", "indicator_values",
          "survey_estimates", "needs_index", "model_results")


@dataclass(frozen=True)
class ReportRun:
    warehouse: Path
    frame_path: Path
    out: Path
    paths: dict[tuple[str, str], Path]

    def frame(self) -> pd.DataFrame:
        return load_frame(self.frame_path)

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.warehouse), read_only=True)


def render(run: ReportRun, out: Path, **kwargs: object) -> dict[tuple[str, str], Path]:
    with run.connect() as con:
        return render_report(con, out_dir=out, run_info=RUN_INFO, frame=run.frame(),
                             instrument_path=INSTRUMENT, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def report_run(tmp_path_factory: pytest.TempPathFactory) -> ReportRun:
    base = tmp_path_factory.mktemp("report")
    syn = synthesize(seed=11, out_dir=base / "raw", villages=5, households_per_village=24,
                     defect_rate=0.0)
    frame = pd.read_csv(syn.frame_path, dtype=str, keep_default_na=False)
    frame.loc[1, "desa"] = TRICKY_NAME
    frame.to_csv(syn.frame_path, index=False, lineterminator="\n")
    survey = SurveyResource(raw=str(syn.export_path), frame=str(syn.frame_path),
                            instrument=str(INSTRUMENT), warehouse=str(base / "w.duckdb"),
                            landing=str(base / "landing"), reports=str(base / "reports"),
                            run_id="t")
    materialize_all(survey, stages=STAGES)
    run = ReportRun(base / "w.duckdb", syn.frame_path, base / "out", {})
    paths = render(run, run.out)
    return ReportRun(run.warehouse, run.frame_path, run.out, paths)
