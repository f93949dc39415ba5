"""Landing and raw tables."""

from pathlib import Path

import dagster as dg

from parenting_assessment.ingest.landing import export_files
from parenting_assessment.ingest.run import ingest_files
from pipelines.resources import SurveyResource


def batch_name(raw: Path) -> str:
    return (raw.parent.name if raw.is_file() else raw.name) or "batch"


@dg.asset(group_name="ingest", kinds={"duckdb"})
def raw_tables(context: dg.AssetExecutionContext, survey: SurveyResource) -> dg.MaterializeResult:
    """Every export file landed (content-addressed) and read into raw text tables."""
    raw = Path(survey.raw)
    with survey.connect() as con:
        result = ingest_files(con, export_files(raw), survey.load_instrument(),
                              batch=batch_name(raw), landing_dir=Path(survey.landing))
    if result.status != "ok":
        raise dg.Failure(description=result.message)
    context.log.info(f"batch {result.batch}: {len(result.files)} file(s)")
    return dg.MaterializeResult(metadata={
        "batch": result.batch,
        "files": dg.MetadataValue.json(
            [{k: str(v) for k, v in f.items() if k != "stored_path"} for f in result.files]),
        "rows_per_section": dg.MetadataValue.json(result.rows_per_section),
    })
