"""Watch ``data/raw/`` for fieldwork batches.

A new batch folder (or changed files in one) registers a partition and asks for its ingest;
validation follows through the downstream assets' automation condition.
"""

import json
from pathlib import Path

import dagster as dg

from parenting_assessment.ingest.batches import discover_batches, signature
from pipelines.assets.ingest import raw_batch
from pipelines.partitions import survey_batches
from pipelines.resources import SurveyResource


@dg.sensor(target=[raw_batch], minimum_interval_seconds=30,
           default_status=dg.DefaultSensorStatus.RUNNING)
def raw_folder_sensor(context: dg.SensorEvaluationContext, survey: SurveyResource):
    seen = json.loads(context.cursor) if context.cursor else {}
    batches = discover_batches(Path(survey.watch))
    known = set(context.instance.get_dynamic_partitions(survey_batches.name))
    new_keys, requests, cursor = [], [], dict(seen)
    for batch, files in batches.items():
        sig = signature(files)
        if seen.get(batch) == sig:
            continue
        cursor[batch] = sig
        if batch not in known:
            new_keys.append(batch)
        requests.append(dg.RunRequest(run_key=f"{batch}:{sig}", partition_key=batch))
    return dg.SensorResult(
        run_requests=requests, cursor=json.dumps(cursor, sort_keys=True),
        dynamic_partitions_requests=[survey_batches.build_add_request(new_keys)]
        if new_keys else [])
