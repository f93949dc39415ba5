"""The synthetic export has KoboToolbox's XLSX shape (EXPORT_FORMATS.md §1.2-1.3)."""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from synth_helpers import MAIN, TITLE, bare, read_sheets

from parenting_assessment.synth.kobo_xlsx import sheet_name

MAIN_HEADER = [
    "start", "end", "today", "deviceid", "cover/kab", "cover/village", "cover/enum_id",
    "cover/hh_listing_no", "cover/hh_stratum", "cover/visit_result", "cover/consent",
    "resp/resp_name", "resp/resp_phone", "gps", "resp/_gps_latitude", "resp/_gps_longitude",
    "resp/_gps_altitude", "resp/_gps_precision", "hh_size", "sel_fs_ln", "mig_n", "ch_n", "cg_n",
    "enum_notes", "_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
    "_submitted_by", "__version__", "_tags", "meta/rootUuid", "_index",
]
REPEAT_META = [
    "_index", "_parent_table_name", "_parent_index", "_submission__id", "_submission__uuid",
    "_submission__submission_time", "_submission__validation_status", "_submission__notes",
    "_submission__status", "_submission__submitted_by", "_submission___version__",
    "_submission__tags", "_submission_meta/rootUuid",
]
NUMERIC = {"_id", "_index", "_parent_index", "_submission__id"}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
LOCAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0[78]:00$")


def test_sheet_name_follows_formpack():
    assert sheet_name(TITLE) == MAIN
    assert len(MAIN) == 31
    assert sheet_name("a/b:c") == "a_b_c"
    assert sheet_name(TITLE, [MAIN]) == "Pemetaan Pengasuhan Berb... (1)"


def test_sheets_and_headers(clean_run, ins):
    wb = openpyxl.load_workbook(clean_run.kobo_xlsx, read_only=True)
    assert wb.sheetnames[0] == MAIN
    assert sorted(wb.sheetnames[1:]) == ["caregiver", "child", "migrant", "roster"]
    header = {ws.title: [c.value for c in next(ws.iter_rows(max_row=1))] for ws in wb}
    wb.close()
    assert header[MAIN] == MAIN_HEADER
    for repeat in ("roster", "migrant", "child", "caregiver"):
        assert header[repeat][-len(REPEAT_META):] == REPEAT_META
        assert all(h.startswith(repeat + "/") for h in header[repeat][:-len(REPEAT_META)])
    assert header["roster"][:6] == ["roster/HL1", "roster/HL2", "roster/HL3", "roster/HL4",
                                    "roster/HL6", "roster/HL12"]
    child = header["child"]
    i = child.index("child/u5/EC5A")
    assert child[i:i + 5] == ["child/u5/EC5A", *(f"child/u5/EC5A/{c}" for c in "ABXY")]
    assert "child/u5/ecdi/ecdi_jump" in child and "child/cd/CD2K" in child
    mig = header["migrant"]
    j = mig.index("migrant/mig_children")
    assert mig[j + 1:j + 31] == [f"migrant/mig_children/{k}" for k in range(1, 31)]
    assert header["caregiver"][-len(REPEAT_META) - 1] == "caregiver/cgm/cp_barriers/none"


def test_cell_types_and_inline_strings(clean_run):
    wb = openpyxl.load_workbook(clean_run.kobo_xlsx, read_only=True)
    for ws in wb:
        rows = ws.iter_rows()
        header = [c.value for c in next(rows)]
        for row in rows:
            for h, cell in zip(header, row, strict=False):
                if cell.value is None:
                    continue
                if h in NUMERIC:
                    assert cell.data_type == "n" and isinstance(cell.value, int), (h, cell)
                else:
                    assert cell.data_type == "s" and cell.value != "", (ws.title, h, cell)
    wb.close()
    with zipfile.ZipFile(clean_run.kobo_xlsx) as z:
        assert "xl/sharedStrings.xml" not in z.namelist()
        assert b'"inlineStr"' in z.read("xl/worksheets/sheet1.xml")


