"""Materialise the whole asset graph in-process, stage by stage, reporting progress.

Used by the CLI (``parenting-assessment run``) and the end-to-end tests: one code path for
both, so the tests exercise what users run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import dagster as dg

from parenting_assessment.ingest.batches import discover_batches
from pipelines.definitions import defs
from pipelines.partitions import survey_batches
from pipelines.resources import SurveyResource

STAGES = ("raw_batch", "typed_tables", "validated_tables", "validation_report",
          "fieldwork_monitoring", "core_model", "indicator_values", "survey_estimates",
          "needs_index", "model_results", "mapping_report")
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


class PipelineError(RuntimeError):
    """A stage failed; the message is the stage's own one-line error."""


def _failure_message(result: dg.ExecuteInProcessResult) -> str:
    for ev in result.all_events:
        if ev.event_type_value == "STEP_FAILURE" and ev.step_failure_data:
            err = ev.step_failure_data.user_failure_data
            if err and err.description:
                return err.description
            cause = ev.step_failure_data.error
            while cause is not None and cause.cause is not None:
                cause = cause.cause
            return (cause.message if cause else "unknown error").strip().splitlines()[-1]
        if ev.event_type_value == "ASSET_CHECK_EVALUATION":
            data = ev.event_specific_data
            if not data.passed and data.severity == dg.AssetCheckSeverity.ERROR:
                return f"blocking check failed: {data.check_name}"
    return "the run failed"


def materialize_all(survey: SurveyResource, *, progress: Callable[[str], None] | None = None,
                    instance: dg.DagsterInstance | None = None,
                    stages: tuple[str, ...] = STAGES,
                    report_config: dict | None = None) -> float:
    """Run every stage; raise PipelineError with the failing stage's message.

    ``report_config`` is the ``mapping_report`` asset's config (``{"langs": [...],
    "formats": [...]}``), passed as Dagster run config so the CLI and the UI select the
    languages and formats the same way.
    """
    assets = list(defs.assets or [])
    if instance is None:
        instance = (dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME")
                    else dg.DagsterInstance.ephemeral())
    start = time.perf_counter()
    batches = list(discover_batches(Path(survey.raw)))
    if not batches:
        raise PipelineError(f"raw_batch: {survey.raw}: no export files found")
    instance.add_dynamic_partitions(survey_batches.name, batches)
    for i, stage in enumerate(stages, start=1):
        t0 = time.perf_counter()
        for key in batches if stage == "raw_batch" else [None]:
            config = QUIET
            if stage == "mapping_report" and report_config:
                config = {**QUIET, "ops": {"mapping_report": {"config": report_config}}}
            result = dg.materialize(assets, selection=[stage], resources={"survey": survey},
                                    instance=instance, run_config=config, partition_key=key,
                                    raise_on_error=False)
            if not result.success:
                where = f"{stage}[{key}]" if key else stage
                raise PipelineError(f"{where}: {_failure_message(result)}")
        if progress:
            progress(f"[{i}/{len(stages)}] {stage:<18} {time.perf_counter() - t0:6.1f} s")
    return time.perf_counter() - start
