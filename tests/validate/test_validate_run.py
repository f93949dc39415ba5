"""The whole validation on a literal warehouse: findings table, GX, quarantine, reconciliation."""

from __future__ import annotations

import pytest
from literal_survey import clean, household, literal_db, merge, mother, repeat, toddler, u5_module

from parenting_assessment.validate.findings import FINDING_COLUMNS, REDACTED
from parenting_assessment.validate.run import validate

OK, BAD, WARN, PII, EC1 = (f"00000000-0000-4000-a000-{i:012d}" for i in (1, 2, 3, 4, 5))
ORPHAN = "00000000-0000-4000-a000-000000000099"


def rows() -> dict:
    bad = clean(BAD)
    bad["roster"] = [mother(BAD), toddler(BAD, HL4=None)]  # required:HL4 (error)
    warn = clean(WARN)
    warn["child"] = [u5_module(WARN, UB8="1", paud_type="6")]  # paud_other (warning)
    pii = clean(PII)
    pii["household"] = [household(PII, resp_phone="12345", resp_name="A")]
    no_books = clean(EC1)
    no_books["child"] = [u5_module(EC1, EC1=None)]  # required:EC1 (error)
    orphan = {"roster": [repeat(ORPHAN, "roster", 1, HL1="1", HL3="1", HL4="2", HL6=40)]}
    return merge(clean(OK), bad, warn, pii, no_books, orphan)


@pytest.fixture(scope="module")
def run(ins, frame, tmp_path_factory):
    docs = tmp_path_factory.mktemp("docs")
    con = literal_db(ins, rows())
    # A limit of 190 stacked rows: the roster's required stack (11 rows x 18 questions) runs
    # count-only on its profile, as a national batch would; the child's (5 rows x 37) runs
    # with COMPLETE results and GX names the rows itself.
    res = validate(con, ins, frame, docs_dir=docs, overrides=None, gx_row_limit=190)
    return con, res, docs


def by(res, key):
    f = res.findings
    return f[f["row_key"] == key]


def test_one_findings_table_with_the_schema_and_view(run):
    con, res, _ = run
    cols = [r[0] for r in con.execute("describe main.validation_findings").fetchall()]
    assert cols[: len(FINDING_COLUMNS)] == FINDING_COLUMNS
    n = con.execute("select count(*) from validated.findings").fetchall()[0][0]
    assert n == len(res.findings) > 0
    assert set(res.findings["severity"]) == {"error", "warning"}


def test_gx_and_sql_agree_and_both_are_recorded(run):
    _, res, docs = run
    gx = res.gx_results
    assert gx["agree"].all()
    modes = gx.groupby(["section", "suite"])["mode"].first()
    assert modes["roster", "roster_required"] == "profile"
    assert modes["child", "child_required"] == "rows"
    # rows mode: GX itself named the child row; counts mode: GX counted, SQL named the row
    for key, rule in ((f"{EC1}/child[1]", "required:EC1"), (f"{BAD}/roster[2]", "required:HL4")):
        row = by(res, key)
        assert row["rule_id"].tolist() == [rule]
        assert row["checked_by"].iloc[0] == "great_expectations+sql"
    assert (docs / "index.html").exists()


def test_personal_data_is_masked_everywhere(run):
    con, res, docs = run
    got = by(res, PII).set_index("rule_id")
    assert got.loc["constraint:resp_phone", "value"] == REDACTED
    assert got.loc["constraint:resp_name", "value"] == REDACTED
    assert "great_expectations" in got.loc["constraint:resp_phone", "checked_by"]
    pages = "".join(p.read_text(errors="ignore") for p in docs.rglob("*.html"))
    assert "12345" not in pages


def test_whole_submission_quarantined_with_reasons(run):
    con, res, _ = run
    q = con.execute(f"""select row_key, rule_id, reason_kind, value from validated.quarantine
                        where submission_uuid = '{BAD}' order by row_key""").df()
    assert len(q) == 5  # household, 2 roster rows, child, caregiver
    own = q[q["reason_kind"] == "own"]
    assert own["rule_id"].tolist() == ["required:HL4"]
    assert set(q.loc[q["reason_kind"] == "dependent", "rule_id"]) == {
        "depends_on_quarantined_submission"
    }
    assert (
        con.execute(
            f"select count(*) from validated.household where submission_uuid = '{BAD}'"
        ).fetchall()[0][0]
        == 0
    )


def test_warning_keeps_and_flags_the_row(run):
    con, _, _ = run
    flags = con.execute(
        f"select _flags from validated.child where submission_uuid = '{WARN}'"
    ).fetchall()[0][0]
    assert flags == ["paud_other"]
    assert (
        con.execute(
            "select count(*) from validated.warnings where rule_id = 'paud_other'"
        ).fetchall()[0][0]
        == 1
    )


def test_orphan_row_is_quarantined_and_everything_reconciles(run):
    con, res, _ = run
    rule = con.execute(
        f"select rule_id from validated.quarantine where row_key like '{ORPHAN}%'"
    ).fetchall()
    assert rule == [("orphan_repeat_row",)]
    recon = res.reconciliation.set_index("section")
    assert recon["balanced"].all()
    assert (
        recon["rows_read"] == recon["accepted"] + recon["quarantined"] + recon["duplicates"]
    ).all()
    assert recon.loc["roster", "rows_read"] == 11


def test_not_checked_and_catalogue_tables(run):
    con, res, _ = run
    assert res.not_checked.empty
    n = con.execute("select count(*) from validated.rule_catalogue").fetchall()[0][0]
    assert n > 400


def test_a_clean_batch_has_no_findings_and_keeps_everything(ins, frame):
    con = literal_db(ins, clean(OK))
    res = validate(con, ins, frame, overrides=None, run_gx=False)
    assert res.findings.empty and res.reconciliation["balanced"].all()
    assert con.execute("select count(*) from validated.quarantine").fetchall()[0][0] == 0
    assert con.execute("select count(*) from validated.roster").fetchall()[0][0] == 2
    assert con.execute("select count(*) from main.validation_findings").fetchall()[0][0] == 0
