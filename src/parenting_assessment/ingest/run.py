"""Ingest a batch: land its files, read them by detected format, write raw tables atomically.

A batch either lands whole or not at all: files are parsed before anything is written, and
the writes happen in one transaction. A failure marks the batch failed with its one-line
message; the landed copy of the file is kept for inspection.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from parenting_assessment.ingest.detect import detect
from parenting_assessment.ingest.errors import IngestError
from parenting_assessment.ingest.kobo_csv import read_kobo_csv
from parenting_assessment.ingest.kobo_xlsx import read_kobo_xlsx
from parenting_assessment.ingest.labels import read_kobo_xlsx_labels
from parenting_assessment.ingest.landing import land_file
from parenting_assessment.ingest.legacy_csv import read_kobo_legacy_csv
from parenting_assessment.ingest.odk_zip import read_odk_csv, read_odk_zip
from parenting_assessment.ingest.stats_files import read_spss_sav, read_stata_dta
from parenting_assessment.ingest.tables import RawExport
from parenting_assessment.instrument.model import Instrument
from parenting_assessment.warehouse import append_by_name, table_exists

Reader = Callable[..., RawExport]
READERS: dict[str, Reader] = {
    "kobo_xlsx": read_kobo_xlsx, "kobo_xlsx_labels": read_kobo_xlsx_labels,
    "kobo_csv": read_kobo_csv, "kobo_legacy_csv": read_kobo_legacy_csv,
    "odk_zip": read_odk_zip, "odk_csv": read_odk_csv,
    "spss_sav": read_spss_sav, "stata_dta": read_stata_dta,
}


@dataclass
class BatchResult:
    """What happened to one batch."""

    batch: str
    status: str
    message: str = ""
    files: list[dict] = field(default_factory=list)
    rows_per_section: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # land, read, write

    def lap(self, step: str, since: float) -> float:
        now = time.perf_counter()
        self.seconds[step] = round(self.seconds.get(step, 0.0) + now - since, 3)
        return now


def _already_landed(con: duckdb.DuckDBPyConnection, sha: str) -> bool:
    if not table_exists(con, "meta.landed_files"):
        return False
    return bool(con.execute(
        "select count(*) from meta.landed_files where sha256 = ?", [sha]).fetchall()[0][0])


def _record_batch(con: duckdb.DuckDBPyConnection, result: BatchResult) -> None:
    con.execute("""create table if not exists meta.batches (batch varchar, status varchar,
                   message varchar, files integer, updated_at timestamptz)""")
    con.execute("delete from meta.batches where batch = ?", [result.batch])
    con.execute("insert into meta.batches values (?, ?, ?, ?, ?)",
                [result.batch, result.status, result.message, len(result.files),
                 datetime.now(UTC)])


def ingest_files(con: duckdb.DuckDBPyConnection, files: list[Path], ins: Instrument, *,
                 batch: str, landing_dir: Path) -> BatchResult:
    """Land and read ``files`` as one batch; return what was done (never raises IngestError)."""
    parsed: list[tuple[Path, object, str, RawExport]] = []
    result = BatchResult(batch, "ok")
    t = time.perf_counter()
    try:
        if not files:
            raise IngestError(batch, "no export files found")
        for path in files:
            landed = land_file(path, landing_dir)
            t = result.lap("land", t)
            if _already_landed(con, landed.sha256):
                result.files.append({"file_name": path.name, "sha256": landed.sha256,
                                     "status": "already landed"})
                continue
            try:
                found = detect(landed.stored)
                fmt = found.format
                reader = READERS.get(fmt)
                if reader is None:
                    raise IngestError(path, f"detected {found.name}, which cannot be read yet")
                export = reader(landed.stored, ins, batch=batch, sha256=landed.sha256)
            except IngestError as exc:  # name the user's file, not the landed copy
                raise IngestError(path, exc.problem) from exc
            export.notes.insert(0, f"detected: {found.name}")
            export.set_source_file(path.name)
            parsed.append((path, landed, fmt, export))
            t = result.lap("read", t)
    except IngestError as exc:
        result.status, result.message = "failed", str(exc)
        _record_batch(con, result)
        return result
    con.begin()
    try:
        for path, landed, fmt, export in parsed:
            for section, n in export.rows_per_section().items():
                append_by_name(con, f"raw.{section}", export.tables()[section])
                result.rows_per_section[section] = result.rows_per_section.get(section, 0) + n
            row = {
                "file_name": path.name, "sha256": landed.sha256, "size": landed.size,
                "format": fmt, "form_versions": ",".join(export.form_versions),
                "rows_per_section": json.dumps(export.rows_per_section(), sort_keys=True),
                "unknown_columns": json.dumps(export.unknown_columns, sort_keys=True),
                "notes": "; ".join(export.notes),
                "batch": batch, "stored_path": str(landed.stored),
                "landed_at": datetime.now(UTC),
            }
            append_by_name(con, "meta.landed_files", pd.DataFrame([row]))
            result.files.append({**row, "status": "landed"})
        _record_batch(con, result)
        con.commit()
    except Exception:
        con.rollback()
        raise
    result.lap("write", t)
    return result
