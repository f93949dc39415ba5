"""Fieldwork monitoring: enumerator and village indicators, robust outliers, the HTML page."""

from __future__ import annotations

import pandas as pd
import pytest
from literal_survey import VILLAGE, clean, household, literal_db, merge, toddler

from parenting_assessment.monitoring import build_monitoring, render_monitoring
from parenting_assessment.monitoring.metrics import dk_codes, robust_z
from parenting_assessment.validate.run import validate


def uid(i: int) -> str:
    return f"00000000-0000-4000-d000-{i:012d}"


def survey() -> dict:
    parts, i = [], 0
    for e in range(1, 7):  # six enumerators, three interviews each
        for k in range(3):
            i += 1
            u = uid(i)
            r = clean(u)
            start = f"2026-09-0{1 + k % 2} 0{8 + k}:00:00+07"
            end = f"2026-09-0{1 + k % 2} 0{8 + k}:{'08' if e == 6 else '50'}:00+07"
            r["household"] = [
                household(
                    u,
                    enum_id=f"E0{e}",
                    start=start,
                    end=end,
                    today=start[:10],
                    hh_stratum="pmi" if k else "non_pmi",
                )
            ]
            if e == 5:  # many "don't know" answers
                r["roster"][1] = toddler(u, HL16="8", HL17=None, HL19=None)
            parts.append(r)
    parts.append(
        {
            "household": [
                household(
                    uid(99),
                    enum_id="E01",
                    visit_result="3",
                    consent=None,
                    resp_name=None,
                    gps=None,
                    gps_lat=None,
                    gps_lon=None,
                    sel_fs_ln=None,
                    mig_n=None,
                    ch_n=None,
                    cg_n=None,
                )
            ]
        }
    )
    return merge(*parts)


@pytest.fixture(scope="module")
def tables(ins, frame):
    con = literal_db(ins, survey())
    validate(con, ins, frame, overrides=None, run_gx=False)
    enum, vill = build_monitoring(con, ins, frame)
    return con, enum.set_index("enum_id"), vill.set_index("village")


def test_robust_z():
    z = robust_z(pd.Series([1.0, 1.1, 0.9, 1.0, 5.0]))
    assert z.iloc[-1] > 2 and (z.iloc[:-1].abs() < 2).all()
    assert (robust_z(pd.Series([2.0, 2.0, 2.0])) == 0).all()


def test_dk_codes_come_from_the_labels(ins):
    codes = dk_codes(ins)
    assert codes["yndk"] == ["8"] and codes["pcgrel"] == ["98"] and codes["yn"] == []


def test_enumerator_indicators_and_outliers(tables):
    _, enum, _ = tables
    assert enum.loc["E01", "submissions"] == 4 and enum.loc["E01", "completed"] == 3
    assert enum.loc["E01", "interviews_per_day"] == 2.0
    assert enum.loc["E02", "median_minutes"] == 50.0
    assert enum.loc["E06", "median_minutes"] == 8.0
    assert "median_minutes" in enum.loc["E06", "outliers"]
    assert enum.loc["E06", "quarantine_rate"] == 1.0  # interview_too_short is an error
    assert enum.loc["E05", "dk_share"] > enum.loc["E02", "dk_share"]
    assert "dk_share" in enum.loc["E05", "outliers"]
    assert enum.loc["E02", "outliers"] == ""


def test_village_completion_against_targets(tables):
    _, _, vill = tables
    v = vill.loc[VILLAGE]
    assert (v["target_pmi"], v["completed_pmi"], v["completed_non_pmi"]) == (18, 12, 6)
    assert v["accepted_pmi"] == 10  # E06's interviews are quarantined
    assert v["response_rate"] == pytest.approx(18 / 19, abs=1e-3)
    assert "below 80% of target" in v["outliers"]
    assert not vill.loc["32.12.16.2004", "completed_pmi"]


def test_tables_in_the_warehouse_and_the_page(tables, tmp_path):
    con, enum, vill = tables
    assert (
        con.execute("select count(*) from validated.monitoring_enumerators").fetchall()[0][0] == 6
    )
    path = render_monitoring(enum.reset_index(), vill.reset_index(), tmp_path, "r1")
    html = path.read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 5
    assert 'class="out"' in html and "E06" in html
