"""``read_sheets`` builds the text frames from python-calamine's cells itself: the same frames
``pd.read_excel(dtype=str, keep_default_na=False, engine="calamine")`` made, much faster."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from parenting_assessment.ingest.kobo_xlsx import read_sheets, text_frame
from parenting_assessment.synth import synthesize

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures"
WORKBOOKS = sorted(p for p in FIX.rglob("*.xlsx") if p.parent.name != "truncated") + [
    ROOT / "data" / "sample" / "pemetaan_pengasuhan_kobo_20261127.xlsx",
    ROOT / "data" / "instrument" / "pemetaan_pengasuhan.xlsx",
]


def pandas_sheets(path: Path) -> dict[str, pd.DataFrame]:
    """What ``read_sheets`` returned before it built the frames itself."""
    return pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False,
                         engine="calamine")


def assert_same(path: Path) -> dict[str, pd.DataFrame]:
    old, new = pandas_sheets(path), read_sheets(path)
    assert list(new) == list(old)
    for name in old:
        pd.testing.assert_frame_equal(new[name], old[name], check_exact=True)
        assert list(new[name].dtypes) == list(old[name].dtypes), name
        assert new[name].map(type).equals(old[name].map(type)), name
    return new


def fast_path(path: Path) -> dict[str, bool]:
    """Sheet -> whether ``text_frame`` built it (False: ``read_sheets`` let pandas read it)."""
    book = CalamineWorkbook.from_path(str(path))
    return {n: text_frame(book.get_sheet_by_name(n)) is not None for n in book.sheet_names}


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_fixture_workbooks_read_as_pandas_read_them(path):
    assert_same(path)


def test_kobo_exports_take_the_fast_path():
    for path in (FIX / "kobo_reference" / "kobo_xml_values.xlsx",
                 FIX / "kobo_reference" / "kobo_labels_id.xlsx",
                 FIX / "scenarios" / "nested" / "nested.xlsx",
                 ROOT / "data" / "sample" / "pemetaan_pengasuhan_kobo_20261127.xlsx"):
        assert all(fast_path(path).values()), path


def test_generated_export_with_defects(tmp_path):
    res = synthesize(seed=5, out_dir=tmp_path, villages=2, households_per_village=6,
                     defect_rate=0.5)
    sheets = assert_same(res.kobo_xlsx)
    assert all(fast_path(res.kobo_xlsx).values())
    assert sum(len(df) for df in sheets.values()) > 12


def test_every_cell_type_gives_pandas_text(tmp_path):
    """Numbers (integral, fractional, huge, tiny, negative zero), booleans, dates, times,
    durations, blanks and look-alike text, in one column each and all mixed in one column."""
    values = [
        [12.0, 0.5, 1e20, 1e-7, -0.0, -3.0, 2.5e-300, 123456789012.25],
        [True, False],
        [datetime(2024, 1, 2, 3, 4, 5, 123456), datetime(2024, 1, 2), datetime(1900, 1, 1)],
        [date(2024, 2, 29), date(1999, 12, 31)],
        [time(12, 3, 4), time(0, 0), time(23, 59, 59, 500000)],
        [timedelta(days=1, hours=2), timedelta(seconds=3.5)],
        ["0012", " x ", "NA", "nan", "True", "", "1.0", "-0"],
        [None, "a", None],
    ]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "types"
    columns = [*values, [v for col in values for v in col]]
    ws.append([f"c{i}" for i in range(len(columns))])
    for r in range(max(map(len, columns))):
        ws.append([col[r] if r < len(col) else None for col in columns])
    ws["A30"] = "after a gap"  # blank rows in between stay rows
    path = tmp_path / "types.xlsx"
    wb.save(path)
    sheets = assert_same(path)
    assert fast_path(path) == {"types": True}
    assert sheets["types"]["c0"].tolist()[:8] == [
        "12", "0.5", "100000000000000000000", "1e-07", "0", "-3", "2.5e-300",
        "123456789012.25"]


def test_sheets_pandas_reads_differently_fall_back_to_it(tmp_path):
    """Blank, repeated or numeric headers (pandas renames them), a header-only sheet, a sheet
    whose data starts at B2: ``text_frame`` declines and pandas reads them; an empty sheet
    is an empty frame either way."""
    wb = openpyxl.Workbook()
    layouts = {
        "blank_header": [["a", None, "c"], ["1", "2", "3"]],
        "repeated": [["a", "a", "b"], ["1", "2", "3"]],
        "numeric_header": [["a", 5, 2.0], ["x", "y", "z"]],
        "header_only": [["a", "b"]],
        "empty": [],
        "offset": [[None, None], [None, "a", "b"], [None, "1", "2"]],  # data from B2
        "ok": [["a", "b"], [1, "x"], [2.5, None]],
    }
    for i, (name, rows) in enumerate(layouts.items()):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = name
        for row in rows:
            ws.append(row)
    path = tmp_path / "layouts.xlsx"
    wb.save(path)
    assert_same(path)
    assert fast_path(path) == {"blank_header": False, "repeated": False,
                               "numeric_header": False, "header_only": False, "empty": True,
                               "offset": False, "ok": True}
