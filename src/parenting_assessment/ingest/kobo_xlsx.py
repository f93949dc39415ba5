"""Read a KoboToolbox XLSX export: main sheet first, one sheet per repeat group.

Kobo's ``_index`` is only a join key inside one file, so repeat rows are linked to their parent
through ``_parent_index`` here and then carry the submission uuid and a stable row key.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, datetime, time, timedelta
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

from parenting_assessment.ingest.errors import IngestError
from parenting_assessment.ingest.tables import (
    RawExport,
    assign_row_keys,
    canonical_frame,
    drop_tag_row,
    empty_section,
    strip_uuid,
    with_lineage,
)
from parenting_assessment.instrument.model import MAIN_SECTION, Instrument

if TYPE_CHECKING:
    from python_calamine import CalamineSheet

REQUIRED_MAIN = ("_index",)
REQUIRED_REPEAT = ("_index", "_parent_index", "_parent_table_name")


def read_sheets(path: Path) -> dict[str, pd.DataFrame]:
    """All sheets as text (python-calamine: fast, and reads Kobo's inline strings).

    The frames are exactly what ``pd.read_excel(path, sheet_name=None, dtype=str,
    keep_default_na=False, engine="calamine")`` returns, built column by column from
    calamine's cells as Arrow strings instead of through pandas' text parser (a million-row
    sheet: about 10 s on top of calamine's own parse instead of about 80 s). A
    sheet this cannot reproduce exactly (a header that pandas would rename, ragged rows, a cell
    of another type) is read by pandas itself. Calamine parses the sheets two at a time in
    threads (it releases the GIL) while the text of a parsed one is built.
    """
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    def parse(name: str) -> CalamineSheet:
        return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name)

    try:
        book = CalamineWorkbook.from_path(str(path))
        names = list(dict.fromkeys(
            m.name for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet))
        sheets = {}
        with ThreadPoolExecutor(min(2, len(names) or 1), thread_name_prefix="xlsx") as pool:
            parsed: list[Future[CalamineSheet] | None] = [pool.submit(parse, n) for n in names]
            for k, name in enumerate(names):
                sheet = parsed[k].result()  # type: ignore[union-attr]
                parsed[k] = None  # the cells are freed once the frame is built
                frame = text_frame(sheet)
                del sheet
                if frame is None:
                    frame = pd.read_excel(path, sheet_name=name, dtype=str,
                                          keep_default_na=False, engine="calamine")
                sheets[name] = frame
        return sheets
    except Exception as exc:  # calamine raises its own types for broken zips and XML
        raise IngestError(
            path, f"not a readable XLSX workbook, possibly truncated ({exc})") from exc


class _Uncovered(Exception):
    """A cell whose text pandas makes differently from ``cell_text``."""


def _float_text(v: float) -> str:
    if v.is_integer():  # pandas turns integral floats into int (so 12.0 -> "12", -0.0 -> "0")
        return str(int(v))
    if math.isfinite(v):
        return str(v)
    raise _Uncovered  # pandas makes NaN a missing value, not text


CELL_TEXT: dict[type, Callable[[Any], str]] = {
    str: lambda v: v,
    float: _float_text,
    int: str,
    bool: str,  # "True" / "False"
    datetime: str,  # "2024-01-02 03:04:05[.ffffff]"
    date: lambda v: f"{v.isoformat()} 00:00:00",  # pandas makes a date a midnight datetime
    time: str,
    timedelta: str,
}


def cell_text(v: object) -> str:
    """The text ``pd.read_excel(dtype=str, engine="calamine")`` makes of one calamine cell."""
    convert = CELL_TEXT.get(type(v))
    if convert is None:
        raise _Uncovered
    return convert(v)


def text_frame(sheet: CalamineSheet, chunk: int = 65_536) -> pd.DataFrame | None:
    """One sheet as pandas' text frame (first row = header), or None where pandas differs.

    Rows are taken ``chunk`` at a time and turned into Arrow strings column by column: a
    column of text only is converted by Arrow in C, other columns cell by cell.
    """
    if sheet.start not in (None, (0, 0)):
        rows: Iterator[list[object]] = iter(sheet.to_python(skip_empty_area=False))
    else:
        rows = iter(sheet.iter_rows())
    header = next(rows, None)
    if header is None:
        return pd.DataFrame()
    width = len(header)
    if not all(type(h) is str and h for h in header) or len(set(header)) != width:
        return None  # pandas would rename blank, repeated or non-text headers
    parts: list[list[pa.Array]] = [[] for _ in header]
    try:
        while block := list(islice(rows, chunk)):
            if any(len(r) != width for r in block):
                return None  # pandas pads short rows with missing values
            for part, column in zip(parts, zip(*block, strict=True), strict=True):
                part.append(_arrow_text(column))
    except _Uncovered:
        return None
    if not width or not parts[0]:
        return None  # no data rows: let pandas make the empty frame
    dtype = pd.StringDtype("pyarrow", na_value=float("nan"))
    return pd.DataFrame({h: pd.arrays.ArrowStringArray(
        pa.chunked_array(part).combine_chunks() if len(part) > 1 else pa.chunked_array(part),
        dtype=dtype) for h, part in zip(header, parts, strict=True)})


def _arrow_text(column: tuple[object, ...]) -> pa.Array:
    try:
        return pa.array(column, type=pa.large_string())  # text cells only: no Python loop
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        pass
    texts: list[str] = []
    add = texts.append
    for v in column:  # numbers, mostly integral: the two common cases inline
        kind = type(v)
        if kind is str:
            add(v)  # type: ignore[arg-type]
        elif kind is float and v.is_integer():  # type: ignore[union-attr]
            add(str(int(v)))  # type: ignore[arg-type]
        else:
            add(cell_text(v))
    return pa.array(texts, type=pa.large_string())


def read_kobo_xlsx(path: Path, ins: Instrument, *, batch: str, sha256: str) -> RawExport:
    sheets = read_sheets(path)
    if not sheets:
        raise IngestError(path, "the workbook has no sheets")
    names = list(sheets)
    main_name = names[0]
    main = drop_tag_row(sheets[main_name])
    tag_rows = len(sheets[main_name]) - len(main)  # an HXL row shifts spreadsheet rows by one
    _require(path, main_name, main, REQUIRED_MAIN)
    if "_uuid" not in main.columns and "meta/rootUuid" not in main.columns:
        raise IngestError(path, f"sheet '{main_name}' has neither '_uuid' nor 'meta/rootUuid'")
    uuid = strip_uuid(main.get("_uuid", main.get("meta/rootUuid")))
    root = strip_uuid(main["meta/rootUuid"]) if "meta/rootUuid" in main else uuid
    root = root.where(root != "", uuid)
    out, unknown = canonical_frame(main, ins, MAIN_SECTION, str(path))
    versions = main.get("__version__", pd.Series([""] * len(main)))
    out = with_lineage(
        out, _batch=batch, _file_sha256=sha256, _source_file=path.name, _source_sheet=main_name)
    out["_source_row"] = (main.index + 2 + tag_rows).astype(str)
    out["_form_version"] = versions.where(versions != "", None).values
    out["submission_uuid"] = uuid.values
    out["submission_root"] = root.values
    out["_submission_id"] = main.get("_id", pd.Series([None] * len(main))).values
    out["_submission_time"] = main.get("_submission_time", pd.Series([None] * len(main))).values
    out["_validation_status"] = main.get("_validation_status",
                                         pd.Series([None] * len(main))).values
    out["_row_key"] = uuid.values
    blank = out["submission_uuid"] == ""
    if blank.any():
        raise IngestError(path, f"sheet '{main_name}' row {int(out.index[blank][0]) + 2}: "
                          "the submission has no uuid")
    tables = {MAIN_SECTION: out}
    unknowns = {MAIN_SECTION: unknown} if unknown else {}
    by_index = {main_name: (main["_index"].tolist(), out)}
    for sheet in names[1:]:
        section = sheet if sheet in ins.sections else None
        if section is None:
            unknowns.setdefault("<sheets>", []).append(sheet)
            continue
        df = drop_tag_row(sheets[sheet])
        sheet_tags = len(sheets[sheet]) - len(df)
        _require(path, sheet, df, REQUIRED_REPEAT)
        parent_section = ins.sections[section].parent or MAIN_SECTION
        parent = tables.get(parent_section)
        rep, unknown = canonical_frame(df, ins, section, str(path))
        rep = with_lineage(
            rep, _batch=batch, _file_sha256=sha256, _source_file=path.name, _source_sheet=sheet)
        rep["_source_row"] = (df.index + 2 + sheet_tags).astype(str)
        if parent is None:
            raise IngestError(path, f"sheet '{sheet}': its parent section '{parent_section}' "
                              "is not in the workbook")
        parent_idx = dict(zip(_parent_index_values(tables, by_index, parent_section, main_name),
                              parent.index, strict=True))
        pos = df["_parent_index"].map(parent_idx)
        for col in ("submission_uuid", "submission_root", "_submission_id", "_submission_time",
                    "_form_version", "_validation_status"):
            rep[col] = parent[col].reindex(pos).values
        rep["_parent_key"] = parent["_row_key"].reindex(pos).values
        parent_row = parent["_source_sheet"].astype(str) + ":" + parent["_source_row"].astype(str)
        rep["_parent_row"] = parent_row.reindex(pos).values
        rep = assign_row_keys(rep, section)
        orphan = rep["_row_key"].isna()
        rep.loc[orphan, "_row_key"] = f"orphan:{sheet}:" + df.loc[orphan, "_index"].astype(str)
        tables[section] = rep
        by_index[sheet] = (df["_index"].tolist(), rep)
        if unknown:
            unknowns[section] = unknown
    for section in ins.sections:
        if section not in tables:
            tables[section] = with_lineage(empty_section(ins, section))
    return RawExport("kobo_xlsx", tables, sorted({v for v in versions if v}), unknowns)


def _parent_index_values(tables, by_index, parent_section: str, main_name: str) -> list[str]:
    key = main_name if parent_section == MAIN_SECTION else parent_section
    return by_index[key][0]


def _require(path: Path, sheet: str, df: pd.DataFrame, cols: tuple[str, ...]) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise IngestError(path, f"sheet '{sheet}' lacks the key column(s) {', '.join(missing)}")
