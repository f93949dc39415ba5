"""End to end through Dagster: a small generated survey gives the validation report, Data Docs
and the fieldwork page; a batch with nothing usable left, or a broken schema, blocks the run."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest
from literal_survey import clean, literal_db, merge, mother, toddler
from pipelines.assets.validate import validated_tables
from pipelines.resources import SurveyResource
from pipelines.run import STAGES, PipelineError, materialize_all

from generated_survey import generated_survey

UP_TO_MONITORING = STAGES[: STAGES.index("fieldwork_monitoring") + 1]


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    base = tmp_path_factory.mktemp("e2e_validation")
    syn, survey = generated_survey(
        base, seed=3, villages=2, households_per_village=12, defect_rate=0.25, run_id="t1"
    )
    instance = dg.DagsterInstance.ephemeral()
    materialize_all(survey, instance=instance, stages=UP_TO_MONITORING)
    return survey, instance, base / "reports" / "t1", syn


def test_stages_are_registered_after_validated_tables():
    i = STAGES.index("validated_tables")
    assert STAGES[i + 1 : i + 3] == ("validation_report", "fieldwork_monitoring")


def test_reports_and_data_docs_are_written(pipeline):
    _, _, out, _ = pipeline
    report = (out / "validation" / "validation_report.html").read_text(encoding="utf-8")
    for text in (
        "Reconciliation",
        "NOT CHECKED",
        "Findings by village",
        "data_docs/index.html",
        "interview_too_short",
    ):
        assert text in report
    assert (out / "validation" / "data_docs" / "index.html").exists()
    page = (out / "fieldwork_monitoring.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") >= 5 and "E0" in page


def test_no_name_phone_or_gps_leaves_the_raw_layer(pipeline):
    survey, _, out, syn = pipeline
    pages = " ".join(p.read_text(errors="ignore") for p in out.rglob("*.html"))
    with duckdb.connect(survey.warehouse, read_only=True) as con:
        values = {
            r[0]
            for r in con.execute(
                "select distinct value from validated.findings where value is not null"
            ).fetchall()
        }
    leaked = {v for v in syn.pii_values if len(v) > 5 and (v in pages or v in values)}
    assert not leaked


def test_warehouse_tables_and_balanced_reconciliation(pipeline):
    survey, _, _, _ = pipeline
    with duckdb.connect(survey.warehouse, read_only=True) as con:
        assert con.execute("select bool_and(balanced) from validated.reconciliation").fetchall()[0][
            0
        ]
        for t in (
            "monitoring_enumerators",
            "monitoring_villages",
            "override_log",
            "not_checked",
            "gx_results",
        ):
            con.execute(f"select * from validated.{t}").fetchall()
        assert con.execute("select count(*) from main.validation_findings").fetchall()[0][0] > 0


def test_asset_checks_per_family_with_examples(pipeline):
    _, instance, _, _ = pipeline
    evals = {}
    for run in instance.get_runs():
        for ev in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION):
            data = ev.dagster_event.event_specific_data
            evals[data.check_name] = data
    assert {
        "rows_remain",
        "schema_valid",
        "reconciliation_balanced",
        "rules_fieldwork",
        "rules_duplicates",
        "rules_required",
        "gx_agrees_with_sql",
    } <= set(evals)
    assert evals["rows_remain"].passed and evals["reconciliation_balanced"].passed
    assert evals["gx_agrees_with_sql"].passed
    meta = evals["rules_fieldwork"].metadata
    assert meta["errors"].value > 0 and meta["example_row_keys"].value


def _blocked(tmp_path, ins, rows, edit=None) -> str:
    path = tmp_path / "w.duckdb"
    con = literal_db(ins, rows)
    if edit:
        con.execute(edit)
    con.execute(f"attach '{path}' as f")
    for s in ("raw", "typed"):
        con.execute(f"create schema f.{s}")
        for (t,) in con.execute(
            "select table_name from information_schema.tables "
            f"where table_schema = '{s}' and table_catalog = 'memory'"
        ).fetchall():
            con.execute(f"create table f.{s}.{t} as select * from memory.{s}.{t}")
    con.close()
    survey = SurveyResource(warehouse=str(path), reports=str(tmp_path / "r"), run_id="x")
    res = dg.materialize(
        [validated_tables],
        resources={"survey": survey},
        raise_on_error=False,
        run_config={"ops": {"validated_tables": {"config": {"run_gx": False}}}},
    )
    assert not res.success
    failed = [e.check_name for e in res.get_asset_check_evaluations() if not e.passed]
    return ",".join(sorted(failed))


def test_nothing_left_blocks(tmp_path, ins):
    u = "00000000-0000-4000-c000-000000000001"
    rows = clean(u)
    rows["roster"] = [mother(u), toddler(u, HL4=None)]
    assert "rows_remain" in _blocked(tmp_path, ins, rows)


def test_broken_schema_blocks(tmp_path, ins):
    u = "00000000-0000-4000-c000-000000000002"
    rows = merge(clean(u))
    assert "schema_valid" in _blocked(
        tmp_path, ins, rows, "alter table typed.roster drop column HL12"
    )


def test_bad_overrides_file_is_one_line(tmp_path, monkeypatch, pipeline):
    survey, _, _, _ = pipeline
    bad = tmp_path / "o.csv"
    bad.write_text("row_key,rule_id,decision,reason,reviewer,date\nk,r,nope,x,y,2026-01-01\n")
    monkeypatch.setenv("PA_OVERRIDES", str(bad))
    other = survey.model_copy(update={"warehouse": str(tmp_path / "w2.duckdb")})
    with pytest.raises(PipelineError) as exc:
        materialize_all(other, stages=UP_TO_MONITORING[:3])
    assert str(exc.value) == (
        f"validated_tables: {bad}: line 2: decision must be 'release' or 'keep', got 'nope'"
    )
