"""The Definitions object: every asset and check, and the survey resource."""

import dagster as dg

from pipelines.assets import analysis, ingest, report, validate
from pipelines.resources import SurveyResource

defs = dg.Definitions(
    assets=dg.load_assets_from_modules([ingest, validate, analysis, report]),
    resources={"survey": SurveyResource()},
)
