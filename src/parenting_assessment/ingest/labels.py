"""Turn label-mode exports back into XML names and values, and complete select_multiples.

Kobo's API defaults to labels (``Jenis kelamin`` / ``Laki-laki``) when ``lang`` is not sent, so
label files do arrive. Labels are not data: every label header and value is mapped back to the
XLSForm name through the instrument, in whichever language matches the headers best. A
select_multiple summary of space-joined labels is ambiguous (``Ibu Orang lain``), so the split
columns decide when they are present.

``complete_select_multiple`` fills whichever half of a select_multiple an export lacks (summary
or 0/1 flags), so summary-only, split-only and both give one table.
"""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path

import pandas as pd

from parenting_assessment.ingest.columns import KOBO_GEO_PART, map_headers
from parenting_assessment.ingest.errors import IngestError
from parenting_assessment.ingest.kobo_xlsx import read_kobo_xlsx, read_sheets
from parenting_assessment.ingest.tables import RawExport
from parenting_assessment.instrument.model import MAIN_SECTION, Field, Instrument

VALIDATION = {"Approved": "validation_status_approved",
              "Not Approved": "validation_status_not_approved",
              "On Hold": "validation_status_on_hold"}


def to_xml_names(df: pd.DataFrame, ins: Instrument, section: str, path: Path,
                 lines: list[str] | None = None) -> tuple[pd.DataFrame, str | None]:
    """Map label headers/values of one section to XML; return (frame, language or None)."""
    xml_hits = len(map_headers(list(df.columns), ins, section)[0])
    best, best_hits, best_map = None, 0, {}
    languages = sorted({k for f in ins.sections[section].fields for k in f.labels})
    for lang in languages:  # 'default' too: a form with a plain 'label' column
        table = _header_table(ins, section, lang)
        mapping = {h: x for h in df.columns if (x := _match(h, table)) is not None}
        hits = sum(1 for h, x in mapping.items() if h != x)
        if hits > best_hits:
            best, best_hits, best_map = lang, hits, mapping
    if best is None or best_hits <= xml_hits:
        return df, None
    out = df.rename(columns=best_map)
    fields = {f.name: f for f in ins.sections[section].fields}
    for col in out.columns:
        f = fields.get(col)
        if f is not None and f.type == "select_one" and f.list_name:
            names = {_choice_label(c.labels, best, c.name): c.name
                     for c in ins.choices.get(f.list_name, [])}
            out[col] = out[col].map(lambda v, n=names: n.get(v, v))
        elif f is not None and f.type == "select_multiple" and f.list_name:
            out[col] = _summaries(out, f, ins, best, path, lines)
    if "_validation_status" in out.columns:
        out["_validation_status"] = out["_validation_status"].map(lambda v: VALIDATION.get(v, v))
    return out, best


def complete_select_multiple(out: pd.DataFrame, ins: Instrument, section: str, present: set[str],
                             *, flags_from_summary: bool = False) -> None:
    """Fill the summary or the 0/1 flags of each select_multiple from the other half.

    Flags derived from a summary are blank when the summary is blank: the reader cannot know
    whether the question was asked (Kobo writes blank flags only when it was not; ODK always
    writes 0). A summary derived from flags lists the choices in choice-list order, because a
    split-only export does not carry the order of selection.
    """
    for f in ins.sections[section].fields:
        if f.type != "select_multiple" or not f.list_name:
            continue
        choices = ins.choice_names(f.list_name)
        flags = {c: f"{f.name}/{c}" for c in choices}
        if f.name in present:
            tokens = out[f.name].map(lambda v: None if v is None else set(str(v).split()))
            for c, col in flags.items():
                if flags_from_summary or col not in present:
                    out[col] = tokens.map(lambda t, c=c: None if t is None else str(int(c in t)))
        elif any(col in present for col in flags.values()):
            out[f.name] = [_summary_of(dict(zip(flags, row, strict=True)))
                           for row in out[list(flags.values())].itertuples(index=False)]


def _summary_of(flags: dict[str, object]) -> str | None:
    """Selected choices in list order; None when no flag is filled (question not asked)."""
    if all(v is None for v in flags.values()):
        return None
    return " ".join(c for c, v in flags.items() if v == "1") or None


