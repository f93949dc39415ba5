"""Build the deployable XLSForm workbook from its text-diffable CSV source and the frame.

The sheets live as CSV under ``data/instrument/source/`` so that a change to the questionnaire
is reviewed as a text diff. The district and village choice lists are generated from the
sampling frame, so the form can only ever offer the study villages, by their Kemendagri code.
"""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook

ID_LANG, EN_LANG = "Indonesian (id)", "English (en)"


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def frame_choices(frame_csv: Path) -> list[list[str]]:
    """Choice rows (list_name, name, label id, label en, kab) for districts and villages."""
    with open(frame_csv, encoding="utf-8", newline="") as f:
        frame = list(csv.DictReader(f))
    out: list[list[str]] = []
    seen: set[str] = set()
    for r in frame:
        if r["kode_kabupaten"] not in seen:
            seen.add(r["kode_kabupaten"])
            name = r["kabupaten"]
            out.append(["kab", r["kode_kabupaten"], name, name, ""])
    for r in frame:
        label = f"{r['desa']} ({r['kecamatan']})"
        out.append(["desa", r["kode_kemendagri"], label, label, r["kode_kabupaten"]])
    return out


def build_xlsform(source_dir: Path, frame_csv: Path, out_path: Path) -> Path:
    """Write the XLSForm workbook (survey, choices, settings) and return its path."""
    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    header, rows = _read_csv(source_dir / "survey.csv")
    survey.append(header)
    for row in rows:
        survey.append(row)

    choices = wb.create_sheet("choices")
    c_header, c_rows = _read_csv(source_dir / "choices.csv")
    choices.append([*c_header, "kab"])
    for row in c_rows:
        choices.append([*row, ""])
    for row in frame_choices(frame_csv):
        choices.append(row)

    settings = wb.create_sheet("settings")
    s_header, s_rows = _read_csv(source_dir / "settings.csv")
    settings.append(s_header)
    for row in s_rows:
        settings.append(row)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    # Fixed document properties keep the workbook byte-stable between builds.
    wb.properties.creator = "parenting-assessment"
    wb.save(out_path)
    return out_path
