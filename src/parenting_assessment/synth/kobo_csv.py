"""Write submissions as a KoboToolbox CSV export (EXPORT_FORMATS.md §1.4).

formpack's ``to_csv(sep=';', quote='"')`` as KPI writes it: ``;`` between fields, every field in
double quotes (quotes doubled), each record ended by CRLF (values keep their bare LFs), and the
main table only: Kobo drops repeat groups from CSV. Columns and values are those of the XLSX
writer (same export profile), blanks are ``""``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from parenting_assessment.instrument import Instrument
from parenting_assessment.instrument.model import MAIN_SECTION
from parenting_assessment.synth.kobo_xlsx import COPY_FIELDS, _values, section_columns
from parenting_assessment.synth.records import Submission


def kobo_csv_rows(ins: Instrument, submissions: list[Submission]) -> list[list[str]]:
    """Header and one row per submission, as text."""
    cols = section_columns(ins, MAIN_SECTION)
    rows = [[c.header for c in cols] + [*COPY_FIELDS, "_index"]]
    for i, sub in enumerate(submissions, start=1):
        values = _values(cols, sub.main) + [sub.meta.get(k) for k in COPY_FIELDS] + [i]
        rows.append(["" if v is None else str(v) for v in values])
    return rows


def write_kobo_csv(path: Path, ins: Instrument, submissions: list[Submission]) -> Path:
    """Write the export; ``submissions`` must already be in ``_id`` order."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(
            kobo_csv_rows(ins, submissions))
    return Path(path)
