"""Repeat tables rebuilt from ODK zips and legacy CSVs: chained keys, orphans, form versions."""

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from parenting_assessment.ingest.detect import detect_format
from parenting_assessment.ingest.errors import IngestError
from parenting_assessment.ingest.odk_zip import read_odk_zip
from parenting_assessment.ingest.run import READERS
from parenting_assessment.instrument import load_instrument

FIX = Path(__file__).resolve().parents[1] / "fixtures"
REF = FIX / "kobo_reference"
SC = FIX / "scenarios"
LOCATION = ["_source_file", "_source_sheet", "_source_row", "_parent_row"]
ODK_META = ["_submission_id", "_submission_time", "_form_version", "_validation_status"]
U1, U3 = "00000001-aaaa-4bbb-8ccc-000000000001", "00000003-aaaa-4bbb-8ccc-000000000003"


def read(path: Path, ins):
    return READERS[detect_format(path)](path, ins, batch="b1", sha256="f" * 64)


def normal(df: pd.DataFrame) -> pd.DataFrame:
    out = df.astype(object)
    return out.where(out.notna() & (out != ""), None).reset_index(drop=True)


@pytest.fixture(scope="module")
def nested():
    return load_instrument(SC / "nested" / "form.xlsx")


@pytest.fixture(scope="module")
def ref():
    return load_instrument(REF / "form.xlsx")


@pytest.mark.parametrize("name", ["submissions.csv.zip", "kobo_legacy.csv"])
def test_nested_repeats_match_the_kobo_xlsx(name, nested):
    xlsx = read(SC / "nested" / "nested.xlsx", nested)
    other = read(SC / "nested" / name, nested)
    skip = LOCATION + (ODK_META if name.endswith(".zip") else [])
    assert other.rows_per_section() == {"household": 3, "member": 6, "job": 6}
    for section, df in other.sections.items():
        pd.testing.assert_frame_equal(normal(xlsx.sections[section]).drop(columns=skip),
                                      df.drop(columns=skip))


@pytest.mark.parametrize("name", ["submissions.csv.zip", "kobo_legacy.csv", "nested.xlsx"])
def test_nested_row_keys_chain_from_the_parent_row_key(name, nested):
    tables = read(SC / "nested" / name, nested).sections
    job = normal(tables["job"])
    assert job["_row_key"].tolist() == [
        f"{U1}/member[1]/job[1]", f"{U1}/member[1]/job[2]",
        "00000002-aaaa-4bbb-8ccc-000000000002/member[1]/job[1]",
        f"{U3}/member[2]/job[1]", f"{U3}/member[3]/job[1]", f"{U3}/member[3]/job[2]"]
    member_keys = set(tables["member"]["_row_key"])
    assert set(job["_parent_key"]) <= member_keys
    assert (job["_row_key"].str.rsplit("/", n=1).str[0] == job["_parent_key"]).all()
    assert job["job_days"].tolist() == ["mon tue", "wed", None, "tue wed", "mon", "tue"]
    assert job["job_days/mon"].tolist() == ["1", "0", None, "0", "1", "0"]


def test_odk_geopoint_is_rebuilt_and_keys_are_stripped(nested):
    hh = read(SC / "nested" / "submissions.csv.zip", nested).sections["household"]
    assert hh["lokasi"].tolist() == ["-6.2 106.8 10 5", None, "-6.25 106.85 12 4.0"]
    assert hh["lokasi_acc"].tolist() == ["5", None, "4.0"]
    assert hh["submission_uuid"].tolist()[0] == U1


def test_odk_edited_submission_keeps_its_root(ref):
    hh = read(SC / "reference_formats" / "submissions.csv.zip", ref).sections["household"]
    edited = hh.iloc[3]
    assert edited["submission_uuid"].startswith("9e5c2d41")
    assert edited["submission_root"].startswith("5a0d3e7b")


def test_orphan_repeat_rows_are_kept_with_a_findable_key(ref):
    export = read(SC / "orphans" / "submissions.csv.zip", ref)
    roster = export.sections["roster"]
    orphans = roster[roster["_parent_key"].isna()]
    assert orphans["name"].tolist() == ["Hantu", "Bayangan"]
    assert orphans["_row_key"].tolist() == ["orphan:aHk3sP9mQx2Wn7VtRz5LdE-roster.csv:17",
                                            "orphan:aHk3sP9mQx2Wn7VtRz5LdE-roster.csv:18"]
    assert orphans["submission_uuid"].isna().all()
    assert any("2 row(s) of 'aHk3sP9mQx2Wn7VtRz5LdE-roster.csv' have a PARENT_KEY" in n
               for n in export.notes)
    assert roster["_row_key"].notna().all()