def read_kobo_xlsx_labels(path: Path, ins: Instrument, *, batch: str, sha256: str) -> RawExport:
    """A label-mode Kobo XLSX: map every sheet to XML, then read it like an XML workbook.

    The mapped workbook is written to a temporary file so the XLSX reader's parent linking is
    reused unchanged (``kobo_xlsx.read_kobo_xlsx`` reads from a path).
    """
    sheets = read_sheets(path)
    langs: set[str] = set()
    mapped: dict[str, pd.DataFrame] = {}
    for i, (name, df) in enumerate(sheets.items()):
        section = MAIN_SECTION if i == 0 else name if name in ins.sections else None
        if section is not None:
            df, lang = to_xml_names(df, ins, section, path, [str(r + 2) for r in range(len(df))])
            langs |= {lang} if lang else set()
        mapped[name] = df
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / path.name
        _write_workbook(copy, mapped)
        try:
            export = read_kobo_xlsx(copy, ins, batch=batch, sha256=sha256)
        except IngestError as exc:  # name the user's file, not the temporary copy
            raise IngestError(path, exc.problem) from exc
    for df in export.sections.values():
        df["_source_file"] = path.name
    export.format = "kobo_xlsx_labels"
    if langs:
        export.notes.append(f"label-mode export ({', '.join(sorted(langs))}): headers and values "
                            "mapped back to XML names")
    return export


def _write_workbook(target: Path, sheets: dict[str, pd.DataFrame]) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(target), {"strings_to_numbers": False})
    for name, df in sheets.items():
        ws = wb.add_worksheet(name)
        for c, header in enumerate(df.columns):
            ws.write_string(0, c, str(header))
        for r, row in enumerate(df.itertuples(index=False), start=1):
            for c, value in enumerate(row):
                if value is not None and str(value) != "":
                    ws.write_string(r, c, str(value))
    wb.close()


def _choice_label(labels: dict[str, str], lang: str, name: str) -> str:
    return labels.get(lang) or name


def _header_table(ins: Instrument, section: str, lang: str) -> dict[str, str]:
    """Label header (without group path) -> XML header, for one section and language."""
    table: dict[str, str] = {}
    for f in ins.sections[section].fields:
        label = f.labels.get(lang) or f.name
        table.setdefault(label, f.name)
        if f.type == "select_multiple" and f.list_name:
            for c in ins.choices.get(f.list_name, []):
                table[f"{label}/{_choice_label(c.labels, lang, c.name)}"] = f"{f.name}/{c.name}"
        elif f.type == "geopoint":
            for part in KOBO_GEO_PART:
                table[f"_{label}_{part}"] = f"_{f.name}_{part}"
    return table


def _match(header: str, table: dict[str, str]) -> str | None:
    if header in table:
        return table[header]
    for label in sorted(table, key=len, reverse=True):  # group path in front: longest wins
        if header.endswith("/" + label):
            return table[label]
    return None


def _summaries(out: pd.DataFrame, f: Field, ins: Instrument, lang: str, path: Path,
               lines: list[str] | None) -> list[str | None]:
    """Space-joined labels -> space-joined names, using the split flags when they exist."""
    choices = ins.choices.get(f.list_name or "", [])
    by_label = {_choice_label(c.labels, lang, c.name): c.name for c in choices}
    flag_cols = [f"{f.name}/{c.name}" for c in choices if f"{f.name}/{c.name}" in out.columns]
    result: list[str | None] = []
    for i, value in enumerate(out[f.name].tolist()):
        if value is None or str(value) == "":
            result.append(value)
            continue
        reads = [tuple(by_label[t] for t in r) for r in _segment(str(value), tuple(by_label))]
        flags = {col.split("/", 1)[1]: out[col].iloc[i] for col in flag_cols}
        if any(v is not None and v != "" for v in flags.values()):
            chosen = {c for c, v in flags.items() if v == "1"}
            fits = [r for r in reads if set(r) == chosen]
            names = fits[0] if fits else tuple(c.name for c in choices if c.name in chosen)
        elif len(reads) == 1:
            names = reads[0]
        elif not reads:
            names = (str(value),)  # not labels of this list: keep, validation reports it
        else:
            where = f"line {lines[i]}, " if lines else ""
            raise IngestError(path, (
                f"{where}column '{f.name}': '{value}' can be read as more than one set of "
                "choices; export with multiple_select=both (split columns) or with XML values"))
        result.append(" ".join(names) if names else None)
    return result


@cache
def _segment(text: str, labels: tuple[str, ...]) -> list[tuple[str, ...]]:
    """All ways to write ``text`` as labels joined by single spaces (at most 10)."""
    if text == "":
        return [()]
    found: list[tuple[str, ...]] = []
    for label in labels:
        if text == label:
            found.append((label,))
        elif label and text.startswith(label + " "):
            found += [(label, *rest) for rest in _segment(text[len(label) + 1:], labels)]
    return found[:10]
