"""Core model, indicator values and estimates."""

import dagster as dg

from parenting_assessment.core.build import build_core
from parenting_assessment.estimates.run import estimate_all
from parenting_assessment.indicators.catalogue import load_catalogue
from parenting_assessment.indicators.engine import build_unit_values
from parenting_assessment.models import fit_models
from parenting_assessment.needs import load_needs_config, needs_tables
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


@dg.asset(group_name="analysis", kinds={"duckdb", "parquet"}, deps=[survey_estimates])
def needs_index(survey: SurveyResource) -> dg.MaterializeResult:
    """Caregiving-needs index per village with CI, rank interval and P(top k); sensitivity."""
    config = load_needs_config()
    out = survey.settings.out_dir
    with survey.connect() as con:
        tables = needs_tables(con, config)
        for name, df in tables.items():
            replace_table(con, f"estimates.{name}", df)
            df.to_parquet(out / f"{name}.parquet", index=False)
    idx = tables["needs_index"]
    ranked = idx[idx["status"] == "ranked"].sort_values("rank")
    return dg.MaterializeResult(metadata={
        "config_version": config.version, "villages_ranked": int(len(ranked)),
        "top": dg.MetadataValue.md(ranked.head(10)[
            ["village_name", "index", "ci_low", "ci_high", "rank_low", "rank_high", "p_top_k"]]
            .round(2).to_markdown(index=False))})


@dg.asset(group_name="analysis", kinds={"statsmodels"}, deps=[indicator_values])
def model_results(survey: SurveyResource) -> dg.MaterializeResult:
    """Weighted logistic regressions of caregiving outcomes on parental migration status."""
    with survey.connect() as con:
        res = fit_models(con)
        replace_table(con, "estimates.model_results", res)
    res.to_parquet(survey.settings.out_dir / "model_results.parquet", index=False)
    return dg.MaterializeResult(metadata={"dagster/row_count": len(res),
                                          "models": sorted(res["model"].unique().tolist())})
