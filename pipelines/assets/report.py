"""The mapping report."""

import dagster as dg

from parenting_assessment import __version__
from parenting_assessment.indicators.catalogue import load_catalogue
from parenting_assessment.report.render import RunInfo, render_html
from pipelines.resources import SurveyResource


@dg.asset(group_name="report", kinds={"html"}, deps=["survey_estimates"])
def mapping_report(survey: SurveyResource) -> dg.MaterializeResult:
    """The HTML report, Indonesian first then English."""
    settings = survey.settings
    run = RunInfo(run_id=survey.run_id, code_version=__version__)
    paths = {}
    with survey.connect(read_only=True) as con:
        for lang in settings.languages:
            paths[lang] = str(render_html(con, load_catalogue(), survey.load_frame(),
                                          settings.out_dir, run, lang))
    return dg.MaterializeResult(metadata={f"report_{k}": dg.MetadataValue.path(v)
                                          for k, v in paths.items()})
