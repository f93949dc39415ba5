"""Fieldwork monitoring after each batch: enumerator and village tables and an HTML page."""

import dagster as dg

from parenting_assessment.monitoring import build_monitoring, render_monitoring
from pipelines.resources import SurveyResource


@dg.asset(group_name="validate", kinds={"duckdb", "html"}, deps=["validated_tables"],
          automation_condition=dg.AutomationCondition.eager())
def fieldwork_monitoring(survey: SurveyResource) -> dg.MaterializeResult:
    """Interviews per day, durations, DK and module-skip shares, GPS, duplicates, targets."""
    with survey.connect() as con:
        enum, vill = build_monitoring(con, survey.load_instrument(), survey.load_frame())
    path = render_monitoring(enum, vill, survey.settings.out_dir, survey.run_id)
    flagged = enum.loc[enum["outliers"] != "", ["enum_id", "outliers"]]
    return dg.MaterializeResult(metadata={
        "page": dg.MetadataValue.path(str(path)),
        "enumerators": len(enum), "villages": len(vill),
        "flagged_enumerators": dg.MetadataValue.json(flagged.to_dict("records")),
        "villages_flagged": int((vill["outliers"] != "").sum()),
    })
