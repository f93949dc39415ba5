"""The Definitions object: assets, checks, the batch sensor and the survey resource."""

import dagster as dg

from pipelines.assets import analysis, ingest, monitoring, report, validate
from pipelines.resources import SurveyResource
from pipelines.sensors import raw_folder_sensor

defs = dg.Definitions(
    assets=dg.load_assets_from_modules([ingest, validate, monitoring, analysis, report]),
    sensors=[raw_folder_sensor],
    resources={"survey": SurveyResource()},
)