def test_index_and_parent_links(clean_run):
    sheets = read_sheets(clean_run.kobo_xlsx)
    main = sheets[MAIN]
    assert main["_index"].tolist() == [str(i) for i in range(1, len(main) + 1)]
    assert main["_id"].astype(int).is_monotonic_increasing and main["_id"].is_unique
    by_index = main.set_index("_index")
    for repeat in ("roster", "migrant", "child", "caregiver"):
        df = sheets[repeat]
        assert df["_index"].tolist() == [str(i) for i in range(1, len(df) + 1)]
        assert (df["_parent_table_name"] == TITLE).all()
        parent = by_index.loc[df["_parent_index"]]
        assert (parent["_id"].to_numpy() == df["_submission__id"].to_numpy()).all()
        assert (parent["_uuid"].to_numpy() == df["_submission__uuid"].to_numpy()).all()
        assert (df["_submission_meta/rootUuid"] == "uuid:" + df["_submission__uuid"]).all()
        assert (parent["_submission_time"].to_numpy()
                == df["_submission__submission_time"].to_numpy()).all()


def test_meta_values(clean_run):
    main = read_sheets(clean_run.kobo_xlsx)[MAIN]
    assert main["_uuid"].map(UUID.match).all()
    assert (main["meta/rootUuid"] == "uuid:" + main["_uuid"]).all()
    assert main["__version__"].str.fullmatch(r"v[A-Za-z0-9]{21}").all()
    assert main["__version__"].nunique() == 1
    assert (main["_status"] == "submitted_via_web").all()
    assert main["deviceid"].str.fullmatch(r"collect:[A-Za-z0-9]{16}").all()
    assert main["_submission_time"].str.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}").all()
    assert main["start"].map(LOCAL.match).all() and main["end"].map(LOCAL.match).all()


def test_timestamps(clean_run):
    main = bare(read_sheets(clean_run.kobo_xlsx)[MAIN])
    for r in main.to_dict("records"):
        start, end = datetime.fromisoformat(r["start"]), datetime.fromisoformat(r["end"])
        wita = r["village"].startswith("52.")
        assert start.utcoffset() == timedelta(hours=8 if wita else 7)
        assert r["today"] == r["start"][:10]
        assert start.date() >= datetime(2026, 9, 1).date()
        assert end.date() <= datetime(2026, 10, 31).date()
        minutes = (end - start).total_seconds() / 60
        if r["consent"] == "1":
            assert 35 <= minutes <= 91
        else:
            assert 0 < minutes < 10
        submitted = datetime.fromisoformat(r["_submission_time"]).replace(tzinfo=UTC)
        assert submitted > end


def test_split_columns(clean_run):
    sheets = read_sheets(clean_run.kobo_xlsx)
    main = sheets[MAIN]
    has = main["gps"] != ""
    parts = main.loc[has, "gps"].str.split(" ", expand=True)
    for k, name in enumerate(("latitude", "longitude", "altitude", "precision")):
        assert (parts[k] == main.loc[has, f"resp/_gps_{name}"]).all()
        assert (main.loc[~has, f"resp/_gps_{name}"] == "").all()
    child = sheets["child"]
    for item in ("EC5A", "EC5D"):
        col = f"child/u5/{item}"
        for _, r in child.iterrows():
            flags = [r[f"{col}/{c}"] for c in "ABXY"]
            if r[col] == "":
                assert flags == ["", "", "", ""]
            else:
                assert flags == ["1" if c in r[col].split() else "0" for c in "ABXY"]


@pytest.mark.parametrize("repeat", ["roster", "child"])
def test_absent_values_are_absent_cells(clean_run, repeat):
    """Non-relevant answers are not written at all (no empty strings)."""
    wb = openpyxl.load_workbook(clean_run.kobo_xlsx, read_only=True)
    ws = wb[repeat]
    rows = list(ws.iter_rows(min_row=2, max_row=40, values_only=True))
    wb.close()
    assert any(v is None for row in rows for v in row)
    assert not any(v == "" for row in rows for v in row)
