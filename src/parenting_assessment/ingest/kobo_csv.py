"""Read a KoboToolbox CSV export (';', every field quoted, CRLF, optional HXL row).

Kobo writes only the main table to CSV (formpack writes ``sections[0]``), so the repeat
sections come back empty and the export's notes say so. The steps that turn a Kobo-shaped main
table into canonical columns plus lineage, and that attach repeat rows to their parent row,
live here and are shared by the legacy, ODK and SPSS/Stata readers: every format must produce
the lineage of the XLSX reader, byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from parenting_assessment.ingest.columns import LINEAGE, map_headers
from parenting_assessment.ingest.detect import csv_table, read_text, require_delimiter
from parenting_assessment.ingest.errors import IngestError
from parenting_assessment.ingest.labels import complete_select_multiple, to_xml_names
from parenting_assessment.ingest.tables import (
    RawExport,
    assign_row_keys,
    canonical_frame,
    drop_tag_row,
    empty_section,
    strip_uuid,
)
from parenting_assessment.instrument.model import MAIN_SECTION, Instrument

UUID_COLUMNS = ("_uuid", "meta/instanceID", "meta/rootUuid")
FROM_PARENT = ("submission_uuid", "submission_root", "_submission_id", "_submission_time",
               "_form_version", "_validation_status")


def read_kobo_csv(path: Path, ins: Instrument, *, batch: str, sha256: str) -> RawExport:
    """Main table of a Kobo CSV (XML or label headers); repeats empty, with a note why."""
    text = read_text(path)
    require_delimiter(path, text, "kobo_csv")
    raw, lines = csv_table(path, text, ";")
    raw, lines = drop_tag_rows(raw, lines)
    raw, lang = to_xml_names(raw, ins, MAIN_SECTION, path, lines)
    main, unknown = main_table(raw, lines, ins, path, batch=batch, sha256=sha256, sheet=path.name)
    notes = [main_only_note("KoboToolbox CSV", ins)] if len(ins.sections) > 1 else []
    if lang:
        notes.append(f"label-mode export ({lang}): headers and values mapped back to XML names")
    return RawExport("kobo_csv", with_empty_repeats({MAIN_SECTION: main}, ins), versions_of(main),
                     {MAIN_SECTION: unknown} if unknown else {}, notes)


def main_only_note(what: str, ins: Instrument) -> str:
    repeats = ", ".join(s for s in ins.sections if s != MAIN_SECTION)
    return (f"{what} carries the main table only: the repeat sections ({repeats}) are empty; "
            "repeats need the XLSX or ODK export")


def drop_tag_rows(raw: pd.DataFrame, lines: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Drop an HXL tag row and keep the source line numbers aligned with the rows."""
    kept = drop_tag_row(raw)
    return kept, lines[len(raw) - len(kept):]


