"""Typed and validated layers, with asset checks per rule family."""

from pathlib import Path

import dagster as dg

from parenting_assessment.typed import build_typed
from parenting_assessment.validate.run import validate
from pipelines.resources import SurveyResource

FAMILIES = ("required", "choice", "range", "type", "frame", "duplicates", "structure")


@dg.asset(group_name="validate", kinds={"duckdb"}, deps=["raw_batch"],
          automation_condition=dg.AutomationCondition.eager())
def typed_tables(survey: SurveyResource) -> dg.MaterializeResult:
    """Raw text cast by the instrument's types; one copy per submission."""
    with survey.connect() as con:
        counts = build_typed(con, survey.load_instrument())
    return dg.MaterializeResult(metadata={"rows": dg.MetadataValue.json(counts)})


@dg.asset(
    group_name="validate", kinds={"duckdb"}, deps=[typed_tables],
    automation_condition=dg.AutomationCondition.eager(),
    check_specs=[dg.AssetCheckSpec("rows_remain", asset="validated_tables", blocking=True)]
    + [dg.AssetCheckSpec(f"rules_{f}", asset="validated_tables") for f in FAMILIES],
)
def validated_tables(survey: SurveyResource) -> dg.MaterializeResult:
    """Accepted rows, quarantine with reasons, and one table of every finding."""
    docs = Path(survey.settings.out_dir) / "validation" / "data_docs"
    with survey.connect() as con:
        res = validate(con, survey.load_instrument(), survey.load_frame(), docs_dir=docs)
        accepted_hh = con.execute("select count(*) from validated.household").fetchall()[0][0]
    f = res.findings
    checks = [dg.AssetCheckResult(
        check_name="rows_remain", passed=bool(accepted_hh > 0),
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"accepted_households": int(accepted_hh)})]
    for fam in FAMILIES:
        sub = f[f["rule_family"] == fam] if not f.empty else f
        checks.append(dg.AssetCheckResult(
            check_name=f"rules_{fam}", passed=len(sub) == 0,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"findings": len(sub),
                      "examples": dg.MetadataValue.json(
                          sub.head(5)[["section", "row_key", "rule_id", "value"]]
                          .astype(str).to_dict("records") if len(sub) else [])}))
    recon = res.reconciliation
    return dg.MaterializeResult(
        metadata={"findings_by_family": dg.MetadataValue.json(res.by_family()),
                  "reconciliation": dg.MetadataValue.md(recon.to_markdown(index=False)),
                  "data_docs": dg.MetadataValue.path(str(docs / "index.html"))},
        check_results=checks)
