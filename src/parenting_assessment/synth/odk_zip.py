"""Write submissions as an ODK Central ``submissions.csv.zip`` (EXPORT_FORMATS.md §3).

The zip holds ``<formId>.csv`` (``SubmissionDate`` first, the fields in form order with group
paths joined by ``-``, then ``meta-instanceID`` and Central's columns ``KEY … FormVersion``) and
one ``<formId>-<repeat>.csv`` per repeat (fields relative to the repeat, then ``PARENT_KEY`` and
``KEY = <instanceID>/<group path>/<repeat>[n]``). Geopoints become four ``-Latitude`` …
``-Accuracy`` columns without a raw column; select_multiple split columns (Central's
``splitSelectMultiples=true``) are built from the values seen in the data, sorted, and are 0 even
when the question was not asked. Like the Kobo writer, repeats hang off the main row.

Central keeps one submission per instanceID (a second one is refused), so a Kobo-style exact
duplicate (the generator's ``duplicate_submission`` defect) appears once: the first copy.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from parenting_assessment.instrument import Instrument
from parenting_assessment.instrument.model import MAIN_SECTION
from parenting_assessment.synth.records import Submission

GEO_SUFFIXES = ("Latitude", "Longitude", "Altitude", "Accuracy")
CENTRAL_META = ("KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent",
                "AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits", "FormVersion")
REVIEW = {"validation_status_approved": "approved", "validation_status_on_hold": "hasIssues",
          "validation_status_not_approved": "rejected"}


@dataclass(frozen=True)
class OdkColumn:
    """One Central column: header, the field it reads, and which part of the answer."""

    header: str
    field: str
    part: str = ""  # "" the answer; "=<choice>" a 0/1 split; "#<i>" geopoint part i


def repeat_path(ins: Instrument, section: str) -> tuple[str, ...]:
    """Groups and name of a repeat (``("hh", "child")``), from its first field's path."""
    path = ins.sections[section].fields[0].path[:-1]
    return path[: len(path) - path[::-1].index(section)]


def table_columns(ins: Instrument, section: str, rows: list[dict[str, str]], *,
                  split: bool = True) -> list[OdkColumn]:
    """The field columns of one Central table, in form order."""
    skip = 0 if section == MAIN_SECTION else len(repeat_path(ins, section))
    cols: list[OdkColumn] = []
    for f in ins.sections[section].fields:
        name = "-".join(f.path[skip:])
        if f.type == "geopoint":
            cols += [OdkColumn(f"{name}-{s}", f.name, f"#{i}") for i, s in enumerate(GEO_SUFFIXES)]
            continue
        cols.append(OdkColumn(name, f.name))
        if f.type == "select_multiple" and split:
            seen = sorted({c for r in rows for c in (r.get(f.name) or "").split()})
            cols += [OdkColumn(f"{name}/{c}", f.name, f"={c}") for c in seen]
    return cols


def row_values(cols: list[OdkColumn], row: dict[str, str]) -> list[str]:
    out: list[str] = []
    for c in cols:
        v = row.get(c.field) or ""
        if c.part.startswith("="):
            out.append("1" if c.part[1:] in v.split() else "0")
        elif c.part.startswith("#"):
            bits = v.split()
            i = int(c.part[1:])
            out.append(bits[i] if i < len(bits) else "")
        else:
            out.append(v)
    return out


def root_meta(sub: Submission, ins: Instrument, submitters: dict[str, int]) -> list[str]:
    """``meta-instanceID`` and Central's columns for one submission."""
    instance = f"uuid:{sub.meta['_uuid']}"
    key = sub.meta.get("meta/rootUuid") or instance
    by = sub.meta.get("_submitted_by") or ""
    return [instance, key, str(submitters[by]) if by else "", by, "0", "0", "",
            REVIEW.get(sub.meta.get("_validation_status") or "", ""),
            sub.main.get("deviceid", ""), str(sub.meta.get("edits", int(key != instance))),
            str(sub.meta.get("form_version") or ins.version)]


def odk_tables(ins: Instrument, submissions: list[Submission], *,
               split: bool = True) -> dict[str, list[list[str]]]:
    """Member name -> rows (header first) of the Central export of ``submissions``."""
    if any(ins.sections[s].parent not in (None, MAIN_SECTION) for s in ins.sections):
        raise ValueError("the generator writes repeats directly under the main table only")
    seen: set[str] = set()
    submissions = [s for s in submissions
                   if not (s.meta["_uuid"] in seen or seen.add(s.meta["_uuid"]))]
    names = sorted({s.meta.get("_submitted_by") or "" for s in submissions} - {""})
    submitters = {n: i for i, n in enumerate(names, start=5)}
    cols = table_columns(ins, MAIN_SECTION, [s.main for s in submissions], split=split)
    root = [["SubmissionDate", *(c.header for c in cols), "meta-instanceID", *CENTRAL_META]]
    for sub in submissions:
        root.append([f"{sub.meta['_submission_time']}.000Z", *row_values(cols, sub.main),
                     *root_meta(sub, ins, submitters)])
    tables = {f"{ins.form_id}.csv": root}
    for section in ins.sections:
        if section == MAIN_SECTION:
            continue
        rows = [r for s in submissions for r in s.repeats.get(section, [])]
        cols = table_columns(ins, section, rows, split=split)
        mid = "/".join(repeat_path(ins, section)[:-1])
        table = [[*(c.header for c in cols), "PARENT_KEY", "KEY"]]
        for sub in submissions:
            key = sub.meta.get("meta/rootUuid") or f"uuid:{sub.meta['_uuid']}"
            for n, row in enumerate(sub.repeats.get(section, []), start=1):
                table.append([*row_values(cols, row), key,
                              f"{key}/{mid + '/' if mid else ''}{section}[{n}]"])
        tables[f"{ins.form_id}-{section}.csv"] = table
    return tables


def csv_text(rows: list[list[str]]) -> str:
    """RFC 4180 as Central writes it: ',' and quotes only where needed."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def write_members(path: Path, members: dict[str, str], created: datetime | None = None) -> Path:
    """Zip CSV texts with a fixed timestamp (same input, same bytes)."""
    stamp = (created or datetime(2026, 11, 1)).timetuple()[:6]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for name, text in members.items():
            info = zipfile.ZipInfo(name, stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text.encode("utf-8"))
    return path


def write_odk_zip(path: Path, ins: Instrument, submissions: list[Submission],
                  created: datetime | None = None, *, split: bool = True) -> Path:
    """Write the Central CSV zip of ``submissions`` (already in submission order)."""
    tables = odk_tables(ins, submissions, split=split)
    return write_members(Path(path), {n: csv_text(rows) for n, rows in tables.items()}, created)