@pytest.mark.parametrize("name", ["kobo_mixed.csv", "odk_mixed.csv"])
def test_mixed_versions_keep_each_rows_version(name, nested):
    hh = read(SC / "versions" / name, nested).sections["household"]
    v1, v2 = ("1", "2") if name.startswith("odk") else (
        "vNestOneAaaaaaaaaaaaaa", "vNestTwoBbbbbbbbbbbbbb")
    assert hh["_form_version"].tolist() == [v1, v1, v2]
    assert hh["telp"].tolist() == [None, None, "+62 811-0000-1111"]


def test_export_made_before_a_field_existed_gives_none(nested):
    export = read(SC / "versions" / "before_v2.csv", nested)
    hh = export.sections["household"]
    assert hh["telp"].isna().all() and len(hh) == 2
    assert export.form_versions == ["vNestOneAaaaaaaaaaaaaa"]


def _zip(members: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return buf.getvalue()


def test_odk_reader_checks_the_archive_itself(tmp_path, ref):
    """The reader may be called without detect(): it must refuse zip slip on its own."""
    path = tmp_path / "x.zip"
    path.write_bytes(_zip({"f.csv": "SubmissionDate,KEY\n", "../up.csv": "a\n"}))
    with pytest.raises(IngestError, match=r"x.zip: refused: the archive entry '../up.csv'"):
        read_odk_zip(path, ref, batch="b1", sha256="0")


def test_odk_zip_needs_exactly_one_root_and_unique_keys(tmp_path, ref):
    root = (SC / "reference_formats" / "submissions.csv").read_text()
    path = tmp_path / "two.zip"
    path.write_bytes(_zip({"a.csv": root, "b.csv": root}))
    with pytest.raises(IngestError, match="expected one root table .* found 2: a.csv, b.csv"):
        read_odk_zip(path, ref, batch="b1", sha256="0")
    lines = root.splitlines(keepends=True)
    path.write_bytes(_zip({"f.csv": "".join(lines + lines[1:2])}))
    with pytest.raises(IngestError, match=r"'f.csv' line 8: KEY 'uuid:6b2f7c1e-.*' repeats line 2"):
        read_odk_zip(path, ref, batch="b1", sha256="0")


def test_legacy_na_and_validation_status(ref):
    hh = read(SC / "reference_formats" / "kobo_legacy.csv", ref).sections["household"]
    assert hh["phone"].tolist()[:3] == [None, None, None]  # 'n/a' in the file
    assert hh["_validation_status"].tolist() == [
        "validation_status_approved", "validation_status_approved", None,
        "validation_status_on_hold", None]
    assert hh["assets/1"].tolist() == ["1", "1", None, "0", "0"]  # True/False -> 1/0


def test_odk_member_with_damaged_data_is_refused(tmp_path, ref):
    root = (SC / "reference_formats" / "submissions.csv").read_text()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("f.csv", root * 3)
    data = bytearray(buf.getvalue())
    data[60] ^= 0xFF  # inside the compressed stream of the only member
    path = tmp_path / "bad.zip"
    path.write_bytes(bytes(data))
    with pytest.raises(IngestError, match=r"bad.zip: a damaged, truncated or encrypted zip"):
        read_odk_zip(path, ref, batch="b1", sha256="0")


def test_odk_media_files_are_not_tables(tmp_path, ref):
    zipped = (SC / "reference_formats" / "submissions.csv.zip").read_bytes()
    with zipfile.ZipFile(io.BytesIO(zipped)) as zf:
        members = {n: zf.read(n).decode() for n in zf.namelist()}
    path = tmp_path / "with_media.zip"
    path.write_bytes(_zip({**members, "media/price_list.csv": "not;a;table\n1\n"}))
    export = read_odk_zip(path, ref, batch="b1", sha256="0")
    assert export.rows_per_section() == {"household": 5, "roster": 15, "child": 5}


def test_odk_repeat_files_with_tilde_names(tmp_path, nested):
    """Central names a repeated repeat name ``<formId>-<name>~1.csv``; KEYs say which it is."""
    zipped = (SC / "nested" / "submissions.csv.zip").read_bytes()
    with zipfile.ZipFile(io.BytesIO(zipped)) as zf:
        members = {n: zf.read(n).decode() for n in zf.namelist()}
    members["nested_test-job~1.csv"] = members.pop("nested_test-job.csv")
    path = tmp_path / "tilde.zip"
    path.write_bytes(_zip(members))
    assert read_odk_zip(path, nested, batch="b", sha256="0").rows_per_section()["job"] == 6
    members["nested_test-job~1.csv"] = "job_type,job_days,PARENT_KEY,KEY\n"  # no rows, no KEYs
    path.write_bytes(_zip(members))
    export = read_odk_zip(path, nested, batch="b", sha256="0")
    assert export.rows_per_section() == {"household": 3, "member": 6, "job": 0}
    assert export.unknown_columns == {}
