"""Ingest a batch: land its files, read them by detected format, write raw tables atomically.

A batch either lands whole or not at all: everything it writes to the warehouse is one
transaction that commits only once every file has been read. A failure marks the batch failed
with its one-line message; the landed copy of the file is kept for inspection.

Writing runs on background threads while reading goes on (DuckDB, Arrow, zlib and the Parquet
writer release the GIL): a national ODK zip hands over each section as soon as it is built, so
the household section is written while the roster member is still parsed. In a file-backed
warehouse the raw sections are Parquet files behind ``raw`` views (``raw_layer``), which is
about three times cheaper than compressing them into DuckDB tables.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from parenting_assessment.ingest import raw_layer
from parenting_assessment.ingest.detect import detect
from parenting_assessment.ingest.errors import IngestError
from parenting_assessment.ingest.kobo_csv import read_kobo_csv
from parenting_assessment.ingest.kobo_xlsx import read_kobo_xlsx
from parenting_assessment.ingest.labels import read_kobo_xlsx_labels
from parenting_assessment.ingest.landing import LandedFile, land_file
from parenting_assessment.ingest.legacy_csv import read_kobo_legacy_csv
from parenting_assessment.ingest.odk_zip import read_odk_csv, read_odk_zip
from parenting_assessment.ingest.stats_files import read_spss_sav, read_stata_dta
from parenting_assessment.ingest.tables import RawExport, contiguous
from parenting_assessment.instrument.model import Instrument
from parenting_assessment.warehouse import append_by_name, table_exists

Reader = Callable[..., RawExport]
READERS: dict[str, Reader] = {
    "kobo_xlsx": read_kobo_xlsx, "kobo_xlsx_labels": read_kobo_xlsx_labels,
    "kobo_csv": read_kobo_csv, "kobo_legacy_csv": read_kobo_legacy_csv,
    "odk_zip": read_odk_zip, "odk_csv": read_odk_csv,
    "spss_sav": read_spss_sav, "stata_dta": read_stata_dta,
}
STREAMING = {read_odk_zip}  # readers that take ``source_name`` and ``emit`` (sections as built)


@dataclass
class BatchResult:
    """What happened to one batch."""

    batch: str
    status: str
    message: str = ""
    files: list[dict] = field(default_factory=list)
    rows_per_section: dict[str, int] = field(default_factory=dict)
    # land, read, and write: the writing left once everything is read (most of it overlaps read)
    seconds: dict[str, float] = field(default_factory=dict)

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


class _Writer:
    """One transaction on a cursor of ``con``, fed jobs in order by a background thread.

    Raw sections of a file-backed warehouse go to Parquet files on a second thread
    (``raw_layer``); they are recorded, and the ``raw`` views rebuilt, by the last job of the
    transaction, so they count only if it commits.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, batch: str) -> None:
        self.con = con.cursor()
        self.batch = batch
        self.root = raw_layer.raw_dir(con)
        self.parquet = ThreadPoolExecutor(1, thread_name_prefix="raw-parquet")
        self.parts: list[Future[raw_layer.RawPart]] = []
        self.con.begin()
        self.jobs: queue.SimpleQueue[Callable[[duckdb.DuckDBPyConnection], object] | None] = (
            queue.SimpleQueue())
        self.error: BaseException | None = None
        self.open = True
        self.thread = threading.Thread(target=self._run, name="ingest-writer", daemon=True)
        self.thread.start()

    def submit(self, job: Callable[[duckdb.DuckDBPyConnection], object]) -> None:
        if self.error is not None:  # a write failed: stop reading, the batch is rolled back
            raise self.error
        self.jobs.put(job)

    def append(self, qualified: str, table: pd.DataFrame | pa.Table) -> None:
        schema, _, section = qualified.partition(".")
        if schema == "raw" and self.root is not None:
            root, batch = self.root, self.batch
            self.parts.append(self.parquet.submit(
                lambda: raw_layer.write_part(root, section, batch, raw_layer.as_text_table(table))))
            return
        self.submit(lambda c: append_by_name(
            c, qualified, contiguous(table) if isinstance(table, pa.Table) else table))

    def _run(self) -> None:
        while (job := self.jobs.get()) is not None:
            if self.error is None:  # after a failure the rest is skipped, then rolled back
                try:
                    job(self.con)
                except BaseException as exc:  # re-raised by close() in the caller's thread
                    self.error = exc

    def _written(self) -> tuple[list[raw_layer.RawPart], BaseException | None]:
        """Wait for the Parquet writes; the files written and the first error."""
        self.parquet.shutdown(wait=True)
        parts, error = [], None
        for f in self.parts:
            try:
                parts.append(f.result())
            except BaseException as exc:
                error = error or exc
        return parts, error

    def close(self, *, commit: bool) -> None:
        """Wait for the jobs, then commit (or roll back); re-raise a failed job's error."""
        if not self.open:
            return
        self.open = False
        parts, parquet_error = self._written()
        if commit and parquet_error is None and self.root is not None:
            root = self.root
            self.jobs.put(lambda c: (raw_layer.record(c, parts) if parts else None,
                                     raw_layer.refresh_views(c, root)))
        self.jobs.put(None)
        self.thread.join()
        self.error = self.error or parquet_error
        committed = False
        try:
            if commit and self.error is None:
                self.con.commit()
                committed = True
            else:
                self.con.rollback()
        finally:
            self.con.close()
            if not committed and self.root is not None:
                raw_layer.delete(self.root, parts)
        if commit and self.error is not None:
            raise self.error


def ingest_files(con: duckdb.DuckDBPyConnection, files: list[Path], ins: Instrument, *,
                 batch: str, landing_dir: Path) -> BatchResult:
    """Land and read ``files`` as one batch; return what was done (never raises IngestError)."""
    result = BatchResult(batch, "ok")
    writer = _Writer(con, batch)
    try:
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
                fmt, export = _read(path, landed, ins, batch, writer)
                for section, n in export.rows_per_section().items():
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
                writer.append("meta.landed_files", pd.DataFrame([row]))
                result.files.append({**row, "status": "landed"})
                t = result.lap("read", t)
            writer.submit(lambda c: _record_batch(c, result))
            # a raw layer file gone missing fails here, with nothing committed
            writer.close(commit=True)
        except IngestError as exc:
            writer.close(commit=False)
            result.status, result.message = "failed", str(exc)
            _record_batch(con, result)
            return result
        result.lap("write", t)
        return result
    finally:
        writer.close(commit=False)  # after an unexpected error: roll back, keep that error


def _read(path: Path, landed: LandedFile, ins: Instrument, batch: str,
          writer: _Writer) -> tuple[str, RawExport]:
    """Detect and read one landed file; its raw tables go to ``writer`` (as soon as built)."""
    emitted: set[str] = set()

    def emit(section: str, table: pa.Table) -> None:
        emitted.add(section)
        writer.append(f"raw.{section}", table)

    try:
        found = detect(landed.stored)
        reader = READERS.get(found.format)
        if reader is None:
            raise IngestError(path, f"detected {found.name}, which cannot be read yet")
        streaming = {"source_name": path.name, "emit": emit} if reader in STREAMING else {}
        export = reader(landed.stored, ins, batch=batch, sha256=landed.sha256, **streaming)
    except IngestError as exc:  # name the user's file, not the landed copy
        raise IngestError(path, exc.problem) from exc
    export.notes.insert(0, f"detected: {found.name}")
    export.set_source_file(path.name)
    for section, table in export.tables().items():
        if section not in emitted:
            writer.append(f"raw.{section}", table)
    return found.format, export
