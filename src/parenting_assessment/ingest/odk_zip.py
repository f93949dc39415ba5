"""Read ODK Central ``submissions.csv.zip`` (root + one CSV per repeat) or a root-only CSV.

Central joins group paths with ``-``, splits geopoints into ``-Latitude``/``-Longitude``/
``-Altitude``/``-Accuracy`` without a raw column, names repeat files ``<formId>-<repeat>.csv``
(``~1`` for a repeated name) and chains ``KEY``/``PARENT_KEY`` through nested repeats. Headers
are mapped to Kobo XML headers through the instrument, so the shared Kobo steps produce the same
canonical table. Central's split select_multiple columns are built from the data and are 0 even
when unanswered, so flags are always derived from the summary (blank summary -> blank flags).

The zip is untrusted: entries are checked for zip slip and zip bombs before any is read, and
members are read into memory with their declared size as a hard limit, never extracted.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path, PurePosixPath

import pandas as pd

from parenting_assessment.ingest.columns import map_headers
from parenting_assessment.ingest.detect import check_archive, csv_table, decode, require_delimiter
from parenting_assessment.ingest.errors import IngestError
from parenting_assessment.ingest.kobo_csv import (
    link_children,
    main_only_note,
    main_table,
    versions_of,
    with_empty_repeats,
)
from parenting_assessment.ingest.labels import complete_select_multiple
from parenting_assessment.ingest.tables import RawExport, canonical_frame
from parenting_assessment.instrument.model import MAIN_SECTION, Instrument

GEO = {"Latitude": "latitude", "Longitude": "longitude", "Altitude": "altitude",
       "Accuracy": "precision"}
ROOT_META = {"KEY": "meta/rootUuid", "meta-instanceID": "meta/instanceID",
             "instanceID": "meta/instanceID", "SubmissionDate": "_submission_time",
             "FormVersion": "__version__", "ReviewState": "_validation_status"}
CENTRAL_COLUMNS = {"SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected",
                   "Status", "DeviceID", "Edits", "PARENT_KEY", "KEY"}
KEY_TAIL = re.compile(r"/([^/\[\]]+)\[\d+\]$")


def read_odk_zip(path: Path, ins: Instrument, *, batch: str, sha256: str) -> RawExport:
    """All tables of a Central CSV zip; repeats linked by PARENT_KEY, keys chained."""
    tables = {name: _parse(path, name, data) for name, data in _members(path).items()}
    roots = [n for n, (df, _) in tables.items() if {"SubmissionDate", "KEY"} <= set(df.columns)
             and "PARENT_KEY" not in df.columns]
    if len(roots) != 1:
        raise IngestError(path, f"expected one root table (a CSV with 'SubmissionDate' and 'KEY'),"
                          f" found {len(roots)}: {', '.join(roots) or 'none'}")
    root_name = roots[0]
    form_id = PurePosixPath(root_name).stem
    main, keys, unknowns = _root(path, root_name, *tables.pop(root_name), ins, batch, sha256)
    out = {MAIN_SECTION: main}
    parent_info = {MAIN_SECTION: (keys, [f"{root_name}:{r}" for r in main["_source_row"]])}
    by_section: dict[str, str] = {}
    for name, (df, _lines) in tables.items():
        section = _section_of(name, df, form_id, ins)
        if section is None:
            unknowns.setdefault("<files>", []).append(name)
        elif section in by_section:
            raise IngestError(path, f"'{name}' and '{by_section[section]}' both hold repeat "
                              f"'{section}'; the form model cannot tell them apart")
        else:
            by_section[section] = name
    notes: list[str] = []
    for section in ins.sections:  # form order: a parent repeat always comes before its child
        if section not in by_section:
            continue
        name = by_section[section]
        df, lines = tables[name]
        rep, info, unknown, orphans = _repeat(path, name, df, lines, section, ins, out,
                                              parent_info, batch, sha256)
        out[section], parent_info[section] = rep, info
        if unknown:
            unknowns[section] = unknown
        if orphans:
            notes.append(f"{orphans} row(s) of '{name}' have a PARENT_KEY that is not in the "
                         "parent table; kept with an 'orphan:' row key")
    return RawExport("odk_zip", with_empty_repeats(out, ins), versions_of(main), unknowns, notes)


def read_odk_csv(path: Path, ins: Instrument, *, batch: str, sha256: str) -> RawExport:
    """A root-only ``submissions.csv``: the main table; repeats empty, with a note why."""
    text = decode(Path(path).read_bytes())[0]
    require_delimiter(path, text, "odk_csv")
    df, lines = csv_table(path, text, ",")
    main, _, unknowns = _root(path, Path(path).name, df, lines, ins, batch, sha256)
    notes = [main_only_note("ODK Central submissions.csv", ins)] if len(ins.sections) > 1 else []
    return RawExport("odk_csv", with_empty_repeats({MAIN_SECTION: main}, ins), versions_of(main),
                     unknowns, notes)


def odk_headers(ins: Instrument, section: str) -> dict[str, str]:
    """ODK header (with and without group paths) -> Kobo XML header, for one section."""
    table: dict[str, str] = {}
    for f in ins.sections[section].fields:
        for prefix in ("-".join(_relative_path(f.path, section)), f.name):
            table[prefix] = f.name
            if f.type == "geopoint":
                for odk, kobo in GEO.items():
                    table[f"{prefix}-{odk}"] = f"_{f.name}_{kobo}"
            elif f.type == "select_multiple" and f.list_name:
                for c in ins.choice_names(f.list_name):
                    table[f"{prefix}/{c}"] = f"{f.name}/{c}"
    return table


def _relative_path(path: tuple[str, ...], section: str) -> tuple[str, ...]:
    """Central writes group paths relative to the enclosing repeat."""
    if section == MAIN_SECTION:
        return path
    inner = path[:-1]
    return path[len(inner) - inner[::-1].index(section):]


def _members(path: Path) -> dict[str, bytes]:
    """The CSV members, read in memory; media and folders are skipped."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            check_archive(path, infos)
            out = {}
            for info in infos:
                name = info.filename
                if info.is_dir() or not name.lower().endswith(".csv") or name.startswith("media/"):
                    continue
                with zf.open(info) as fh:  # reads at most the declared (checked) size
                    out[name] = fh.read(info.file_size)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError,
            RuntimeError) as exc:  # RuntimeError: an encrypted member
        raise IngestError(path, f"a damaged, truncated or encrypted zip archive ({exc})") from exc
    return out


