"""Read a KoboToolbox legacy CSV (``csv_legacy``): comma, ``n/a``, repeats flattened.

The old KoboCAT builder writes one row per submission and flattens each repeat instance into
indexed columns (``roster[2]/name``, nested ``member[1]/work/job[2]/job_type``). The repeat
tables are rebuilt from those columns: one row per index path that has any answer (or a nested
instance below it). An instance whose answers are all blank cannot be told from no instance, so
it is not rebuilt. ``n/a`` (not relevant) becomes None; ``_validation_status`` ``{}`` is None.
Choice columns hold True/False and there is no summary column, so the summary is rebuilt in
choice-list order. Legacy exports carry no ``meta/rootUuid`` column, so the submission root is
the uuid unless that column is present.
"""

from __future__ import annotations

import ast
import json
import re
from collections import defaultdict
from pathlib import Path

import pandas as pd

from parenting_assessment.ingest.columns import map_headers
from parenting_assessment.ingest.detect import csv_table, read_text, require_delimiter
from parenting_assessment.ingest.kobo_csv import (
    link_children,
    main_table,
    text_frame,
    versions_of,
    with_empty_repeats,
)
from parenting_assessment.ingest.labels import complete_select_multiple
from parenting_assessment.ingest.tables import RawExport, canonical_frame, drop_tag_row
from parenting_assessment.instrument.model import MAIN_SECTION, Instrument

INDEXED = re.compile(r"([^/\[\]]+)\[(\d+)\]")
InstanceKey = tuple[int, ...]  # 1-based indices of one repeat instance, outermost first


def read_kobo_legacy_csv(path: Path, ins: Instrument, *, batch: str, sha256: str) -> RawExport:
    """Main table plus every repeat table rebuilt from the flattened ``name[n]/`` columns."""
    text = read_text(path)
    require_delimiter(path, text, "kobo_legacy_csv")
    raw, lines = csv_table(path, text, ",")
    kept = drop_tag_row(raw)
    lines, raw = lines[len(raw) - len(kept):], kept
    raw = raw.map(lambda v: "" if v == "n/a" else v)
    if "_validation_status" in raw.columns:
        raw["_validation_status"] = raw["_validation_status"].map(_validation_uid)
    flat = {h: _chain(h) for h in raw.columns if INDEXED.search(h)}
    main, unknown = main_table(_binary(raw.drop(columns=list(flat)), ins, MAIN_SECTION), lines,
                               ins, path, batch=batch, sha256=sha256, sheet=path.name)
    unknowns = {MAIN_SECTION: unknown} if unknown else {}
    tables = {MAIN_SECTION: main}
    keypos = {MAIN_SECTION: {(i + 1,): i for i in range(len(lines))}}
    locs = {MAIN_SECTION: [f"{path.name}:{line}" for line in lines]}
    instances = _instances(raw, flat, ins, unknowns)
    for section in ins.sections:  # form order: parents before nested children
        rows = sorted(instances.get(section, {}).items())
        if not rows:
            continue
        parent = ins.sections[section].parent or MAIN_SECTION
        frame = pd.DataFrame([values for _, values in rows], dtype=object).fillna("")
        frame = _binary(frame, ins, section)
        present = set(map_headers(list(frame.columns), ins, section)[0].values())
        rep, unknown = canonical_frame(frame, ins, section, str(path))
        rep = text_frame(rep)
        complete_select_multiple(rep, ins, section, present)
        keys = [key for key, _ in rows]
        locs[section] = [f"{path.name}:{lines[k[0] - 1]}:{_locator(section, k, ins)}"
                         for k in keys]
        keypos[section] = {k: n for n, k in enumerate(keys)}
        tables[section] = link_children(
            rep, tables[parent], [keypos[parent].get(k[:-1]) for k in keys], locs[parent],
            section, locs[section], batch=batch, sha256=sha256, source_file=path.name,
            sheets=path.name, lines=[lines[k[0] - 1] for k in keys])
        if unknown:
            unknowns[section] = unknown
    return RawExport("kobo_legacy_csv", with_empty_repeats(tables, ins), versions_of(main),
                     unknowns)


def _binary(raw: pd.DataFrame, ins: Instrument, section: str) -> pd.DataFrame:
    """KoboCAT writes select_multiple choice columns as True/False; canonical flags are 1/0."""
    for header, name in map_headers(list(raw.columns), ins, section)[0].items():
        if "/" in name:
            raw[header] = raw[header].map(lambda v: {"True": "1", "False": "0"}.get(v, v))
    return raw


def _chain(header: str) -> tuple[tuple[tuple[str, int], ...], str]:
    """``member[1]/work/job[2]/job_type`` -> ((member, 1), (job, 2)), ``job_type``."""
    chain = tuple((m.group(1), int(m.group(2))) for m in INDEXED.finditer(header))
    rest = header[header.rindex("]") + 1:].lstrip("/")
    return chain, rest


def _instances(raw: pd.DataFrame, flat: dict, ins: Instrument,
               unknowns: dict[str, list[str]]) -> dict[str, dict[InstanceKey, dict[str, str]]]:
    """section -> {(main row + 1, idx, ...): {column within the repeat: value}}."""
    found: dict[str, dict[InstanceKey, dict[str, str]]] = defaultdict(dict)
    for header, (chain, rest) in flat.items():
        names = [n for n, _ in chain]
        section = names[-1]
        if not _nesting_ok(names, ins) or not rest:
            unknowns.setdefault("<flattened>", []).append(header)
            continue
        idx = tuple(n for _, n in chain)
        for i, value in enumerate(raw[header].tolist()):
            key = (i + 1, *idx)
            if value != "" or key in found[section]:
                found[section].setdefault(key, {})[rest] = value
    for section in reversed(list(ins.sections)):  # a nested instance implies its parents
        parent = ins.sections[section].parent
        if parent and parent != MAIN_SECTION:
            for key in list(found.get(section, {})):
                found[parent].setdefault(key[:-1], {})
    return found


def _nesting_ok(names: list[str], ins: Instrument) -> bool:
    parent = MAIN_SECTION
    for name in names:
        if name not in ins.sections or (ins.sections[name].parent or MAIN_SECTION) != parent:
            return False
        parent = name
    return True


def _locator(section: str, key: InstanceKey, ins: Instrument) -> str:
    names = [section]
    while (parent := ins.sections[names[0]].parent) and parent != MAIN_SECTION:
        names.insert(0, parent)
    return "/".join(f"{n}[{i}]" for n, i in zip(names, key[1:], strict=True))


def _validation_uid(value: str) -> str:
    """``{}`` -> blank; a serialised status dict -> its ``uid``; anything else unchanged."""
    text = (value or "").strip()
    if not text.startswith("{"):
        return text
    for parse in (json.loads, ast.literal_eval):
        try:
            data = parse(text)
        except (ValueError, SyntaxError):
            continue
        return str(data.get("uid", "")) if isinstance(data, dict) else text
    return text
