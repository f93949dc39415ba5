"""Shared steps of every reader: canonical text frames with lineage and row keys."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from parenting_assessment.ingest.columns import LINEAGE, map_headers, section_columns
from parenting_assessment.ingest.errors import IngestError
from parenting_assessment.instrument.model import MAIN_SECTION, Instrument

MIN_FORM_MATCH = 0.5


@dataclass
class RawExport:
    """What a reader returns: one text table per form section, plus what it noticed."""

    format: str
    sections: dict[str, pd.DataFrame]
    form_versions: list[str] = field(default_factory=list)
    unknown_columns: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def rows_per_section(self) -> dict[str, int]:
        return {s: len(df) for s, df in self.sections.items()}


def strip_uuid(values: pd.Series) -> pd.Series:
    return values.fillna("").astype(str).str.strip().str.removeprefix("uuid:")


def drop_tag_row(df: pd.DataFrame) -> pd.DataFrame:
    """Drop an HXL tag row: the first data row when every non-empty cell starts with '#'."""
    if df.empty:
        return df
    first = [str(v) for v in df.iloc[0].tolist() if str(v) != ""]
    if not first or all(v.startswith("#") for v in first):
        return df.iloc[1:].reset_index(drop=True)
    return df


def canonical_frame(df: pd.DataFrame, ins: Instrument, section: str, path: str) -> tuple[
        pd.DataFrame, list[str]]:
    """Rename export columns to canonical names; add every missing form column as NULL."""
    mapping, unknown = map_headers(list(df.columns), ins, section)
    cols = section_columns(ins, section)
    if section == MAIN_SECTION:
        answer_cols = [f.name for f in ins.sections[section].fields if f.type not in (
            "start", "end", "today", "deviceid", "calculate")]
        found = sum(1 for c in answer_cols if c in set(mapping.values()))
        if answer_cols and found / len(answer_cols) < MIN_FORM_MATCH:
            raise IngestError(path, (
                f"does not look like an export of the form '{ins.form_id}': only {found} of "
                f"{len(answer_cols)} of its main-table questions are present"))
    data = {}
    for header, name in mapping.items():
        values = df[header].astype(str).astype(object)
        data[name] = values.where(values != "", None)
    out = pd.DataFrame({c: data.get(c, pd.Series([None] * len(df), index=df.index, dtype=object))
                        for c in cols}, index=df.index)
    return out, unknown


def empty_section(ins: Instrument, section: str) -> pd.DataFrame:
    """A section with no rows in this export (formpack writes no sheet for an empty repeat)."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in section_columns(ins, section)})


def with_lineage(out: pd.DataFrame, **values: object) -> pd.DataFrame:
    for name in LINEAGE:
        out[name] = values.get(name)
    return out


def assign_row_keys(df: pd.DataFrame, section: str) -> pd.DataFrame:
    """Give repeat rows a key stable across exports: ``<parent key>/<section>[n]`` (ODK style).

    ``n`` counts within the parent *row* (``_parent_row``), so two copies of one submission in
    a file number their repeat rows alike.
    """
    n = df.groupby("_parent_row", sort=False, dropna=False).cumcount() + 1
    key = df["_parent_key"].astype(str) + f"/{section}[" + n.astype(str) + "]"
    df["_row_key"] = key.where(df["_parent_key"].notna(), None)
    return df
