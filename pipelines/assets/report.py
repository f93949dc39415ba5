"""The mapping report: HTML + PDF per language, the Excel tables, estimates as CSV/Parquet."""

import base64
import io
from datetime import UTC, datetime

import dagster as dg

from parenting_assessment.report import FORMATS, RunInfo, render_report
from parenting_assessment.report.annex import code_version
from parenting_assessment.snapshot import publish_snapshot, snapshot_dir
from pipelines.resources import SurveyResource


class ReportConfig(dg.Config):
    """Which languages and formats to render (the CLI's ``--lang`` / ``--format``)."""

    langs: list[str] = ["id", "en"]
    formats: list[str] = list(FORMATS)


def _preview(paths: dict) -> str:
    """Markdown with the needs map (or the first chart) as a small inline PNG preview."""
    from PIL import Image

    for (lang, fmt), path in sorted(paths.items()):
        if fmt not in ("html", "pdf"):
            continue
        figures = sorted((path.parent / "figures" / lang).glob("*.png"))
        pick = next((f for f in figures if f.stem == "needs_map"), figures[0] if figures else None)
        if pick is not None:
            image = Image.open(pick)
            image.thumbnail((360, 360))
            buf = io.BytesIO()
            image.save(buf, format="PNG")
            data = base64.b64encode(buf.getvalue()).decode()
            return f"![{pick.stem}](data:image/png;base64,{data})"
    return "no chart"


@dg.asset(group_name="report", kinds={"html", "pdf", "excel"},
          deps=["survey_estimates", "needs_index", "model_results"])
def mapping_report(config: ReportConfig, survey: SurveyResource) -> dg.MaterializeResult:
    """The report, Indonesian first then English, as self-contained HTML and as PDF."""
    settings = survey.settings
    run = RunInfo(run_id=survey.run_id, code_version=code_version(),
                  time=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    with survey.connect(read_only=True) as con:
        # Analysts read this snapshot while a later run holds the warehouse (docs/analysts.md).
        publish_snapshot(con, snapshot_dir(survey.warehouse))
        paths = render_report(con, langs=config.langs, formats=config.formats,
                              out_dir=settings.out_dir, run_info=run, frame=survey.load_frame(),
                              instrument_path=settings.instrument)
    meta: dict[str, dg.MetadataValue] = {
        f"{fmt}_{lang}": dg.MetadataValue.path(str(p)) for (lang, fmt), p in sorted(paths.items())}
    meta["preview"] = dg.MetadataValue.md(_preview(paths))
    return dg.MaterializeResult(metadata=meta)
