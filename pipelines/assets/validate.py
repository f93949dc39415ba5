"""Typed and validated layers, asset checks per rule family, and the validation report."""

from pathlib import Path

import dagster as dg

from parenting_assessment.ingest.reconcile import batch_reconciliation
from parenting_assessment.typed import build_typed
from parenting_assessment.validate.domain_rules import DomainRuleError
from parenting_assessment.validate.overrides import OverridesError
from parenting_assessment.validate.report import render_validation_report
from parenting_assessment.validate.run import validate
from pipelines.resources import SurveyResource

FAMILIES = ("type", "required", "choice", "constraint", "skip", "consistency", "linkage",
            "structure", "frame", "fieldwork", "duplicates")
BLOCKING = ("rows_remain", "schema_valid", "reconciliation_balanced")


class ValidationConfig(dg.Config):
    """Run options; empty ``overrides`` means PA_OVERRIDES or data/overrides/."""

    overrides: str = ""
    run_gx: bool = True
    gx_row_limit: int = 100_000


@dg.asset(group_name="validate", kinds={"duckdb"}, deps=["raw_batch"],
          automation_condition=dg.AutomationCondition.eager())
def typed_tables(survey: SurveyResource) -> dg.MaterializeResult:
    """Raw text cast by the instrument's types; one copy per submission."""
    with survey.connect() as con:
        counts = build_typed(con, survey.load_instrument())
    return dg.MaterializeResult(metadata={"rows": dg.MetadataValue.json(counts)})


def _family_check(findings, family: str) -> dg.AssetCheckResult:
    sub = findings[findings["rule_family"] == family] if not findings.empty else findings
    errors = int((sub["severity"] == "error").sum()) if len(sub) else 0
    return dg.AssetCheckResult(
        check_name=f"rules_{family}", passed=errors == 0, severity=dg.AssetCheckSeverity.WARN,
        metadata={"errors": errors, "warnings": len(sub) - errors,
                  "submissions": int(sub["submission_uuid"].nunique()) if len(sub) else 0,
                  "rules": dg.MetadataValue.json(
                      sub.groupby("rule_id").size().sort_values(ascending=False).head(10)
                      .to_dict() if len(sub) else {}),
                  "example_row_keys": dg.MetadataValue.json(
                      sub.head(5)[["section", "row_key", "rule_id", "value"]].astype(str)
                      .to_dict("records") if len(sub) else [])})


@dg.asset(
    group_name="validate", kinds={"duckdb"}, deps=[typed_tables],
    automation_condition=dg.AutomationCondition.eager(),
    check_specs=[dg.AssetCheckSpec(c, asset="validated_tables", blocking=True) for c in BLOCKING]
    + [dg.AssetCheckSpec(f"rules_{f}", asset="validated_tables") for f in FAMILIES]
    + [dg.AssetCheckSpec("gx_agrees_with_sql", asset="validated_tables")],
)
def validated_tables(config: ValidationConfig, survey: SurveyResource) -> dg.MaterializeResult:
    """Accepted rows, quarantine with reasons, and one table of every finding."""
    docs = Path(survey.settings.out_dir) / "validation" / "data_docs"
    kwargs = {"overrides": Path(config.overrides)} if config.overrides else {}
    with survey.connect() as con:
        try:
            res = validate(con, survey.load_instrument(), survey.load_frame(), docs_dir=docs,
                           run_gx=config.run_gx, gx_row_limit=config.gx_row_limit, **kwargs)
        except (OverridesError, DomainRuleError) as exc:
            raise dg.Failure(description=str(exc)) from exc
        accepted_hh = con.execute(
            "select count(*) from validated.household where visit_result = '1' and consent = '1'"
        ).fetchall()[0][0]
        per_batch = batch_reconciliation(con)  # also writes meta.batch_reconciliation
    f, recon = res.findings, res.reconciliation
    unbalanced = recon.loc[~recon["balanced"], "section"].tolist()
    unbalanced_batches = per_batch.loc[~per_batch["balanced"], ["batch", "section"]].to_dict(
        "records")
    gx = res.gx_results
    disagree = (gx.loc[~gx["agree"], ["section", "rule_id"]].to_dict("records")
                if not gx.empty and "agree" in gx.columns else [])
    checks = [
        dg.AssetCheckResult(check_name="rows_remain", passed=bool(accepted_hh > 0),
                            severity=dg.AssetCheckSeverity.ERROR,
                            metadata={"accepted_responding_households": int(accepted_hh)}),
        dg.AssetCheckResult(check_name="schema_valid", passed=not res.missing_columns,
                            severity=dg.AssetCheckSeverity.ERROR,
                            metadata={"missing_columns": dg.MetadataValue.json(
                                res.missing_columns)}),
        dg.AssetCheckResult(check_name="reconciliation_balanced",
                            passed=not unbalanced and not unbalanced_batches,
                            severity=dg.AssetCheckSeverity.ERROR,
                            metadata={"unbalanced_sections": dg.MetadataValue.json(unbalanced),
                                      "unbalanced_batches": dg.MetadataValue.json(
                                          unbalanced_batches)}),
        *[_family_check(f, fam) for fam in FAMILIES],
        dg.AssetCheckResult(check_name="gx_agrees_with_sql", passed=not disagree,
                            severity=dg.AssetCheckSeverity.WARN,
                            metadata={"expectations": len(gx),
                                      "disagreements": dg.MetadataValue.json(disagree)}),
    ]
    return dg.MaterializeResult(
        metadata={"findings_by_family": dg.MetadataValue.json(res.by_family()),
                  "reconciliation": dg.MetadataValue.md(recon.to_markdown(index=False)),
                  "batch_reconciliation": dg.MetadataValue.md(
                      per_batch.to_markdown(index=False)),
                  "not_checked": len(res.not_checked),
                  "seconds_by_stage": dg.MetadataValue.json(res.timings),
                  "data_docs": dg.MetadataValue.path(str(docs / "index.html"))},
        check_results=checks)


@dg.asset(group_name="validate", kinds={"html"}, deps=[validated_tables],
          automation_condition=dg.AutomationCondition.eager())
def validation_report(survey: SurveyResource) -> dg.MaterializeResult:
    """Findings by rule and village, reconciliation, NOT CHECKED expressions, Data Docs link."""
    with survey.connect(read_only=True) as con:
        path = render_validation_report(con, survey.settings.out_dir, survey.run_id)
    return dg.MaterializeResult(metadata={"report": dg.MetadataValue.path(str(path))})
