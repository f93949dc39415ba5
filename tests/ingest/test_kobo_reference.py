"""The Kobo XLSX reader on real formpack output (tests/fixtures/kobo_reference/README.md)."""

from pathlib import Path

import pandas as pd
import pytest

from parenting_assessment.ingest.kobo_xlsx import read_kobo_xlsx
from parenting_assessment.instrument import load_instrument

REF = Path(__file__).resolve().parents[1] / "fixtures" / "kobo_reference"


@pytest.fixture(scope="module")
def ins():
    return load_instrument(REF / "form.xlsx")


def read(ins, name):
    return read_kobo_xlsx(REF / name, ins, batch="b1", sha256="x" * 64)


def test_sections_and_row_counts(ins):
    exp = read(ins, "kobo_xml_values.xlsx")
    assert exp.rows_per_section() == {"household": 5, "roster": 15, "child": 5}
    assert exp.form_versions == ["vN6cJ2hX8dYtK5aMe4Ps9G", "vQ4sF8kT2mZpW9xRb7Lc3N"]


def test_group_paths_in_headers_give_the_same_tables(ins):
    plain = read(ins, "kobo_xml_values.xlsx")
    grouped = read(ins, "kobo_xml_values_groups.xlsx")
    for section in plain.sections:
        a = plain.sections[section].drop(columns=["_source_file"])
        b = grouped.sections[section].drop(columns=["_source_file"])
        pd.testing.assert_frame_equal(a, b)


def test_edited_submission_keeps_root_uuid_and_repeat_keys(ins):
    exp = read(ins, "kobo_xml_values.xlsx")
    hh = exp.sections["household"]
    edited = hh[hh["_submission_id"] == "301851760"].iloc[0]
    assert edited["submission_uuid"].startswith("9e5c2d41")
    assert edited["submission_root"].startswith("5a0d3e7b")
    roster = exp.sections["roster"]
    rows = roster[roster["submission_uuid"] == edited["submission_uuid"]]
    assert rows["_row_key"].tolist() == [f"{edited['submission_uuid']}/roster[{i}]"
                                         for i in range(1, 6)]
    assert (rows["_parent_key"] == edited["submission_uuid"]).all()


def test_select_multiple_blank_versus_zero_and_geopoint(ins):
    hh = read(ins, "kobo_xml_values.xlsx").sections["household"]
    absent = hh[hh["_submission_id"] == "301845012"].iloc[0]
    assert absent["assets"] is None and absent["assets/1"] is None
    answered = hh[hh["_submission_id"] == "301852233"].iloc[0]
    assert answered["assets"] == "4"
    assert (answered["assets/1"], answered["assets/4"]) == ("0", "1")
    assert answered["gps_lat"] == "-6.918430"
    no_gps = hh[hh["_submission_id"] == "301844377"].iloc[0]
    assert no_gps["gps"] is None and no_gps["gps_lat"] is None
