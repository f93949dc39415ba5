"""Read ODK Central ``submissions.csv.zip`` (root + one CSV per repeat) or a root-only CSV.

Central joins group paths with ``-``, splits geopoints into ``-Latitude``/``-Longitude``/
``-Altitude``/``-Accuracy`` without a raw column, names repeat files ``<formId>-<repeat>.csv``
(``~1`` for a repeated name) and chains ``KEY``/``PARENT_KEY`` through nested repeats. Headers
are mapped to Kobo XML headers through the instrument and then to canonical names, with the
lineage rules of the Kobo readers (``kobo_csv.main_table`` / ``link_children``), so every format
gives the same table. Central's split select_multiple columns are built from the data and are 0
even when unanswered, so flags are always derived from the summary (blank summary -> blank).

National exports run to millions of rows, so members are parsed by Arrow's CSV reader and every
step is a column operation; tables stay Arrow (``ArrowSections``) until written. A member Arrow
cannot read exactly like Python's csv module (not UTF-8, ragged rows, blank lines, a multi-line
header) goes through ``detect.csv_table`` instead, which also gives the exact error message.
``ingest_files`` reads with ``emit``: each section is handed over as soon as it is built, so
DuckDB stores it while the next member is inflated (in a second thread) and parsed.

The zip is untrusted: entries are checked for zip slip and zip bombs before any is read, and
members are read into memory with their declared size as a hard limit, never extracted.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from parenting_assessment.ingest.columns import LINEAGE, section_columns
from parenting_assessment.ingest.detect import (
    HEAD,
    check_archive,
    decode,
    require_delimiter,
)
from parenting_assessment.ingest.errors import IngestError
from parenting_assessment.ingest.kobo_csv import FROM_PARENT, UUID_COLUMNS, main_only_note
from parenting_assessment.ingest.tables import (
    NULL,
    STR,
    ArrowSections,
    Column,
    Csv,
    RawExport,
    any_valid,
    blank,
    canonical_mapping,
    constant,
    contiguous,
    join_present,
    prefixed,
    read_csv_text,
)
from parenting_assessment.instrument.model import MAIN_SECTION, Instrument

GEO = {"Latitude": "latitude", "Longitude": "longitude", "Altitude": "altitude",
       "Accuracy": "precision"}
ROOT_META = {"KEY": "meta/rootUuid", "meta-instanceID": "meta/instanceID",
             "instanceID": "meta/instanceID", "SubmissionDate": "_submission_time",
             "FormVersion": "__version__", "ReviewState": "_validation_status"}
CENTRAL_COLUMNS = {"SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected",
                   "Status", "DeviceID", "Edits", "PARENT_KEY", "KEY"}
KEY_TAIL = r"/(?P<rep>[^/\[\]]+)\[\d+\]$"  # the repeat of a KEY: ``uuid:…/roster[3]``


Emit = Callable[[str, pa.Table], None]


def read_odk_zip(path: Path, ins: Instrument, *, batch: str, sha256: str,
                 source_name: str | None = None, emit: Emit | None = None) -> RawExport:
    """All tables of a Central CSV zip; repeats linked by PARENT_KEY, keys chained.

    ``source_name`` is the ``_source_file`` (default: the file's name). With ``emit``, members
    are read one at a time and each section's table is handed to ``emit`` as soon as it is
    final (the root when its member is read, a repeat once its parent is), so that the caller
    can store it while the next member is parsed; the result is the same. If that read finds a
    problem, the file is read again member by member in the documented order below, so the
    error names the same first problem as without ``emit`` (the caller discards what it got).
    """
    source = source_name or Path(path).name
    if emit is None:
        return _read_whole(path, ins, batch, sha256, source)
    try:
        return _read_streaming(path, ins, batch, sha256, source, emit)
    except IngestError:
        # every check of the member-by-member read is one of _read_whole's, on the same data:
        # this raises, with the problem that comes first in _read_whole's order
        _read_whole(path, ins, batch, sha256, source)
        raise


def _read_whole(path: Path, ins: Instrument, batch: str, sha256: str, source: str) -> RawExport:
    """Parse every member, find the root, map members to repeats, build repeats in form order."""
    tables = {name: _parse(path, name, data) for name, data in _members(path)}
    roots = [n for n, c in tables.items() if _is_root(c.table)]
    if len(roots) != 1:
        raise IngestError(path, f"expected one root table (a CSV with 'SubmissionDate' and 'KEY'),"
                          f" found {len(roots)}: {', '.join(roots) or 'none'}")
    root_name = roots[0]
    form_id = PurePosixPath(root_name).stem
    main, keys, unknowns = _root(path, root_name, tables.pop(root_name), ins, batch, sha256,
                                 source)
    out = {MAIN_SECTION: main}
    parent_info = {MAIN_SECTION: (keys, prefixed(f"{root_name}:", main.column("_source_row")))}
    by_section: dict[str, str] = {}
    for name, c in tables.items():
        section = _section_of(name, c.table, form_id, ins)
        if section is None:
            unknowns.setdefault("<files>", []).append(name)
        else:
            _claim(path, by_section, section, name)
    notes: list[str] = []
    for section in ins.sections:  # form order: a parent repeat always comes before its child
        if section not in by_section:
            continue
        name = by_section[section]
        rep, info, unknown, orphans = _repeat(path, name, tables[name], section, ins, out,
                                              parent_info, batch, sha256, source)
        out[section], parent_info[section] = rep, info
        if unknown:
            unknowns[section] = unknown
        if orphans:
            notes.append(_orphan_note(orphans, name))
    return RawExport("odk_zip", ArrowSections(_with_empty(out, ins)), _versions(main), unknowns,
                     notes)


def _read_streaming(path: Path, ins: Instrument, batch: str, sha256: str, source: str,
                    emit: Emit) -> RawExport:
    """``_read_whole`` member by member, emitting each section once it is built.

    Members before the root wait for it (the root's name gives the form id that names repeat
    files); a repeat waits for its parent's table. A second root, a repeat claimed twice, a
    parent that never comes: IngestError (``read_odk_zip`` then words it as ``_read_whole``).
    """
    root_name = ""
    out: dict[str, pa.Table] = {}
    parent_info: dict[str, tuple[Column, Column]] = {}
    by_section: dict[str, str] = {}
    early: list[tuple[str, Csv]] = []  # members read before the root
    waiting: dict[str, Csv] = {}  # repeats whose parent table is not built yet
    files: list[str] = []
    built: dict[str, tuple[list[str], int]] = {}  # section -> unknown headers, orphan rows
    unknowns: dict[str, list[str]] = {}

    def place(name: str, c: Csv) -> None:
        section = _section_of(name, c.table, PurePosixPath(root_name).stem, ins)
        if section is None:
            files.append(name)
            return
        _claim(path, by_section, section, name)
        waiting[section] = c
        for s in ins.sections:  # form order: a parent is built before its child in one pass
            if s in waiting and (ins.sections[s].parent or MAIN_SECTION) in out:
                rep, info, unknown, orphans = _repeat(path, by_section[s], waiting.pop(s), s, ins,
                                                      out, parent_info, batch, sha256, source)
                out[s], parent_info[s], built[s] = rep, info, (unknown, orphans)
                emit(s, rep)

    for name, data in _members(path):
        c = _parse(path, name, data)
        del data
        if _is_root(c.table):
            if root_name:
                raise IngestError(path, f"two root tables: '{root_name}' and '{name}'")
            root_name = name
            main, keys, unknowns = _root(path, name, c, ins, batch, sha256, source)
            out[MAIN_SECTION] = main
            parent_info[MAIN_SECTION] = (keys, prefixed(f"{name}:", main.column("_source_row")))
            emit(MAIN_SECTION, main)
            for member in early:
                place(*member)
            early.clear()
        elif root_name:
            place(name, c)
        else:
            early.append((name, c))
    if not root_name or waiting:
        raise IngestError(path, "no root table" if not root_name else
                          f"no parent table for {', '.join(waiting)}")
    if files:
        unknowns["<files>"] = files
    notes: list[str] = []
    for section in ins.sections:  # as _read_whole: unknown headers and notes in form order
        if section in built:
            unknown, orphans = built[section]
            if unknown:
                unknowns[section] = unknown
            if orphans:
                notes.append(_orphan_note(orphans, by_section[section]))
    return RawExport("odk_zip", ArrowSections(_with_empty(out, ins)),
                     _versions(out[MAIN_SECTION]), unknowns, notes)


def _parse(path: Path, name: str, data: bytes) -> Csv:
    """A member as text columns, one chunk per column (the tables built from it then are too)."""
    c = read_csv_text(path, name, data, "KEY")
    return Csv(contiguous(c.table), c.lines)


def _is_root(t: pa.Table) -> bool:
    return {"SubmissionDate", "KEY"} <= set(t.column_names) and "PARENT_KEY" not in t.column_names


def _claim(path: Path, by_section: dict[str, str], section: str, name: str) -> None:
    if section in by_section:
        raise IngestError(path, f"'{name}' and '{by_section[section]}' both hold repeat "
                          f"'{section}'; the form model cannot tell them apart")
    by_section[section] = name


def _orphan_note(orphans: int, name: str) -> str:
    return (f"{orphans} row(s) of '{name}' have a PARENT_KEY that is not in the parent table; "
            "kept with an 'orphan:' row key")


def read_odk_csv(path: Path, ins: Instrument, *, batch: str, sha256: str) -> RawExport:
    """A root-only ``submissions.csv``: the main table; repeats empty, with a note why."""
    data = Path(path).read_bytes()
    head = data[:HEAD]
    if len(head) == HEAD and b"\n" in head:
        head = head[: head.rindex(b"\n")]
    require_delimiter(path, decode(head)[0], "odk_csv")
    src = read_csv_text(path, None, data, "KEY")
    main, _, unknowns = _root(path, Path(path).name, src, ins, batch, sha256, Path(path).name)
    notes = [main_only_note("ODK Central submissions.csv", ins)] if len(ins.sections) > 1 else []
    return RawExport("odk_csv", ArrowSections(_with_empty({MAIN_SECTION: main}, ins)),
                     _versions(main), unknowns, notes)


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


# ----------------------------------------------------------------------------- parsing
def _members(path: Path) -> Iterator[tuple[str, bytes]]:
    """The CSV members, read in memory one at a time; media and folders are skipped.

    The next member is inflated in a second thread while the caller parses this one (zlib
    releases the GIL); its errors surface when the caller asks for it, as without.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            check_archive(path, infos)
            members = [i for i in infos if not i.is_dir() and i.filename.lower().endswith(".csv")
                       and not i.filename.startswith("media/")]

            def read(info: zipfile.ZipInfo) -> bytes:
                with zf.open(info) as fh:  # reads at most the declared (checked) size
                    return fh.read(info.file_size)

            with ThreadPoolExecutor(1, thread_name_prefix="odk-zip") as pool:
                ahead = pool.submit(read, members[0]) if members else None
                for k, info in enumerate(members):
                    data = ahead.result()
                    ahead = pool.submit(read, members[k + 1]) if k + 1 < len(members) else None
                    yield info.filename, data
                    del data
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError,
            RuntimeError) as exc:  # RuntimeError: an encrypted member
        raise IngestError(path, f"a damaged, truncated or encrypted zip archive ({exc})") from exc


