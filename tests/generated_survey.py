"""A generated survey wired to a fresh warehouse: the start of every pipeline-level test.

On ``sys.path`` through ``pythonpath = ["tests"]`` (pyproject), so any test folder imports it.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.resources import SurveyResource

from parenting_assessment.synth import synthesize
from parenting_assessment.synth.api import SynthResult

ROOT = Path(__file__).resolve().parents[1]
INSTRUMENT = ROOT / "data" / "instrument" / "pemetaan_pengasuhan.xlsx"
# Every stage that fills the warehouse, without the (slow) report and the HTML side pages.
WAREHOUSE_STAGES = ("raw_batch", "typed_tables", "validated_tables", "core_model",
                    "indicator_values", "survey_estimates", "needs_index", "model_results")


def survey_resource(raw: Path, frame: Path, base: Path, run_id: str = "t") -> SurveyResource:
    """Resource over ``raw`` with warehouse, landing and reports inside ``base``."""
    return SurveyResource(
        raw=str(raw),
        frame=str(frame),
        instrument=str(INSTRUMENT),
        warehouse=str(base / "w.duckdb"),
        landing=str(base / "landing"),
        reports=str(base / "reports"),
        run_id=run_id,
    )


def generated_survey(
    base: Path,
    *,
    seed: int,
    villages: int,
    households_per_village: int,
    defect_rate: float = 0.0,
    run_id: str = "t",
) -> tuple[SynthResult, SurveyResource]:
    """Synthesise an export into ``base/raw`` and return it with its resource."""
    syn = synthesize(
        seed=seed,
        out_dir=base / "raw",
        villages=villages,
        households_per_village=households_per_village,
        defect_rate=defect_rate,
    )
    return syn, survey_resource(syn.export_path, syn.frame_path, base, run_id)
