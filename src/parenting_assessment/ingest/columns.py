"""Canonical column names for raw tables, derived from the XLSForm.

Exports name columns in many ways (group paths or not, Kobo ``_gps_latitude`` or ODK
``gps-Latitude``); every reader maps them onto one naming: the XLSForm ``name``, ``name/choice``
for select_multiple flags, and ``name_lat`` / ``_lon`` / ``_alt`` / ``_acc`` for geopoints.
"""

from __future__ import annotations

import re

from parenting_assessment.instrument.model import Instrument

GEO_PARTS = ("lat", "lon", "alt", "acc")
KOBO_GEO = re.compile(r"^(?:.*/)?_(?P<name>[^/]+)_(?P<part>latitude|longitude|altitude|precision)$")
KOBO_GEO_PART = {"latitude": "lat", "longitude": "lon", "altitude": "alt", "precision": "acc"}

LINEAGE = (
    "_batch", "_file_sha256", "_source_file", "_source_sheet", "_source_row", "_form_version",
    "submission_uuid", "submission_root", "_submission_id", "_submission_time",
    "_validation_status", "_row_key", "_parent_key", "_parent_row",
)


def section_columns(ins: Instrument, section: str) -> list[str]:
    """The canonical answer columns of a section's raw table, in form order."""
    cols: list[str] = []
    for f in ins.sections[section].fields:
        cols.append(f.name)
        if f.type == "select_multiple" and f.list_name:
            cols += [f"{f.name}/{c}" for c in ins.choice_names(f.list_name)]
        elif f.type == "geopoint":
            cols += [f"{f.name}_{p}" for p in GEO_PARTS]
    return cols


def map_headers(headers: list[str], ins: Instrument,
                section: str) -> tuple[dict[str, str], list[str]]:
    """Map export headers of one section to canonical names; return (mapping, unknown headers).

    Works with and without group paths: a header is matched on its last path segment, or its
    last two for a select_multiple flag column.
    """
    fields = {f.name: f for f in ins.sections[section].fields}
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    for h in headers:
        parts = h.split("/")
        geo = KOBO_GEO.match(h)
        if parts[-1] in fields:
            mapping[h] = parts[-1]
        elif (len(parts) >= 2 and parts[-2] in fields
              and fields[parts[-2]].type == "select_multiple"):
            mapping[h] = f"{parts[-2]}/{parts[-1]}"
        elif geo and geo["name"] in fields and fields[geo["name"]].type == "geopoint":
            mapping[h] = f"{geo['name']}_{KOBO_GEO_PART[geo['part']]}"
        elif not h.startswith("_") and h not in ("meta/rootUuid", "meta/instanceID"):
            unknown.append(h)
    return mapping, unknown
