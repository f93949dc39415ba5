"""The Excel workbook: every table of the report on its own sheet, with caption and footnotes.

Cells keep the text of the report (so flags such as "(34.2)" and "(*)" stay visible), except
that a plain number is written as a number so it can be re-used in formulas. The full-precision
estimates are in ``estimates.csv`` / ``estimates.parquet`` beside the workbook.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from parenting_assessment.report.document import Document
from parenting_assessment.report.profiles import columns as profile_columns
from parenting_assessment.report.tables import Row, Table

NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _value(text: str) -> str | float:
    plain = text.replace("\u202f", "")
    return float(plain) if NUMBER.match(plain) else text


def _sheet_name(name: str, used: set[str]) -> str:
    base = BAD_SHEET_CHARS.sub("-", name).strip("'")[:31] or "Sheet"
    out, n = base, 1
    while out.lower() in used:
        n += 1
        out = f"{base[:27]} ~{n}"
    used.add(out.lower())
    return out


def _write_table(ws: Worksheet, table: Table, fmts: dict) -> None:
    ws.write(0, 0, f"{table.number} {table.title}".strip(), fmts["title"])
    for j, c in enumerate(table.columns):
        ws.write(2, j, c, fmts["head"])
    i = 3
    for r in table.rows:
        if r.kind == "group":
            ws.write(i, 0, r.cells[0], fmts["group"])
        else:
            style = fmts["bold"] if r.kind in ("overall", "district") else None
            for j, c in enumerate(r.cells):
                ws.write(i, j, _value(c), style)
        i += 1
    for note in ([table.caption] if table.caption else []) + table.footnotes:
        i += 1
        ws.write(i, 0, note, fmts["note"])
    widths = [max([len(str(c)) for c in [h] + [r.cells[j] for r in table.rows
                                               if r.kind != "group" and j < len(r.cells)]])
              for j, h in enumerate(table.columns)]
    for j, w in enumerate(widths):
        ws.set_column(j, j, min(max(w + 2, 6), 60))
    ws.freeze_panes(3, 0)


def _profiles_table(doc: Document) -> Table | None:
    block = next((b for c in doc.chapters for b in c.blocks if b["type"] == "profiles"), None)
    if block is None:
        return None
    t = doc.t
    rows = [Row([p["code"], p["name"], p["district"], r["id"], r["label"], *r["cells"]])
            for p in block["items"] for r in p["rows"] if "group" not in r]
    cols = [t("col_code"), t("col_village"), t("col_district"), t("col_id"),
            *profile_columns(t)]
    return Table("profiles", t("ch_profiles"), cols, rows, ["l"] * len(cols),
                 footnotes=[t("profile_columns_note")], number="")


def write_workbook(doc: Document, path: Path, created: datetime) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": doc.t("title"), "created": created,
                       "comments": f"run {doc.run['run_id']}"})
    fmts = {"title": wb.add_format({"bold": True, "font_size": 12}),
            "head": wb.add_format({"bold": True, "bg_color": "#EEF3F8", "text_wrap": True,
                                   "valign": "top"}),
            "group": wb.add_format({"italic": True}), "bold": wb.add_format({"bold": True}),
            "note": wb.add_format({"font_color": "#555555"})}
    used: set[str] = set()
    contents = wb.add_worksheet(_sheet_name(doc.t("xlsx_contents"), used))
    contents.write(0, 0, doc.t("title"), fmts["title"])
    contents.write(1, 0, doc.t("xlsx_intro"), fmts["note"])
    tables = doc.tables
    prof = _profiles_table(doc)
    if prof is not None:
        prof.sheet = doc.t("xlsx_profiles_sheet")
        tables = [*tables, prof]
    for i, table in enumerate(tables, start=3):
        name = _sheet_name(table.sheet or table.key, used)
        contents.write(i, 0, name)
        contents.write(i, 1, f"{table.number} {table.title}".strip())
        _write_table(wb.add_worksheet(name), table, fmts)
    contents.set_column(0, 0, 32)
    contents.set_column(1, 1, 90)
    wb.close()
    return path
