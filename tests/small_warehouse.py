"""One small, freshly generated warehouse for the API and notebook tests (built once per session).

6 villages × 30 households with the generator's default defects (so findings and quarantine are
not empty), the real pipeline up to the models (the report stage is not needed and is slow), and
the Parquet snapshot that the end of a run publishes.
"""

from __future__ import annotations

import os
from pathlib import Path

from generated_survey import WAREHOUSE_STAGES
from parenting_assessment.snapshot import publish_snapshot, snapshot_dir
from parenting_assessment.warehouse import connect

STAGES = WAREHOUSE_STAGES


def build(base: Path) -> Path:
    """The warehouse path; generated into `base` unless a previous call already did it."""
    from pipelines.run import materialize_all

    from generated_survey import generated_survey

    wh = base / "w.duckdb"
    done = base / "DONE"
    if done.is_file():
        return wh
    base.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    synth, survey = generated_survey(
        base,
        seed=20261127,
        villages=6,
        households_per_village=30,
        defect_rate=0.03,
        run_id="analysts",
    )
    materialize_all(survey, stages=STAGES)
    with connect(wh, read_only=True) as con:
        publish_snapshot(con, snapshot_dir(wh))
    # Planted names, phone numbers and GPS values: none may reach a notebook output.
    (base / "pii.txt").write_text("\n".join(sorted(synth.pii_values)), encoding="utf-8")
    done.touch()
    return wh
