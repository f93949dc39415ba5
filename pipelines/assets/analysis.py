"""Core model, indicator values and estimates."""

import dagster as dg

from parenting_assessment.core.build import build_core
from parenting_assessment.estimates.run import estimate_all
from parenting_assessment.indicators.catalogue import load_catalogue
from parenting_assessment.indicators.engine import build_unit_values
from parenting_assessment.warehouse import replace_table
from pipelines.resources import SurveyResource


@dg.asset(group_name="analysis", kinds={"duckdb"}, deps=["validated_tables"])
def core_model(survey: SurveyResource) -> dg.MaterializeResult:
    """Households, persons, children, modules, caregivers, migrants with design variables."""
    key, is_dev = survey.settings.pseudonym_key()
    with survey.connect() as con:
        counts = build_core(con, survey.load_frame(), key)
    return dg.MaterializeResult(metadata={"rows": dg.MetadataValue.json(counts),
                                          "development_pseudonym_key": is_dev})


@dg.asset(group_name="analysis", kinds={"duckdb"}, deps=[core_model])
def indicator_values(survey: SurveyResource) -> dg.MaterializeResult:
    """A 0/1 value per unit for every catalogue indicator."""
    cat = load_catalogue()
    with survey.connect() as con:
        n = build_unit_values(con, cat)
    return dg.MaterializeResult(metadata={"dagster/row_count": n,
                                          "catalogue_version": cat.version})


@dg.asset(group_name="analysis", kinds={"duckdb", "parquet"}, deps=[indicator_values])
def survey_estimates(survey: SurveyResource) -> dg.MaterializeResult:
    """Weighted estimates with SE, CI, deff, n and MICS flags for every cell."""
    cat = load_catalogue()
    out = survey.settings.out_dir
    out.mkdir(parents=True, exist_ok=True)
    with survey.connect() as con:
        est = estimate_all(con, cat, survey.load_frame())
        replace_table(con, "estimates.estimates", est)
    est.to_parquet(out / "estimates.parquet", index=False)
    return dg.MaterializeResult(metadata={"dagster/row_count": len(est),
                                          "parquet": dg.MetadataValue.path(
                                              str(out / "estimates.parquet"))})
