"""Shared steps of every reader: canonical text frames with lineage and row keys.

A reader returns text frames (object dtype, None for blank). A reader built on Arrow (the ODK
zip) hands over ``ArrowSections`` instead: the same tables as Arrow, turned into those frames
only when someone looks at them, while ``ingest_files`` writes the Arrow tables straight to the
warehouse (no Python object per cell). ``read_csv_text`` parses CSV with Arrow when that gives
exactly what ``detect.csv_table`` gives (text, record start lines), and falls back to it.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from parenting_assessment.ingest.columns import LINEAGE, map_headers, section_columns
from parenting_assessment.ingest.detect import csv_table, decode
from parenting_assessment.ingest.errors import IngestError
from parenting_assessment.instrument.model import MAIN_SECTION, Instrument

MIN_FORM_MATCH = 0.5
STR = pa.string()
NULL = pa.scalar(None, STR)
Column = pa.Array | pa.ChunkedArray


class ArrowSections(Mapping[str, pd.DataFrame]):
    """Section -> text frame, backed by Arrow string tables and converted on first access."""

    def __init__(self, tables: dict[str, pa.Table]) -> None:
        self.tables = tables
        self._frames: dict[str, pd.DataFrame] = {}

    def __getitem__(self, section: str) -> pd.DataFrame:
        if section not in self._frames:
            t = self.tables[section]
            self._frames[section] = pd.DataFrame(
                {n: pd.Series(_text(c).to_numpy(zero_copy_only=False), dtype=object)
                 for n, c in zip(t.column_names, t.columns, strict=True)})
        return self._frames[section]

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)

    def __len__(self) -> int:
        return len(self.tables)

    def set_constant(self, column: str, value: str) -> None:
        for section, t in self.tables.items():
            i = t.column_names.index(column)
            self.tables[section] = t.set_column(i, column, constant(value, t.num_rows))
        self._frames.clear()


def _text(c: pa.ChunkedArray) -> pa.ChunkedArray:
    return c.cast(pa.string()) if pa.types.is_dictionary(c.type) else c


def constant(value: str | None, n: int) -> pa.Array:
    """``n`` copies of one text value (NULL for blank), dictionary-encoded.

    One copy of the text whatever ``n``; DuckDB reads it as VARCHAR.
    """
    if not value:
        return pa.nulls(n, pa.string())
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int32)),
                                          pa.array([value], pa.string()))


@dataclass
class RawExport:
    """What a reader returns: one text table per form section, plus what it noticed."""

    format: str
    sections: Mapping[str, pd.DataFrame]
    form_versions: list[str] = field(default_factory=list)
    unknown_columns: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def rows_per_section(self) -> dict[str, int]:
        if isinstance(self.sections, ArrowSections):
            return {s: t.num_rows for s, t in self.sections.tables.items()}
        return {s: len(df) for s, df in self.sections.items()}

    def set_source_file(self, name: str) -> None:
        """Name the user's file (readers see the landed copy)."""
        if isinstance(self.sections, ArrowSections):
            self.sections.set_constant("_source_file", name)
            return
        for df in self.sections.values():
            df["_source_file"] = name

    def tables(self) -> Mapping[str, pd.DataFrame | pa.Table]:
        """What to write: the Arrow tables when the reader has them, else the frames."""
        if isinstance(self.sections, ArrowSections):
            return self.sections.tables
        return self.sections


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


def canonical_mapping(headers: list[str], ins: Instrument, section: str, path: str) -> tuple[
        dict[str, str], list[str]]:
    """Export header -> canonical name, unknown headers; refuse a main table of another form."""
    mapping, unknown = map_headers(headers, ins, section)
    if section == MAIN_SECTION:
        answer_cols = [f.name for f in ins.sections[section].fields if f.type not in (
            "start", "end", "today", "deviceid", "calculate")]
        found = sum(1 for c in answer_cols if c in set(mapping.values()))
        if answer_cols and found / len(answer_cols) < MIN_FORM_MATCH:
            raise IngestError(path, (
                f"does not look like an export of the form '{ins.form_id}': only {found} of "
                f"{len(answer_cols)} of its main-table questions are present"))
    return mapping, unknown


def canonical_frame(df: pd.DataFrame, ins: Instrument, section: str, path: str) -> tuple[
        pd.DataFrame, list[str]]:
    """Rename export columns to canonical names; add every missing form column as NULL."""
    mapping, unknown = canonical_mapping(list(df.columns), ins, section, path)
    cols = section_columns(ins, section)
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


# ------------------------------------------------------------------ Arrow text tables
class Csv(NamedTuple):
    """One CSV as text columns named by its (stripped) header, and each record's first line."""

    table: pa.Table
    lines: pa.Array


