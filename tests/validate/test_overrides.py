"""Reviewed overrides: release and keep round trip, the log, and one clear line on a bad file."""

from __future__ import annotations

import pytest
from literal_survey import clean, literal_db, merge, mother, toddler

from parenting_assessment.validate.overrides import OverridesError, load_overrides
from parenting_assessment.validate.run import validate

A, B = "00000000-0000-4000-b000-000000000001", "00000000-0000-4000-b000-000000000002"
HEADER = "row_key,rule_id,decision,reason,reviewer,date\n"


def rows() -> dict:
    a, b = clean(A), clean(B)
    a["roster"] = [mother(A), toddler(A, HL4="3")]  # choice:HL4 (error) in both
    b["roster"] = [mother(B), toddler(B, HL4="3")]
    return merge(a, b)


def quarantined(con) -> set[str]:
    return {
        r[0]
        for r in con.execute("select distinct submission_uuid from validated.quarantine").fetchall()
    }


def run(ins, frame, path):
    con = literal_db(ins, rows())
    res = validate(con, ins, frame, overrides=path, run_gx=False)
    return con, res


def test_release_and_keep_round_trip(ins, frame, tmp_path):
    con, _ = run(ins, frame, None)
    assert quarantined(con) == {A, B}
    path = tmp_path / "overrides.csv"
    path.write_text(
        "# reviewed by the field supervisor\n"
        + HEADER
        + f"{A}/roster[2],choice:HL4,release,code 3 = intersex per callback,Dewi,"
        "2026-09-10\n"
        + f"{B}/roster[2],choice:HL4,keep,confirmed wrong,Dewi,2026-09-10\n"
        + f"{B}/roster[9],*,release,stale line,Dewi,2026-09-10\n",
        encoding="utf-8",
    )
    con, res = run(ins, frame, path)
    assert quarantined(con) == {B}
    flags = con.execute(
        f"select _flags from validated.roster where _row_key = '{A}/roster[2]'"
    ).fetchall()[0][0]
    assert flags == ["choice:HL4"]  # released errors stay visible
    f = res.findings.set_index("row_key")
    assert f.loc[f"{A}/roster[2]", "override"] == "release"
    assert f.loc[f"{B}/roster[2]", "override"] == "keep"
    log = con.execute(
        "select row_key, decision, matched_findings, status, line "
        "from validated.override_log order by line"
    ).fetchall()
    assert [(d, m, s, ln) for _, d, m, s, ln in log] == [
        ("release", 1, "applied", 3),
        ("keep", 1, "applied", 4),
        ("release", 0, "no matching finding", 5),
    ]
    assert res.reconciliation["balanced"].all()


def test_star_releases_every_rule_of_a_row(ins, frame, tmp_path):
    path = tmp_path / "o.csv"
    path.write_text(HEADER + f"{A}/roster[2],*,release,checked,Rudi,2026-09-11\n")
    con, _ = run(ins, frame, path)
    assert quarantined(con) == {B}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            HEADER + "k,choice:HL4,relase,r,Dewi,2026-09-10\n",
            "line 2: decision must be 'release' or 'keep', got 'relase'",
        ),
        (HEADER + "k,choice:HL4,keep,r,Dewi,10/09/2026\n", "line 2: date must be YYYY-MM-DD"),
        (HEADER + "k,choice:HL4,keep,,Dewi,2026-09-10\n", "line 2: 'reason' is empty"),
        (
            HEADER + "k,r,keep,x,D,2026-09-10\nk,r,release,y,D,2026-09-10\n",
            "line 3: row_key/rule_id already decided on line 2",
        ),
        ("row_key,rule,decision,reason,reviewer,date\n", "line 1: header must be"),
        (HEADER + "k,choice:HL4,keep\n", "line 2: expected 6 fields, got 3"),
    ],
)
def test_bad_file_is_one_clear_line(tmp_path, body, message):
    path = tmp_path / "bad.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(OverridesError) as exc:
        load_overrides(path)
    text = str(exc.value)
    assert text.startswith(f"{path}: ") and message in text and "\n" not in text


def test_bad_file_stops_validation_before_any_change(ins, frame, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "k,choice:HL4,maybe,r,Dewi,2026-09-10\n")
    con = literal_db(ins, rows())
    with pytest.raises(OverridesError):
        validate(con, ins, frame, overrides=path, run_gx=False)
    assert (
        con.execute(
            "select count(*) from information_schema.tables where table_schema = 'validated'"
        ).fetchall()[0][0]
        == 0
    )


def test_shipped_file_is_a_valid_empty_override_list(root):
    assert load_overrides(root / "data" / "overrides" / "quarantine_overrides.csv").empty
