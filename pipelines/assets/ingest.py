"""Landing and raw tables, one partition per fieldwork batch."""

from pathlib import Path

import dagster as dg

from parenting_assessment.ingest.batches import discover_batches
from parenting_assessment.ingest.reconcile import ingest_overlap
from parenting_assessment.ingest.run import ingest_files
from pipelines.partitions import survey_batches
from pipelines.resources import SurveyResource


@dg.asset(group_name="ingest", kinds={"duckdb"}, partitions_def=survey_batches)
def raw_batch(context: dg.AssetExecutionContext, survey: SurveyResource) -> dg.MaterializeResult:
    """One batch's export files landed (content-addressed) and read into raw text tables.

    Metadata: the files and what happened to each, rows written by this run per section, and
    the batch's overlap with earlier batches (rows of submissions already in the warehouse,
    which typing will de-duplicate; ``edited`` = a new version of one).
    """
    batch = context.partition_key
    files = discover_batches(Path(survey.raw)).get(batch, [])
    if not files:
        files = discover_batches(Path(survey.watch)).get(batch, [])
    with survey.connect() as con:
        result = ingest_files(con, files, survey.load_instrument(), batch=batch,
                              landing_dir=Path(survey.landing))
        overlap = ingest_overlap(con, batch) if result.status == "ok" else None
    if result.status != "ok" or overlap is None:
        raise dg.Failure(description=result.message)
    for f in result.files:
        context.log.info(f"{f['file_name']}: {f['status']} ({f.get('format', '')})")
    return dg.MaterializeResult(metadata={
        "files": dg.MetadataValue.json(
            [{k: str(v) for k, v in f.items() if k != "stored_path"} for f in result.files]),
        "rows_per_section": dg.MetadataValue.json(result.rows_per_section),
        "seconds_by_step": dg.MetadataValue.json(result.seconds),
        "rows_read": int(overlap["rows_read"].sum()),
        "seen_before": int(overlap["seen_before"].sum()),
        "overlap": dg.MetadataValue.md(overlap.to_markdown(index=False)),
    })
