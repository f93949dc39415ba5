"""Read a KoboToolbox XLSX export: main sheet first, one sheet per repeat group.

Kobo's ``_index`` is only a join key inside one file, so repeat rows are linked to their parent
through ``_parent_index`` here and then carry the submission uuid and a stable row key.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from parenting_assessment.ingest.errors import IngestError
from parenting_assessment.ingest.tables import (
    RawExport,
    assign_row_keys,
    canonical_frame,
    drop_tag_row,
    empty_section,
    strip_uuid,
    with_lineage,
)
from parenting_assessment.instrument.model import MAIN_SECTION, Instrument

REQUIRED_MAIN = ("_index",)
REQUIRED_REPEAT = ("_index", "_parent_index", "_parent_table_name")


def read_sheets(path: Path) -> dict[str, pd.DataFrame]:
    """All sheets as text (python-calamine: fast, and reads Kobo's inline strings)."""
    try:
        return pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False,
                             engine="calamine")
    except Exception as exc:  # calamine raises its own types for broken zips and XML
        raise IngestError(
            path, f"not a readable XLSX workbook, possibly truncated ({exc})") from exc


def read_kobo_xlsx(path: Path, ins: Instrument, *, batch: str, sha256: str) -> RawExport:
    sheets = read_sheets(path)
    if not sheets:
        raise IngestError(path, "the workbook has no sheets")
    names = list(sheets)
    main_name = names[0]
    main = drop_tag_row(sheets[main_name])
    tag_rows = len(sheets[main_name]) - len(main)  # an HXL row shifts spreadsheet rows by one
    _require(path, main_name, main, REQUIRED_MAIN)
    if "_uuid" not in main.columns and "meta/rootUuid" not in main.columns:
        raise IngestError(path, f"sheet '{main_name}' has neither '_uuid' nor 'meta/rootUuid'")
    uuid = strip_uuid(main.get("_uuid", main.get("meta/rootUuid")))
    root = strip_uuid(main["meta/rootUuid"]) if "meta/rootUuid" in main else uuid
    root = root.where(root != "", uuid)
    out, unknown = canonical_frame(main, ins, MAIN_SECTION, str(path))
    versions = main.get("__version__", pd.Series([""] * len(main)))
    out = with_lineage(
        out, _batch=batch, _file_sha256=sha256, _source_file=path.name, _source_sheet=main_name)
    out["_source_row"] = (main.index + 2 + tag_rows).astype(str)
    out["_form_version"] = versions.where(versions != "", None).values
    out["submission_uuid"] = uuid.values
    out["submission_root"] = root.values
    out["_submission_id"] = main.get("_id", pd.Series([None] * len(main))).values
    out["_submission_time"] = main.get("_submission_time", pd.Series([None] * len(main))).values
    out["_validation_status"] = main.get("_validation_status",
                                         pd.Series([None] * len(main))).values
    out["_row_key"] = uuid.values
    blank = out["submission_uuid"] == ""
    if blank.any():
        raise IngestError(path, f"sheet '{main_name}' row {int(out.index[blank][0]) + 2}: "
                          "the submission has no uuid")
    tables = {MAIN_SECTION: out}
    unknowns = {MAIN_SECTION: unknown} if unknown else {}
    by_index = {main_name: (main["_index"].tolist(), out)}
    for sheet in names[1:]:
        section = sheet if sheet in ins.sections else None
        if section is None:
            unknowns.setdefault("<sheets>", []).append(sheet)
            continue
        df = drop_tag_row(sheets[sheet])
        sheet_tags = len(sheets[sheet]) - len(df)
        _require(path, sheet, df, REQUIRED_REPEAT)
        parent_section = ins.sections[section].parent or MAIN_SECTION
        parent = tables.get(parent_section)
        rep, unknown = canonical_frame(df, ins, section, str(path))
        rep = with_lineage(
            rep, _batch=batch, _file_sha256=sha256, _source_file=path.name, _source_sheet=sheet)
        rep["_source_row"] = (df.index + 2 + sheet_tags).astype(str)
        if parent is None:
            raise IngestError(path, f"sheet '{sheet}': its parent section '{parent_section}' "
                              "is not in the workbook")
        parent_idx = dict(zip(_parent_index_values(tables, by_index, parent_section, main_name),
                              parent.index, strict=True))
        pos = df["_parent_index"].map(parent_idx)
        for col in ("submission_uuid", "submission_root", "_submission_id", "_submission_time",
                    "_form_version", "_validation_status"):
            rep[col] = parent[col].reindex(pos).values
        rep["_parent_key"] = parent["_row_key"].reindex(pos).values
        parent_row = parent["_source_sheet"].astype(str) + ":" + parent["_source_row"].astype(str)
        rep["_parent_row"] = parent_row.reindex(pos).values
        rep = assign_row_keys(rep, section)
        orphan = rep["_row_key"].isna()
        rep.loc[orphan, "_row_key"] = f"orphan:{sheet}:" + df.loc[orphan, "_index"].astype(str)
        tables[section] = rep
        by_index[sheet] = (df["_index"].tolist(), rep)
        if unknown:
            unknowns[section] = unknown
    for section in ins.sections:
        if section not in tables:
            tables[section] = with_lineage(empty_section(ins, section))
    return RawExport("kobo_xlsx", tables, sorted({v for v in versions if v}), unknowns)


def _parent_index_values(tables, by_index, parent_section: str, main_name: str) -> list[str]:
    key = main_name if parent_section == MAIN_SECTION else parent_section
    return by_index[key][0]


def _require(path: Path, sheet: str, df: pd.DataFrame, cols: tuple[str, ...]) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise IngestError(path, f"sheet '{sheet}' lacks the key column(s) {', '.join(missing)}")