# ------------------------------------------------------------------------------ tables
def _root(path: Path, name: str, src: Csv, ins: Instrument, batch: str, sha256: str,
          source: str) -> tuple[pa.Table, Column, dict[str, list[str]]]:
    t, lines = src
    if "KEY" not in t.column_names:
        raise IngestError(path, f"'{name}': required key column 'KEY' is missing")
    keys = t.column("KEY")
    _check_keys(path, name, keys, lines)
    headers = [ROOT_META.get(h, h) for h in _to_kobo(t.column_names, ins, MAIN_SECTION)]
    raw = dict(zip(reversed(headers), reversed(t.columns), strict=True))  # first one wins
    mapping, unknown = canonical_mapping(headers, ins, MAIN_SECTION, str(path))
    out = _canonical(raw, mapping, ins, MAIN_SECTION, t.num_rows)
    if not any(c in raw for c in UUID_COLUMNS):
        raise IngestError(path, "required key column missing: none of "
                          f"{', '.join(UUID_COLUMNS)} is in the header")
    uuid = _first_filled([_strip_uuid(raw[c]) for c in UUID_COLUMNS if c in raw])
    blank = pc.equal(uuid, "")
    if pc.any(blank).as_py():
        line = lines[pc.index(blank, True).as_py()].as_py()
        raise IngestError(path, f"line {line}: the submission has no uuid (columns "
                          f"{', '.join(c for c in UUID_COLUMNS if c in raw)})")
    root = _strip_uuid(raw["meta/rootUuid"]) if "meta/rootUuid" in raw else uuid
    n = t.num_rows
    lineage = {
        "_batch": constant(batch, n), "_file_sha256": constant(sha256, n),
        "_source_file": constant(source, n), "_source_sheet": constant(name, n),
        "_source_row": lines, "_form_version": raw.get("__version__", constant(None, n)),
        "submission_uuid": uuid, "submission_root": pc.if_else(pc.equal(root, ""), uuid, root),
        "_submission_id": _key_number(raw["_id"]) if "_id" in raw else constant(None, n),
        "_submission_time": raw.get("_submission_time", constant(None, n)),
        "_validation_status": raw.get("_validation_status", constant(None, n)),
        "_row_key": uuid, "_parent_key": constant(None, n), "_parent_row": constant(None, n),
    }
    unknown = [u for u in unknown if u not in ROOT_META and u not in CENTRAL_COLUMNS
               and u != "ReviewState"]
    return _table(out, lineage), keys, ({MAIN_SECTION: unknown} if unknown else {})