def text_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Object dtype, None for blank: the one representation of a raw value."""
    out = df.astype(object)
    return out.where(out.notna() & (out != ""), None).reset_index(drop=True)


def key_number(values: pd.Series) -> pd.Series:
    """``"1.0"`` -> ``"1"``: numeric keys come back as floats from spreadsheets and SPSS."""
    text = values.astype(object).where(values.notna(), "").astype(str).str.strip()
    return text.str.replace(r"^(-?\d+)\.0+$", r"\1", regex=True)


def main_table(raw: pd.DataFrame, lines: list[str], ins: Instrument, path: Path, *, batch: str,
               sha256: str, sheet: str, flags_from_summary: bool = False,
               ) -> tuple[pd.DataFrame, list[str]]:
    """Canonical main table from a frame with Kobo XML headers and Kobo meta column names.

    Readers of other formats rename their meta columns to Kobo's (``_uuid``, ``meta/rootUuid``,
    ``__version__`` ...) first, so the lineage rules exist once.
    """
    if not any(c in raw.columns for c in UUID_COLUMNS):
        raise IngestError(path, "required key column missing: none of "
                          f"{', '.join(UUID_COLUMNS)} is in the header")
    raw = raw.reset_index(drop=True)
    present = set(map_headers(list(raw.columns), ins, MAIN_SECTION)[0].values())
    out, unknown = canonical_frame(raw, ins, MAIN_SECTION, str(path))
    complete_select_multiple(out, ins, MAIN_SECTION, present, flags_from_summary=flags_from_summary)
    uuid = _first_filled(raw, UUID_COLUMNS)
    blank = uuid == ""
    if blank.any():
        raise IngestError(path, f"line {lines[int(blank.idxmax())]}: the submission has no uuid "
                          f"(columns {', '.join(c for c in UUID_COLUMNS if c in raw.columns)})")
    root = strip_uuid(raw["meta/rootUuid"]) if "meta/rootUuid" in raw.columns else uuid
    out = out.reset_index(drop=True)
    lineage = {
        "_batch": batch, "_file_sha256": sha256, "_source_file": Path(path).name,
        "_source_sheet": sheet, "_source_row": lines, "_form_version": _col(raw, "__version__"),
        "submission_uuid": uuid, "submission_root": root.where(root != "", uuid),
        "_submission_id": key_number(_col(raw, "_id")),
        "_submission_time": _col(raw, "_submission_time"),
        "_validation_status": _col(raw, "_validation_status"), "_row_key": uuid,
        "_parent_key": None, "_parent_row": None,
    }
    for name in LINEAGE:
        value = lineage[name]
        out[name] = value.values if isinstance(value, pd.Series) else value
    return text_frame(out), unknown


def link_children(rep: pd.DataFrame, parent: pd.DataFrame, pos: list[int | None],
                  parent_rows: list[str], section: str, orphan_ids: list[str], *, batch: str,
                  sha256: str, source_file: str, sheets: list[str] | str,
                  lines: list[str]) -> pd.DataFrame:
    """Attach repeat rows to their parent rows (``pos``: parent position, None = orphan).

    Copies the submission lineage down, sets ``_parent_key``/``_parent_row`` and numbers the
    rows per parent row; orphans keep a findable key ``orphan:<where>`` and no submission.
    """
    rep = rep.reset_index(drop=True)
    idx = pd.Series([p if p is not None else -1 for p in pos], dtype="int64")
    found = (idx >= 0).values
    take = idx.where(found, 0).values

    def down(values: pd.Series | list) -> list:
        values = list(values)
        return [values[t] if ok else None for t, ok in zip(take, found, strict=True)]

    for name in LINEAGE:
        rep[name] = None
    rep["_batch"], rep["_file_sha256"], rep["_source_file"] = batch, sha256, source_file
    rep["_source_sheet"], rep["_source_row"] = sheets, lines
    for name in FROM_PARENT:
        rep[name] = down(parent[name]) if len(parent) else [None] * len(rep)
    rep["_parent_key"] = down(parent["_row_key"]) if len(parent) else [None] * len(rep)
    rep["_parent_row"] = down(parent_rows) if len(parent) else [None] * len(rep)
    rep = text_frame(rep)
    rep = assign_row_keys(rep, section)
    for i in range(len(rep)):
        if not found[i]:
            rep.loc[i, "_row_key"] = f"orphan:{orphan_ids[i]}"
    return text_frame(rep)


def with_empty_repeats(tables: dict[str, pd.DataFrame], ins: Instrument) -> dict[str, pd.DataFrame]:
    """Every form section gets a table, in form order; absent ones are empty."""
    out = {}
    for section in ins.sections:
        if section in tables:
            out[section] = tables[section]
        else:
            empty = empty_section(ins, section)
            for name in LINEAGE:
                empty[name] = pd.Series(dtype=object)
            out[section] = empty
    return out


def versions_of(main: pd.DataFrame) -> list[str]:
    return sorted({v for v in main["_form_version"] if v})


def _col(raw: pd.DataFrame, name: str) -> pd.Series:
    if name not in raw.columns:
        return pd.Series([None] * len(raw), dtype=object)
    return raw[name].astype(object)


def _first_filled(raw: pd.DataFrame, columns: tuple[str, ...]) -> pd.Series:
    out = pd.Series([""] * len(raw), dtype=object)
    for c in columns:
        if c in raw.columns:
            value = strip_uuid(raw[c].reset_index(drop=True)).astype(object)
            out = out.where(out != "", value)
    return out
