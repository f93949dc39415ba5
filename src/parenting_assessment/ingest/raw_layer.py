"""The raw layer as Parquet files next to the warehouse, read through ``raw.<section>`` views.

Why not DuckDB tables: storing a national export (2.4 million rows of text) as compressed DuckDB
tables cost 15–20 CPU-seconds, more than reading it; the same tables written by pyarrow as
Parquet cost about 6, on a thread of their own. Raw data is written once and never updated, so
immutable files suit it: one file per section per landed file, in ``<warehouse>.raw/<section>/``.

Atomicity is kept by the catalogue, not the files: ``meta.raw_files`` lists the files of every
committed batch, and the views read exactly that list. Both change in the ingest transaction, so a
batch that fails leaves the views as they were (its files are deleted; a file left by a crash is
in no list and never read). Views are rebuilt by every ingest and before the typed stage reads
them, with absolute paths computed from the warehouse's own location (the list stores paths
relative to it), so a moved data folder keeps working. An in-memory warehouse (tests, notebooks)
has nowhere to put files and keeps tables.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from parenting_assessment.ingest.errors import IngestError
from parenting_assessment.warehouse import table_exists


@dataclass(frozen=True)
class RawPart:
    """One written file: section, path relative to the raw folder, batch, rows."""

    section: str
    relative: str
    batch: str
    rows: int


def raw_dir(con: duckdb.DuckDBPyConnection) -> Path | None:
    """``<warehouse file>.raw`` for a file-backed warehouse; None in memory."""
    path = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()[0]
    if not path or path == ":memory:":
        return None
    return Path(path).resolve().with_name(Path(path).name + ".raw")


def as_text_table(table: pd.DataFrame | pa.Table) -> pa.Table:
    """Arrow table as it will be stored; all-None columns become text, not Parquet NULL type."""
    if isinstance(table, pd.DataFrame):
        table = pa.Table.from_pandas(table, preserve_index=False)
    if any(pa.types.is_null(f.type) for f in table.schema):
        table = table.cast(pa.schema(
            [pa.field(f.name, pa.string()) if pa.types.is_null(f.type) else f
             for f in table.schema]))
    return table


def write_part(root: Path, section: str, batch: str, table: pa.Table) -> RawPart:
    """Write ``table`` under a fresh name; the caller records it (or deletes it)."""
    folder = root / section
    folder.mkdir(parents=True, exist_ok=True)
    relative = f"{section}/{uuid.uuid4().hex}.parquet"
    pq.write_table(table, root / relative, compression="snappy")
    return RawPart(section, relative, batch, table.num_rows)


def record(con: duckdb.DuckDBPyConnection, parts: list[RawPart]) -> None:
    """Add ``parts`` to ``meta.raw_files`` in order, after every earlier file."""
    con.execute("""create table if not exists meta.raw_files (
                     seq bigint, section varchar, file varchar, batch varchar, n_rows bigint)""")
    start = con.execute("select coalesce(max(seq), 0) from meta.raw_files").fetchone()[0]
    for i, p in enumerate(parts, start=start + 1):
        con.execute("insert into meta.raw_files values (?, ?, ?, ?, ?)",
                    [i, p.section, p.relative, p.batch, p.rows])


def refresh(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the views of a file-backed warehouse (nothing to do in memory)."""
    root = raw_dir(con)
    if root is not None:
        refresh_views(con, root)


def refresh_views(con: duckdb.DuckDBPyConnection, root: Path) -> None:
    """(Re)create ``raw.<section>`` over the recorded files of each section, in order.

    A section still stored as a table (a warehouse from before the Parquet layer) is first
    written out as its section's earliest file, so no row is lost.
    """
    if not table_exists(con, "meta.raw_files"):
        return
    sections = [r[0] for r in con.execute(
        "select distinct section from meta.raw_files order by section").fetchall()]
    for section in sections:
        _migrate_table(con, root, section)
        files = [str(root / r[0]) for r in con.execute(
            "select file from meta.raw_files where section = ? order by seq", [section]
        ).fetchall()]
        missing = [f for f in files if not Path(f).is_file()]
        if missing:
            raise IngestError(missing[0], f"raw layer file listed in meta.raw_files is missing "
                              f"({len(missing)} of section '{section}'); restore the folder "
                              f"{root} or rebuild the warehouse from the landed exports")
        listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
        con.execute(f'create or replace view raw."{section}" as select * from '
                    f"read_parquet([{listed}], union_by_name = true)")


def _migrate_table(con: duckdb.DuckDBPyConnection, root: Path, section: str) -> None:
    kind = con.execute("select table_type from information_schema.tables "
                       "where table_schema = 'raw' and table_name = ?", [section]).fetchall()
    if not kind or kind[0][0] != "BASE TABLE":
        return
    table = con.sql(f'select * from raw."{section}"').to_arrow_table()
    part = write_part(root, section, "(migrated)", table)
    first = con.execute("select coalesce(min(seq), 1) - 1 from meta.raw_files").fetchone()[0]
    con.execute("insert into meta.raw_files values (?, ?, ?, ?, ?)",
                [first, section, part.relative, part.batch, part.rows])
    con.execute(f'drop table raw."{section}"')


def delete(root: Path, parts: list[RawPart]) -> None:
    """Remove the files of a batch that did not commit."""
    for p in parts:
        (root / p.relative).unlink(missing_ok=True)