def _repeat(path: Path, name: str, src: Csv, section: str, ins: Instrument,
            out: dict[str, pa.Table], parent_info: dict[str, tuple[Column, Column]],
            batch: str, sha256: str, source: str
            ) -> tuple[pa.Table, tuple[Column, Column], list[str], int]:
    t, lines = src
    missing = [c for c in ("PARENT_KEY", "KEY") if c not in t.column_names]
    if missing:
        raise IngestError(path, f"'{name}': required key column(s) {', '.join(missing)} missing")
    parent_section = ins.sections[section].parent or MAIN_SECTION
    if parent_section not in out:
        raise IngestError(path, f"'{name}': its parent repeat '{parent_section}' has no table "
                          "in the zip")
    parent, (parent_keys, parent_rows) = out[parent_section], parent_info[parent_section]
    pos = _positions(t.column("PARENT_KEY"), parent_keys, parent_section == MAIN_SECTION)
    headers = _to_kobo(t.column_names, ins, section)
    raw = dict(zip(reversed(headers), reversed(t.columns), strict=True))
    mapping, unknown = canonical_mapping(headers, ins, section, str(path))
    rep = _canonical(raw, mapping, ins, section, t.num_rows)
    found = pos >= 0
    idx = pa.array(np.where(found, pos, 0), mask=~found)
    n = t.num_rows
    lineage: dict[str, Column] = {
        "_batch": constant(batch, n), "_file_sha256": constant(sha256, n),
        "_source_file": constant(source, n), "_source_sheet": constant(name, n),
        "_source_row": lines, **{c: parent.column(c).take(idx) for c in FROM_PARENT},
        "_parent_key": parent.column("_row_key").take(idx), "_parent_row": parent_rows.take(idx),
    }
    number = pd.Series(pos).groupby(pos, sort=False).cumcount().to_numpy() + 1
    keyed = pc.binary_join_element_wise(lineage["_parent_key"], pa.scalar(f"/{section}["),
                                        pa.array(number).cast(STR), pa.scalar("]"), "")
    lineage["_row_key"] = pc.if_else(pa.array(found), keyed, prefixed(f"orphan:{name}:", lines))
    unknown = [u for u in unknown if u not in CENTRAL_COLUMNS]
    info = (t.column("KEY"), prefixed(f"{name}:", lines))
    return _table(rep, lineage), info, unknown, int((~found).sum())