def _parse(path: Path, member: str, data: bytes) -> tuple[pd.DataFrame, list[str]]:
    try:
        return csv_table(path, decode(data)[0], ",")
    except IngestError as exc:
        raise IngestError(path, f"member '{member}': {exc.problem}") from exc


def _root(path: Path, name: str, df: pd.DataFrame, lines: list[str], ins: Instrument,
          batch: str, sha256: str) -> tuple[pd.DataFrame, list[str], dict[str, list[str]]]:
    if "KEY" not in df.columns:
        raise IngestError(path, f"'{name}': required key column 'KEY' is missing")
    keys = df["KEY"].tolist()
    seen: dict[str, str] = {}
    for key, line in zip(keys, lines, strict=True):
        if not key:
            raise IngestError(path, f"'{name}' line {line}: KEY is empty")
        if key in seen:
            raise IngestError(path, f"'{name}' line {line}: KEY '{key}' repeats line {seen[key]}")
        seen[key] = line
    raw = _to_kobo(df, ins, MAIN_SECTION).rename(columns=ROOT_META)
    main, unknown = main_table(raw, lines, ins, path, batch=batch, sha256=sha256, sheet=name,
                               flags_from_summary=True)
    _rebuild_geopoints(main, ins, MAIN_SECTION, raw)
    unknown = [u for u in unknown if u not in ROOT_META and u not in CENTRAL_COLUMNS
               and u != "ReviewState"]
    return main, keys, ({MAIN_SECTION: unknown} if unknown else {})


def _repeat(path: Path, name: str, df: pd.DataFrame, lines: list[str], section: str,
            ins: Instrument, out: dict[str, pd.DataFrame],
            parent_info: dict[str, tuple[list[str], list[str]]], batch: str, sha256: str):
    missing = [c for c in ("PARENT_KEY", "KEY") if c not in df.columns]
    if missing:
        raise IngestError(path, f"'{name}': required key column(s) {', '.join(missing)} missing")
    parent_section = ins.sections[section].parent or MAIN_SECTION
    if parent_section not in out:
        raise IngestError(path, f"'{name}': its parent repeat '{parent_section}' has no table "
                          "in the zip")
    parent_keys, parent_rows = parent_info[parent_section]
    where = {k: i for i, k in enumerate(parent_keys)}
    pos = [where.get(k) for k in df["PARENT_KEY"]]
    raw = _to_kobo(df, ins, section)
    present = set(map_headers(list(raw.columns), ins, section)[0].values())
    rep, unknown = canonical_frame(raw, ins, section, str(path))
    complete_select_multiple(rep, ins, section, present, flags_from_summary=True)
    _rebuild_geopoints(rep, ins, section, raw)
    rep = link_children(rep, out[parent_section], pos, parent_rows, section,
                        [f"{name}:{line}" for line in lines], batch=batch, sha256=sha256,
                        source_file=Path(path).name, sheets=name, lines=lines)
    unknown = [u for u in unknown if u not in CENTRAL_COLUMNS]
    info = (df["KEY"].tolist(), [f"{name}:{line}" for line in lines])
    return rep, info, unknown, sum(p is None for p in pos)


def _to_kobo(df: pd.DataFrame, ins: Instrument, section: str) -> pd.DataFrame:
    table = odk_headers(ins, section)
    return df.rename(columns={h: table[h] for h in df.columns if h in table})


def _rebuild_geopoints(out: pd.DataFrame, ins: Instrument, section: str, raw: pd.DataFrame) -> None:
    """ODK has no raw geopoint column: rebuild ``"lat lon alt acc"`` from its four parts."""
    for f in ins.sections[section].fields:
        if f.type != "geopoint" or f.name in raw.columns:
            continue
        parts = out[[f"{f.name}_{p}" for p in ("lat", "lon", "alt", "acc")]].values.tolist()
        out[f.name] = pd.Series([" ".join(p for p in row if p is not None) or None
                                 for row in parts], index=out.index, dtype=object)


def _section_of(name: str, df: pd.DataFrame, form_id: str, ins: Instrument) -> str | None:
    """The repeat a member holds: from its KEYs (``…/roster[3]``), else from its file name."""
    for key in df.get("KEY", pd.Series(dtype=object)):
        m = KEY_TAIL.search(str(key))
        if m:
            return m.group(1) if m.group(1) in ins.sections else None
    stem = PurePosixPath(name).stem
    if stem.startswith(form_id + "-"):
        stem = re.sub(r"~\d+$", "", stem[len(form_id) + 1:])
        return stem if stem in ins.sections and stem != MAIN_SECTION else None
    return None
