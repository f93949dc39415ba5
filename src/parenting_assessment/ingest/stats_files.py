"""Read SPSS ``.sav`` and Stata ``.dta`` files made from a Kobo main table (pyreadstat).

Analysts convert exports to SPSS/Stata, and both formats mangle names: ``/`` and ``-`` are
invalid (``assets/1`` -> ``assets_1``), SPSS names cannot start with ``_`` and Stata cuts them at
32 characters. Instead of guessing one converter's rules, every header a Kobo export could have
is sanitised by all the usual rules and matched back; a variable label that holds the original
header (Stata ``import delimited`` keeps it there) or a question label wins. Coded select_one
values are mapped through their value labels to choice names, in either form language.
A file holds one table: the main table; repeats come back empty, with a note.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd
import pyreadstat

from parenting_assessment.ingest.columns import KOBO_GEO_PART
from parenting_assessment.ingest.errors import IngestError
from parenting_assessment.ingest.kobo_csv import (
    main_only_note,
    main_table,
    versions_of,
    with_empty_repeats,
)
from parenting_assessment.ingest.tables import RawExport
from parenting_assessment.instrument.model import MAIN_SECTION, Instrument

KOBO_META = ("_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
             "_submitted_by", "__version__", "_tags", "meta/rootUuid", "meta/instanceID", "_index")
NAME_LIMIT = {"spss_sav": 64, "stata_dta": 32}


def read_spss_sav(path: Path, ins: Instrument, *, batch: str, sha256: str) -> RawExport:
    """An SPSS .sav holding a Kobo main table."""
    return _read(path, ins, pyreadstat.read_sav, "spss_sav", batch=batch, sha256=sha256)


def read_stata_dta(path: Path, ins: Instrument, *, batch: str, sha256: str) -> RawExport:
    """A Stata .dta holding a Kobo main table."""
    return _read(path, ins, pyreadstat.read_dta, "stata_dta", batch=batch, sha256=sha256)


def _read(path: Path, ins: Instrument, reader: Callable, fmt: str, *, batch: str,
          sha256: str) -> RawExport:
    what = "SPSS" if fmt == "spss_sav" else "Stata"
    try:
        df, meta = reader(str(path), apply_value_formats=False)
    except Exception as exc:  # pyreadstat raises ReadstatError and others for broken files
        raise IngestError(path, f"not a readable {what} file, possibly truncated ({exc})") from exc
    headers = kobo_headers(ins)
    names, notes = _name_map(list(df.columns), meta.column_labels, headers, ins, NAME_LIMIT[fmt])
    fields = {f.name: f for f in ins.sections[MAIN_SECTION].fields}
    raw = pd.DataFrame(index=range(len(df)), dtype=object)
    for var in df.columns:
        header = names.get(var, var)
        codes = meta.variable_value_labels.get(var, {})
        f = fields.get(header.split("/")[-1])
        choices = _choice_lookup(ins, f.list_name) if f and f.type == "select_one" and \
            f.list_name and header.split("/")[-1] == f.name else None
        raw[header] = [_value(v, codes, choices) for v in df[var].tolist()]
    rows = [str(i + 1) for i in range(len(df))]  # SPSS/Stata case numbers
    main, unknown = main_table(raw, rows, ins, path, batch=batch, sha256=sha256, sheet=path.name)
    if len(ins.sections) > 1:
        notes.append(main_only_note(f"A {what} file", ins))
    return RawExport(fmt, with_empty_repeats({MAIN_SECTION: main}, ins), versions_of(main),
                     {MAIN_SECTION: unknown} if unknown else {}, notes)


def kobo_headers(ins: Instrument) -> list[str]:
    """Every main-table header a Kobo XML export can have (group paths off and on)."""
    out: list[str] = []
    for f in ins.sections[MAIN_SECTION].fields:
        for base in dict.fromkeys((f.name, "/".join(f.path))):
            out.append(base)
            if f.type == "select_multiple" and f.list_name:
                out += [f"{base}/{c}" for c in ins.choice_names(f.list_name)]
            elif f.type == "geopoint":
                group = "/".join(f.path[:-1])
                out += [f"{group + '/' if group and base != f.name else ''}_{f.name}_{part}"
                        for part in KOBO_GEO_PART]
    return out + list(KOBO_META)


def sanitised(header: str, limit: int) -> list[str]:
    """The names converters make of ``header``, most faithful first."""
    base = re.sub(r"[^A-Za-z0-9_@#$.]", "_", header)
    stata = re.sub(r"[^A-Za-z0-9_]", "_", header)
    stripped = base.lstrip("_.")
    out = [header, base, stata, stripped, "V" + base, "X" + base, "@" + base, "v" + base]
    return list(dict.fromkeys(n[:limit] for n in out if n))


def _name_map(variables: list[str], var_labels: list[str | None], headers: list[str],
              ins: Instrument, limit: int) -> tuple[dict[str, str], list[str]]:
    """Variable name -> Kobo header: variable label first, then sanitised names, then labels."""
    by_name: dict[str, tuple[int, set[str]]] = {}
    for h in headers:
        for rank, name in enumerate(sanitised(h, limit)):
            key = name.lower()
            best = by_name.get(key)
            if best is None or rank < best[0]:
                by_name[key] = (rank, {h})
            elif rank == best[0]:
                best[1].add(h)
    question = {text: f.name for f in ins.sections[MAIN_SECTION].fields
                for text in f.labels.values() if text}
    known, out, notes = set(headers), {}, []
    for var, label in zip(variables, var_labels or [None] * len(variables), strict=False):
        hit = by_name.get(var.lower())
        if label in known:
            out[var] = label
        elif hit and len(hit[1]) == 1:
            out[var] = next(iter(hit[1]))
        elif hit:
            notes.append(f"variable '{var}' could be any of {', '.join(sorted(hit[1]))}; ignored")
        elif label in question:
            out[var] = question[label]
    return out, notes


def _choice_lookup(ins: Instrument, list_name: str) -> dict[str, str]:
    """Any label (any language) or name of a choice -> its name."""
    lookup: dict[str, str] = {}
    for c in ins.choices.get(list_name, []):
        for text in c.labels.values():
            lookup.setdefault(text.strip().casefold(), c.name)
    for c in ins.choices.get(list_name, []):
        lookup[c.name.casefold()] = c.name
    return lookup


def _value(v: object, codes: dict, choices: dict[str, str] | None) -> str:
    """One cell as export text: numbers without '.0', dates ISO, coded choices as names."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    text = _text(v)
    if choices is None:
        return text
    label = codes.get(v)
    if label is not None and str(label).strip().casefold() in choices:
        return choices[str(label).strip().casefold()]
    if text.casefold() in choices:
        return choices[text.casefold()]
    return text if label is None else str(label)  # not a choice: keep what it means


def _text(v: object) -> str:
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, datetime | date | time):
        return v.isoformat()
    return str(v)