def _canonical(raw: dict[str, Column], mapping: dict[str, str], ins: Instrument, section: str,
               n: int) -> dict[str, Column]:
    """Canonical answer columns: blanks NULL, select_multiple completed, geopoints rebuilt."""
    data = {name: raw[header] for header, name in mapping.items()}
    out = {c: data.get(c, constant(None, n)) for c in section_columns(ins, section)}
    present = set(mapping.values())
    for f in ins.sections[section].fields:
        if f.type == "geopoint" and f.name not in raw:  # Central has no raw geopoint column
            parts = [out[f"{f.name}_{p}"] for p in ("lat", "lon", "alt", "acc")]
            out[f.name] = blank(join_present(parts))
        if f.type != "select_multiple" or not f.list_name:
            continue
        flags = {c: f"{f.name}/{c}" for c in ins.choice_names(f.list_name)}
        if f.name in present:  # flags always from the summary (Central writes 0 when unasked)
            tokens = pc.utf8_split_whitespace(out[f.name])
            flat, parents = pc.list_flatten(tokens), pc.list_parent_indices(tokens)
            asked = pc.is_valid(out[f.name])
            for c, col in flags.items():
                hit = np.zeros(n, dtype=bool)
                hit[pc.filter(parents, pc.equal(flat, c)).to_numpy(zero_copy_only=False)] = True
                out[col] = pc.if_else(asked, pc.if_else(pa.array(hit), "1", "0"), NULL)
        elif any(col in present for col in flags.values()):
            chosen = [pc.if_else(pc.equal(out[col], "1"), c, NULL) for c, col in flags.items()]
            joined = blank(join_present(chosen))
            asked = any_valid([out[col] for col in flags.values()])
            out[f.name] = pc.if_else(asked, joined, NULL)
    return out