def read_csv_text(path: Path, member: str | None, data: bytes, key: str | None = None) -> Csv:
    """Comma-separated ``data`` as text columns, NULL for blank; errors name ``member``."""
    fast = arrow_csv(data, key)
    if fast is not None:
        return fast
    try:
        df, lines = csv_table(path, decode(data)[0], ",")
    except IngestError as exc:
        raise IngestError(path, f"member '{member}': {exc.problem}" if member else exc.problem
                          ) from exc
    table = pa.table({c: blank(pa.array(df[c].tolist(), STR)) for c in df.columns})
    return Csv(table, pa.array(lines, STR))


def arrow_csv(data: bytes, key: str | None = None) -> Csv | None:
    """Parse with Arrow when that gives exactly what ``csv_table`` would; else None.

    ``key``: a column never blank in a valid file, which spares the all-blank-row check.
    """
    data = data.removeprefix(codecs.BOM_UTF8)
    end = data.find(b"\n")
    first = data if end < 0 else data[:end]
    if first.count(b'"') % 2:
        return None  # a header spanning lines
    try:
        header = next(csv.reader([first.decode("utf-8").rstrip("\r")]))
    except (UnicodeDecodeError, StopIteration, csv.Error):
        return None
    names = [h.strip() for h in header]
    if not any(names) or len(set(names)) != len(names):
        return None
    cols = [f"c{i}" for i in range(len(names))]
    try:
        t = pacsv.read_csv(
            pa.py_buffer(data), read_options=pacsv.ReadOptions(column_names=cols),
            # without a quote no value can hold a line break: Arrow may then split the
            # file at any line break and parse the parts in parallel
            parse_options=pacsv.ParseOptions(newlines_in_values=b'"' in data),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(cols, STR), null_values=[""],
                strings_can_be_null=True, quoted_strings_can_be_null=True))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    t = t.slice(1).rename_columns(names)
    n = t.num_rows
    keyed = key in names and t.column(key).null_count == 0
    if n and not keyed and any_all_null(t):
        return None  # csv_table skips all-empty records
    breaks = data.count(b"\n")
    if b"\r" in data:
        breaks += data.count(b"\r") - data.count(b"\r\n")
    physical = breaks + (0 if data.endswith((b"\n", b"\r")) else 1)
    extra = np.zeros(n, dtype=np.int64)
    for c in t.columns:  # line breaks inside values, until all the file's extra ones are found
        if n + 1 + int(extra.sum()) >= physical:
            break
        if pc.any(pc.match_substring(c, "\n")).as_py() or (
                b"\r" in data and pc.any(pc.match_substring(c, "\r")).as_py()):
            extra += np.nan_to_num(
                pc.count_substring(c, "\n").to_numpy(zero_copy_only=False)
                + pc.count_substring(c, "\r").to_numpy(zero_copy_only=False)
                - pc.count_substring(c, "\r\n").to_numpy(zero_copy_only=False)
            ).astype(np.int64)
    if n + 1 + int(extra.sum()) != physical:
        return None  # blank lines: let the exact parser number the records
    starts = 2 + np.concatenate(([0], np.cumsum(1 + extra)[:-1])) if n else extra
    return Csv(t, pa.array(starts).cast(STR))


def contiguous(t: pa.Table) -> pa.Table:
    """One chunk per column; ``t`` itself if a column does not fit one chunk (2 GiB of text).

    DuckDB scans a table whose columns are chunked differently (CSV blocks next to lineage
    built whole) in slivers, and storing it then costs about a third more CPU.
    """
    if all(c.num_chunks <= 1 for c in t.columns):
        return t
    try:
        return t.combine_chunks()
    except pa.ArrowException:
        return t


def blank(a: Column) -> Column:
    """The one representation of a raw value: text, NULL for blank."""
    return pc.if_else(pc.equal(a, ""), NULL, a)


def prefixed(prefix: str, values: Column) -> Column:
    return pc.binary_join_element_wise(pa.scalar(prefix), values, "")


def join_present(parts: list[Column]) -> Column:
    """``" ".join`` of the non-NULL parts per row ('' when none).

    pyarrow 26's ``null_handling="skip"`` drops rows whose parts are all NULL: not used.
    """
    spaced = [pc.if_else(pc.is_valid(p), pc.binary_join_element_wise(pa.scalar(" "), p, ""),
                         "") for p in parts]
    return pc.utf8_slice_codeunits(pc.binary_join_element_wise(*spaced, ""), 1)


def any_all_null(t: pa.Table) -> bool:
    """Is some row NULL (blank) in every column?"""
    filled = np.zeros(t.num_rows, dtype=bool)
    for c in t.columns:
        filled |= pc.is_valid(c).to_numpy(zero_copy_only=False)
    return not filled.all()


def any_valid(columns: list[Column]) -> pa.Array:
    valid = np.zeros(len(columns[0]), dtype=bool)
    for c in columns:
        valid |= pc.is_valid(c).to_numpy(zero_copy_only=False)
    return pa.array(valid)
