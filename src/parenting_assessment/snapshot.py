"""Analyst-facing copies of the warehouse: an in-memory copy, or a published Parquet snapshot.

Why: DuckDB lets one process write a database file, and any other connection to it — even a
read-only one — takes a file lock. A notebook that kept the warehouse open would make the next
pipeline step fail ("Could not set lock"), and while a step writes, a read-only open fails.
So analysts never hold the warehouse open: `copy_tables` copies the analyst tables into an
in-memory database and lets the file go within about a second, and `publish_snapshot` (called
at the end of a pipeline run) writes the same tables to Parquet, which readers use whenever the
pipeline holds the lock.

The snapshot folder holds one sub-folder per publication and a ``CURRENT`` file naming the
complete one; ``CURRENT`` is replaced atomically after every file is written, so a reader never
sees half a snapshot. The newest two publications are kept.

Only tables fit for analysts are copied: the core model (keyed-hash household ids, no names,
phones or GPS — identifying-looking columns are dropped defensively), unit values, estimates,
needs index, models and validation summaries (without raw values or submission ids).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb

ANALYST_TABLES = (
    "core.households", "core.persons", "core.children", "core.child_modules", "core.caregivers",
    "core.migrants", "indicators.unit_values", "estimates.estimates", "estimates.needs_index",
    "estimates.needs_components", "estimates.needs_sensitivity", "estimates.model_results",
    "validated.findings", "validated.quarantine", "validated.reconciliation",
    "validated.monitoring_villages", "meta.batches",
)
# Checked only in core/validated: estimates legitimately carry village names (area_name).
IDENTIFYING = re.compile(r"(^|_)(name|phone|gps|lat|lon|latitude|longitude|deviceid|address)"
                         r"($|_)", re.IGNORECASE)
RAW_VALUES = {"value", "row_key", "_parent_key", "submission_root"}
CURRENT = "CURRENT"
MANIFEST = "manifest.json"


def snapshot_dir(warehouse: Path | str) -> Path:
    """Where the snapshot of `warehouse` lives: ``snapshot/`` beside it (``data/snapshot/``)."""
    return Path(warehouse).resolve().parent / "snapshot"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _tables(con: duckdb.DuckDBPyConnection, catalog: str | None) -> list[str]:
    """The analyst tables present in `catalog` (None: the connection's own database)."""
    where = f"table_catalog = {_lit(catalog)}" if catalog else "table_catalog = current_database()"
    have = {f"{s}.{t}" for s, t in con.execute(
        f"select table_schema, table_name from information_schema.tables where {where}"
    ).fetchall()}
    return [t for t in ANALYST_TABLES if t in have]


def select_list(con: duckdb.DuckDBPyConnection, source: str, qualified: str) -> str:
    """Columns of `source` an analyst may see; submission ids become a short keyed hash."""
    schema = qualified.split(".")[0]
    cols = con.execute(f"select * from {source} limit 0").df().columns
    out = []
    for c in cols:
        if schema in ("core", "validated") and IDENTIFYING.search(c):
            continue
        if schema == "validated" and c in RAW_VALUES:
            continue
        if c == "submission_uuid":
            out.append(f"left(md5({_q(c)}), 16) as submission_key")
            continue
        out.append(_q(c))
    return ", ".join(out)


def copy_tables(src: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    """Copy the analyst tables of the attached database `catalog` into `src`'s own database."""
    copied = []
    for qualified in _tables(src, catalog):
        schema, name = qualified.split(".")
        source = f"{_q(catalog)}.{_q(schema)}.{_q(name)}"
        src.execute(f"create schema if not exists {schema}")
        src.execute(f"create or replace table {schema}.{name} as "
                    f"select {select_list(src, source, qualified)} from {source}")
        copied.append(qualified)
    return copied


def publish_snapshot(con: duckdb.DuckDBPyConnection, out_dir: Path | str) -> Path:
    """Write the analyst tables of the open warehouse `con` to Parquet; return the folder.

    Call it at the end of a pipeline run with the run's connection (read-write or read-only).
    The previous publication stays readable until the next one replaces it.
    """
    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = root / stamp
    folder.mkdir()
    rows = {}
    for qualified in _tables(con, None):
        target = folder / f"{qualified}.parquet"
        con.execute(f"copy (select {select_list(con, qualified, qualified)} from {qualified}) "
                    f"to {_lit(str(target))} (format parquet)")
        rows[qualified] = int(con.execute(f"select count(*) from {qualified}").fetchall()[0][0])
    (folder / MANIFEST).write_text(json.dumps(
        {"published_at": datetime.now(UTC).isoformat(timespec="seconds"), "tables": rows},
        indent=1), encoding="utf-8")
    tmp = root / f".{CURRENT}.{os.getpid()}"
    tmp.write_text(stamp, encoding="utf-8")
    os.replace(tmp, root / CURRENT)
    for old in sorted(p for p in root.iterdir() if p.is_dir() and p.name != stamp)[:-1]:
        shutil.rmtree(old, ignore_errors=True)
    return folder


def current_snapshot(out_dir: Path | str) -> Path | None:
    """The complete publication named by ``CURRENT``, or None when there is none."""
    pointer = Path(out_dir) / CURRENT
    if not pointer.is_file():
        return None
    folder = Path(out_dir) / pointer.read_text(encoding="utf-8").strip()
    return folder if (folder / MANIFEST).is_file() else None


def load_snapshot(con: duckdb.DuckDBPyConnection, folder: Path) -> dict:
    """Load a publication into `con` (tables, not views: a later prune cannot break them)."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    for qualified in manifest["tables"]:
        schema, name = qualified.split(".")
        con.execute(f"create schema if not exists {schema}")
        con.execute(f"create or replace table {schema}.{name} as select * from "
                    f"read_parquet({_lit(str(folder / f'{qualified}.parquet'))})")
    return manifest