def _table(answers: dict[str, Column], lineage: dict[str, Column]) -> pa.Table:
    cols = {**answers, **{c: lineage[c] for c in LINEAGE}}
    return pa.table({c: pa.chunked_array([v]) if isinstance(v, pa.Array) else v
                     for c, v in cols.items()})


def _with_empty(tables: dict[str, pa.Table], ins: Instrument) -> dict[str, pa.Table]:
    """Every form section gets a table, in form order; absent ones are empty."""
    return {s: tables[s] if s in tables else pa.table({c: pa.array([], STR) for c in [
        *section_columns(ins, s), *LINEAGE]}) for s in ins.sections}


# ---------------------------------------------------------------------- column helpers
def _to_kobo(names: list[str], ins: Instrument, section: str) -> list[str]:
    table = odk_headers(ins, section)
    return [table.get(h, h) for h in names]


def _strip_uuid(a: Column) -> Column:
    a = pc.utf8_trim_whitespace(pc.fill_null(a, ""))
    return pc.if_else(pc.starts_with(a, "uuid:"), pc.utf8_slice_codeunits(a, 5), a)


def _first_filled(columns: list[Column]) -> Column:
    out = columns[0]
    for c in columns[1:]:
        out = pc.if_else(pc.equal(out, ""), c, out)
    return out


def _key_number(a: Column) -> Column:
    """``"1.0"`` -> ``"1"``, as ``kobo_csv.key_number``."""
    return pc.replace_substring_regex(pc.utf8_trim_whitespace(a), r"^(-?\d+)\.0+$", r"\1")


def _positions(parent_key: Column, parent_keys: Column, unique: bool) -> np.ndarray:
    """Row of each PARENT_KEY in the parent table (the last one if repeated); -1 if none."""
    keys = pa.chunked_array(parent_keys).combine_chunks()
    m = len(keys)
    if unique:
        found = pc.index_in(parent_key, value_set=keys)
        return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    rev = pc.index_in(parent_key, value_set=keys.take(pa.array(np.arange(m - 1, -1, -1))))
    found = pc.fill_null(rev, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return np.where(found >= 0, m - 1 - found, -1)


def _check_keys(path: Path, name: str, keys: Column, lines: pa.Array) -> None:
    """Every root KEY filled and unique; on a problem, name the first one in file order."""
    if keys.null_count == 0 and pc.count_distinct(keys).as_py() == len(keys):
        return
    seen: dict[str, str] = {}
    for key, line in zip(keys.to_pylist(), lines.to_pylist(), strict=True):
        if not key:
            raise IngestError(path, f"'{name}' line {line}: KEY is empty")
        if key in seen:
            raise IngestError(path, f"'{name}' line {line}: KEY '{key}' repeats line {seen[key]}")
        seen[key] = line


def _section_of(name: str, t: pa.Table, form_id: str, ins: Instrument) -> str | None:
    """The repeat a member holds: from its KEYs (``…/roster[3]``), else from its file name."""
    keys = t.column("KEY") if "KEY" in t.column_names else pa.chunked_array([], STR)
    for part in (keys.slice(0, 100), keys):  # the first keys almost always tell
        tail = pc.extract_regex(part, KEY_TAIL)
        valid = pc.is_valid(tail)
        if pc.any(valid).as_py():
            rep = tail[pc.index(valid, True).as_py()].as_py()["rep"]
            return rep if rep in ins.sections else None
    stem = PurePosixPath(name).stem
    if stem.startswith(form_id + "-"):
        stem = re.sub(r"~\d+$", "", stem[len(form_id) + 1:])
        return stem if stem in ins.sections and stem != MAIN_SECTION else None
    return None


def _versions(main: pa.Table) -> list[str]:
    return sorted(v for v in pc.unique(main.column("_form_version")).to_pylist() if v)
