"""The generator's Kobo CSV and ODK Central zip: exact shapes, and the same raw tables as the XLSX.

One in-memory round (with defects) is written in all three formats and read back through the
project's readers. Only lineage that points into a file, and what a format cannot carry, may
differ: ODK has no Kobo ``_id``/asset version and its own time and review vocabulary, and cannot
tell "asked, none selected" from "not asked" for a select_multiple; Kobo CSV has no repeats.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from parenting_assessment.ingest.columns import LINEAGE, section_columns
from parenting_assessment.ingest.detect import detect_format
from parenting_assessment.ingest.run import READERS
from parenting_assessment.instrument.model import MAIN_SECTION
from parenting_assessment.synth import synthesize
from parenting_assessment.synth.frame import prepare_frame, read_frame
from parenting_assessment.synth.generate import generate, stage_rngs
from parenting_assessment.synth.kobo_csv import write_kobo_csv
from parenting_assessment.synth.kobo_xlsx import write_kobo_xlsx
from parenting_assessment.synth.odk_zip import CENTRAL_META, write_odk_zip

LOCATION = ["_source_file", "_source_sheet", "_source_row", "_parent_row", "_file_sha256"]
ODK_META = ["_submission_id", "_submission_time", "_form_version", "_validation_status"]
KEY = re.compile(r"^uuid:[0-9a-f-]{36}/(roster|migrant|child|caregiver)\[\d+\]$")


@pytest.fixture(scope="module")
def written(tmp_path_factory, small_frame_csv, ins):
    out = tmp_path_factory.mktemp("formats")
    frame = prepare_frame(read_frame(small_frame_csv), villages=None,
                          households_per_village=None, rng=stage_rngs(5)["frame"])
    syn = generate(frame, ins, 5, defect_rate=0.15)
    seen: set[str] = set()  # Central keeps one copy per instanceID: compare like with like
    subs = [s for s in syn.submissions if not (s.uuid in seen or seen.add(s.uuid))]
    paths = {"kobo_xlsx": write_kobo_xlsx(out / "e.xlsx", ins, subs),
             "kobo_csv": write_kobo_csv(out / "e.csv", ins, subs),
             "odk_zip": write_odk_zip(out / "e.csv.zip", ins, subs)}
    return subs, paths


def read(path: Path, ins):
    fmt = detect_format(path)
    return fmt, READERS[fmt](path, ins, batch="b1", sha256="f" * 64)


def normal(df: pd.DataFrame) -> pd.DataFrame:
    out = df.astype(object)
    return out.where(out.notna() & (out != ""), None).reset_index(drop=True)


def odk_blind(df: pd.DataFrame, ins, section: str) -> pd.DataFrame:
    """Blank the 0/1 flags where the summary is blank: ODK cannot carry 'asked, none chosen'."""
    df = df.copy()
    for f in ins.sections[section].fields:
        if f.type == "select_multiple" and f.list_name:
            blank = df[f.name].isna()
            for c in ins.choice_names(f.list_name):
                df.loc[blank, f"{f.name}/{c}"] = None
    return df


def test_kobo_csv_shape(written, ins):
    subs, paths = written
    data = paths["kobo_csv"].read_bytes()
    assert data.count(b"\r\n") >= len(subs) + 1
    assert not data.startswith(b"\xef\xbb\xbf")
    records = list(csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=";"))
    assert len(records) == len(subs) + 1
    for line in data.decode("utf-8").split("\r\n")[:3]:
        assert line.startswith('"') and line.endswith('"') and '";"' in line
    assert records[0][:4] == ["start", "end", "today", "deviceid"]
    assert records[0][-11:] == ["_id", "_uuid", "_submission_time", "_validation_status",
                                "_notes", "_status", "_submitted_by", "__version__", "_tags",
                                "meta/rootUuid", "_index"]
    assert [r[-1] for r in records[1:]] == [str(i) for i in range(1, len(subs) + 1)]
    assert "\n" in "".join(v for r in records for v in r), "notes keep their bare LF"


def test_odk_zip_shape(written, ins):
    subs, paths = written
    with zipfile.ZipFile(paths["odk_zip"]) as zf:
        names = zf.namelist()
        text = {n: zf.read(n).decode("utf-8") for n in names}
    form = ins.form_id
    assert names == [f"{form}.csv", *(f"{form}-{s}.csv" for s in ins.sections if s != "household")]
    root = list(csv.reader(io.StringIO(text[f"{form}.csv"], newline="")))
    head = root[0]
    assert head[0] == "SubmissionDate"
    assert head[-11:] == ["meta-instanceID", *CENTRAL_META]
    assert "cover-village" in head and "resp-resp_name" in head
    assert [h for h in head if h.startswith("resp-gps")] == [
        "resp-gps-Latitude", "resp-gps-Longitude", "resp-gps-Altitude", "resp-gps-Accuracy"]
    assert not any(h == "gps" or "_gps_" in h for h in head)
    assert all(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$", r[0]) for r in root[1:])
    assert {r[head.index("FormVersion")] for r in root[1:]} == {ins.version}
    assert all(r[head.index("KEY")] == r[head.index("meta-instanceID")] for r in root[1:])
    roster = list(csv.reader(io.StringIO(text[f"{form}-roster.csv"], newline="")))
    assert roster[0][:2] == ["HL1", "HL2"] and roster[0][-2:] == ["PARENT_KEY", "KEY"]
    keys = {r[head.index("KEY")] for r in root[1:]}
    assert all(r[-2] in keys and KEY.match(r[-1]) and r[-1].startswith(r[-2] + "/roster[")
               for r in roster[1:])
    assert len(roster) - 1 == sum(len(s.repeats.get("roster", [])) for s in subs)
    child = list(csv.reader(io.StringIO(text[f"{form}-child.csv"], newline="")))[0]
    splits = [h for h in child if h.startswith("u5-EC5A/")]
    assert splits == sorted(splits) and child.index("u5-EC5A") < child.index(splits[0])


def test_same_raw_tables_as_the_xlsx(written, ins):
    _, paths = written
    fmt, xlsx = read(paths["kobo_xlsx"], ins)
    assert fmt == "kobo_xlsx"
    for name in ("kobo_csv", "odk_zip"):
        fmt, other = read(paths[name], ins)
        assert fmt == name
        assert sorted(other.sections) == sorted(xlsx.sections)
        skip = LOCATION + (ODK_META if name == "odk_zip" else [])
        for section, df in other.sections.items():
            assert list(df.columns) == section_columns(ins, section) + list(LINEAGE)
            if name == "kobo_csv" and section != MAIN_SECTION:
                assert df.empty
                continue
            want = normal(xlsx.sections[section])
            if name == "odk_zip":
                want = odk_blind(want, ins, section)
            assert len(df) == len(want) > 0
            pd.testing.assert_frame_equal(want.drop(columns=skip), df.drop(columns=skip),
                                          obj=f"{name}:{section}")


def test_synthesize_writes_the_chosen_format(tmp_path, small_frame_csv):
    res = {fmt: synthesize(seed=3, out_dir=tmp_path / fmt, frame_csv=small_frame_csv,
                           defect_rate=0.15, export_format=fmt)
           for fmt in ("kobo_csv", "odk_zip")}
    # the manifest lists only defects the export can carry
    csv_defects = pd.read_csv(res["kobo_csv"].defects_path)
    assert set(csv_defects["section"]) == {"household"}
    odk_defects = pd.read_csv(res["odk_zip"].defects_path)
    assert "duplicate_submission" not in set(odk_defects["defect_type"])
    assert res["odk_zip"].defects == len(odk_defects) > 0
    assert res["kobo_csv"].export_path.name.endswith("_kobo_3.csv")
    assert res["odk_zip"].export_path.name.endswith("_odk_3.csv.zip")
    for fmt, r in res.items():
        assert detect_format(r.export_path) == fmt
        assert r.export_format == fmt
    with pytest.raises(AttributeError):
        _ = res["odk_zip"].kobo_xlsx
    with pytest.raises(ValueError, match="export_format"):
        synthesize(seed=3, out_dir=tmp_path / "x", export_format="sav")
