"""One small, freshly generated warehouse for the API and notebook tests (built once per session).

6 villages × 30 households with the generator's default defects (so findings and quarantine are
not empty), the real pipeline up to the models (the report stage is not needed and is slow), and
the Parquet snapshot that the end of a run publishes.
"""

from __future__ import annotations

import os
from pathlib import Path

from parenting_assessment.snapshot import publish_snapshot, snapshot_dir
from parenting_assessment.synth import synthesize
from parenting_assessment.warehouse import connect

ROOT = Path(__file__).resolve().parents[2]
INSTRUMENT = ROOT / "data" / "instrument" / "pemetaan_pengasuhan.xlsx"
STAGES = ("raw_batch", "typed_tables", "validated_tables", "core_model", "indicator_values",
          "survey_estimates", "needs_index", "model_results")


def build(base: Path) -> Path:
    """The warehouse path; generated into `base` unless a previous call already did it."""
    from pipelines.resources import SurveyResource
    from pipelines.run import materialize_all

    wh = base / "w.duckdb"
    done = base / "DONE"
    if done.is_file():
        return wh
    base.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    synth = synthesize(seed=20261127, out_dir=base / "raw", villages=6, households_per_village=30)
    survey = SurveyResource(raw=str(synth.export_path), frame=str(synth.frame_path),
                            instrument=str(INSTRUMENT), warehouse=str(wh),
                            landing=str(base / "landing"), reports=str(base / "reports"),
                            run_id="analysts")
    materialize_all(survey, stages=STAGES)
    with connect(wh, read_only=True) as con:
        publish_snapshot(con, snapshot_dir(wh))
    # Planted names, phone numbers and GPS values: none may reach a notebook output.
    (base / "pii.txt").write_text("\n".join(sorted(synth.pii_values)), encoding="utf-8")
    done.touch()
    return wh
