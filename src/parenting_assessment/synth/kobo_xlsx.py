"""Write submissions as a KoboToolbox XLSX export (EXPORT_FORMATS.md §1.2-1.3).

The shape is the project's export profile: XML values and headers, group paths in headers joined
by ``/``, ``multiple_select=both``, answers stored as text, no HXL row. Like formpack's
``to_xlsx`` it streams rows through xlsxwriter in constant-memory mode (inline strings, absent
cells for blank values), creates each repeat's sheet when its first row appears, numbers
``_index`` per sheet across the file, and writes ``_id`` / ``_index`` / ``_parent_index`` /
``_submission__id`` as numbers. Columns come from the Instrument, so a form change needs no code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import xlsxwriter

from parenting_assessment.instrument import Instrument
from parenting_assessment.instrument.model import MAIN_SECTION
from parenting_assessment.synth.records import Submission

COPY_FIELDS = ("_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
               "_submitted_by", "__version__", "_tags", "meta/rootUuid")
GPS_PARTS = ("latitude", "longitude", "altitude", "precision")
FORBIDDEN = "[]:*?/\\"


def sheet_name(title: str, taken: Iterable[str] = ()) -> str:
    """formpack's ``unique_name_for_xls``: Excel-safe, at most 31 characters, '...' when cut."""
    name = title.translate({ord(c): "_" for c in FORBIDDEN})
    if name.startswith("'"):
        name = "_" + name[1:]
    if name.endswith("'"):
        name = name[:-1] + "_"
    taken = set(taken)

    def cut(suffix: str) -> str:
        return name if len(name) <= 31 else name[: 31 - len(suffix)] + suffix

    candidate, i = cut("..."), 1
    while candidate in taken:
        candidate, i = cut(f"... ({i})"), i + 1
    return candidate


@dataclass(frozen=True)
class Column:
    """One export column: its header and how to read it from a row of text answers."""

    header: str
    field: str
    part: str = ""  # "" raw value; a choice name; or "_gps_<part>" for a geopoint split


def section_columns(ins: Instrument, section: str) -> list[Column]:
    """The question columns of a section in form order, with Kobo's split columns."""
    cols: list[Column] = []
    for f in ins.sections[section].fields:
        path = "/".join(f.path)
        if f.type == "geopoint":
            group = "/".join(f.path[:-1])
            cols.append(Column(f.name, f.name))
            for part in GPS_PARTS:
                split = f"_{f.name}_{part}"
                cols.append(Column(f"{group}/{split}" if group else split, f.name, part))
        elif f.type == "select_multiple":
            cols.append(Column(path, f.name))
            cols += [Column(f"{path}/{c}", f.name, "=" + c) for c in ins.choice_names(
                f.list_name or "")]
        else:
            cols.append(Column(path, f.name))
    return cols


def _values(cols: list[Column], row: dict[str, str]) -> list[str | None]:
    out: list[str | None] = []
    for c in cols:
        v = row.get(c.field)
        if v is None or c.part == "":
            out.append(v if v != "" else None)
        elif c.part.startswith("="):
            out.append("1" if c.part[1:] in v.split() else "0")
        else:
            parts = v.split()
            i = GPS_PARTS.index(c.part)
            out.append(parts[i] if i < len(parts) else None)
    return out


def write_kobo_xlsx(path: Path, ins: Instrument, submissions: list[Submission],
                    created: datetime | None = None) -> Path:
    """Write the export; ``submissions`` must already be in ``_id`` order."""
    repeats = [s for s in ins.sections if s != MAIN_SECTION]
    cols = {s: section_columns(ins, s) for s in ins.sections}
    headers = {MAIN_SECTION: [c.header for c in cols[MAIN_SECTION]] + [*COPY_FIELDS, "_index"]}
    for s in repeats:
        headers[s] = [c.header for c in cols[s]] + [
            "_index", "_parent_table_name", "_parent_index",
            *(f"_submission_{k}" for k in COPY_FIELDS)]
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    wb.use_zip64()
    wb.set_properties({"created": created or datetime(2026, 11, 1)})
    sheets: dict[str, tuple] = {}  # section -> (worksheet, next row)
    index = dict.fromkeys(ins.sections, 0)

    def append(section: str, values: list) -> None:
        if section not in sheets:
            title = ins.title if section == MAIN_SECTION else section
            ws = wb.add_worksheet(sheet_name(title, [w.name for w, _ in sheets.values()]))
            ws.write_row(0, 0, headers[section])
            sheets[section] = (ws, 1)
        ws, r = sheets[section]
        ws.write_row(r, 0, values)
        sheets[section] = (ws, r + 1)

    for sub in submissions:
        index[MAIN_SECTION] += 1
        parent = index[MAIN_SECTION]
        meta = [sub.meta.get(k) or None for k in COPY_FIELDS]
        append(MAIN_SECTION, _values(cols[MAIN_SECTION], sub.main) + meta + [parent])
        for s in repeats:
            for row in sub.repeats.get(s, []):
                index[s] += 1
                append(s, _values(cols[s], row) + [index[s], ins.title, parent] + meta)
    wb.close()
    return path
