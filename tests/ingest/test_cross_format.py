"""The same 5 submissions read from every format give the same raw tables.

Compared against the real Kobo XLSX (formpack output). Columns a format cannot carry are named
per format in CANNOT_CARRY; everything else must be identical, value for value.
"""

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from parenting_assessment.ingest.columns import LINEAGE, section_columns
from parenting_assessment.ingest.detect import detect_format
from parenting_assessment.ingest.run import READERS
from parenting_assessment.instrument import load_instrument

FIX = Path(__file__).resolve().parents[1] / "fixtures"
REF = FIX / "kobo_reference"
SC = FIX / "scenarios" / "reference_formats"
LOCATION = ["_source_file", "_source_sheet", "_source_row", "_parent_row", "_file_sha256"]
ODK_META = ["_submission_id", "_submission_time", "_form_version", "_validation_status"]
CANNOT_CARRY = {
    # Kobo CSV, SPSS, Stata: main table only (repeat sections are empty, checked below).
    "kobo_xml_values.csv": [],
    "kobo_main.sav": [],
    "kobo_main.dta": [],
    # ODK: no Kobo _id; SubmissionDate text ends in '.000Z'; FormVersion is settings.version,
    # not the Kobo asset version uid; ReviewState has its own vocabulary.
    "submissions.csv.zip": ODK_META,
    "submissions.csv": ODK_META,
    # Legacy: no meta/rootUuid (edited submissions lose their root), and only True/False
    # choice columns, so the summary is rebuilt in choice-list order, not selection order.
    "kobo_legacy.csv": ["submission_root", "assets"],
}


def read(path: Path, ins):
    return READERS[detect_format(path)](path, ins, batch="b1", sha256="f" * 64)


def normal(df: pd.DataFrame) -> pd.DataFrame:
    """The XLSX reader leaves some lineage columns as pandas str with '' for blank."""
    out = df.astype(object)
    return out.where(out.notna() & (out != ""), None).reset_index(drop=True)


@pytest.fixture(scope="module")
def ins():
    return load_instrument(REF / "form.xlsx")


@pytest.fixture(scope="module")
def xlsx(ins):
    return read(REF / "kobo_xml_values.xlsx", ins)


@pytest.mark.parametrize("name", list(CANNOT_CARRY))
def test_same_tables_from_every_format(name, ins, xlsx):
    path = REF / name if name.endswith(".csv") and name.startswith("kobo_xml") else SC / name
    other = read(path, ins)
    assert list(other.sections) == list(xlsx.sections)
    skip = LOCATION + CANNOT_CARRY[name]
    for section, df in other.sections.items():
        assert list(df.columns) == section_columns(ins, section) + list(LINEAGE)
        assert set(map(str, df.dtypes)) <= {"object"}
        assert not df.isin([""]).any().any(), "blank must be None, never ''"
        if df.empty:
            assert section != "household"
            continue
        pd.testing.assert_frame_equal(
            normal(xlsx.sections[section]).drop(columns=skip, errors="ignore"),
            df.drop(columns=skip, errors="ignore"))


def test_main_only_formats_say_why_repeats_are_empty(ins):
    for path in (REF / "kobo_xml_values.csv", SC / "submissions.csv", SC / "kobo_main.sav",
                 SC / "kobo_main.dta"):
        export = read(path, ins)
        assert export.rows_per_section() == {"household": 5, "roster": 0, "child": 0}
        assert any("repeats need the XLSX or ODK export" in n for n in export.notes)


def test_odk_timestamps_are_the_same_instants(ins, xlsx):
    odk = read(SC / "submissions.csv.zip", ins).sections["household"]
    kobo = xlsx.sections["household"]["_submission_time"]
    as_utc = [datetime.fromisoformat(t).replace(tzinfo=UTC) for t in kobo]
    assert [datetime.fromisoformat(t) for t in odk["_submission_time"]] == as_utc
    assert odk["_form_version"].tolist() == ["v1", "v1", "v1", "v2", "v2"]
    assert odk["_submission_id"].isna().all()


def test_lineage_points_back_into_each_file(ins):
    odk = read(SC / "submissions.csv.zip", ins)
    roster = odk.sections["roster"]
    assert set(roster["_source_sheet"]) == {"aHk3sP9mQx2Wn7VtRz5LdE-roster.csv"}
    assert roster["_source_row"].tolist()[:2] == ["2", "3"]
    hh = read(REF / "kobo_xml_values.csv", ins).sections["household"]
    # submission 3 has a two-line note, so submission 4 starts on line 6 of the CSV
    assert hh["_source_row"].tolist() == ["2", "3", "4", "6", "7"]
    legacy = read(SC / "kobo_legacy.csv", ins).sections["child"]
    assert legacy["_parent_row"].tolist()[:3] == ["kobo_legacy.csv:2", "kobo_legacy.csv:3",
                                                  "kobo_legacy.csv:3"]
    assert legacy["_source_row"].tolist()[:3] == ["2", "3", "3"]
