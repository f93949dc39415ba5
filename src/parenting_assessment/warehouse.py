"""The DuckDB warehouse: one file, one schema per layer.

DuckDB allows one writer at a time; the pipeline opens it read-write for the length of a step,
and readers (notebooks, the report) open it read-only or read the Parquet snapshot.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

SCHEMAS = ("raw", "typed", "validated", "core", "indicators", "estimates", "meta")


@contextmanager
def connect(path: Path | str, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        if not read_only:
            for s in SCHEMAS:
                con.execute(f"create schema if not exists {s}")
        yield con
    finally:
        con.close()


def table_exists(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    schema, name = qualified.split(".")
    return bool(con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name]).fetchall()[0][0])


def _select_typed(con: duckdb.DuckDBPyConnection) -> str:
    """Select list that turns columns DuckDB typed as NULL (all values None) into VARCHAR.

    Without it a later append of text into such a column fails ("cast VARCHAR -> NULL").
    """
    cols = con.execute("describe _incoming").fetchall()
    return ", ".join(f'"{c}"::varchar as "{c}"' if t == '"NULL"' or t == "NULL" else f'"{c}"'
                     for c, t, *_ in cols)


def replace_table(con: duckdb.DuckDBPyConnection, qualified: str,
                  df: pd.DataFrame | pa.Table) -> int:
    """Replace ``qualified`` with the content of ``df`` (registered, not string-built)."""
    con.register("_incoming", df)
    try:
        con.execute(f"create or replace table {qualified} as select {_select_typed(con)} "
                    "from _incoming")
    finally:
        con.unregister("_incoming")
    return len(df)


def append_by_name(con: duckdb.DuckDBPyConnection, qualified: str,
                   df: pd.DataFrame | pa.Table) -> None:
    """Append rows, adding any new text columns first (a later form version may add fields).

    ``df`` may be an Arrow table: DuckDB scans it without a Python object per value.
    """
    if not table_exists(con, qualified):
        replace_table(con, qualified, df)
        return
    have = {r[0] for r in con.execute(f"describe {qualified}").fetchall()}
    names = df.column_names if isinstance(df, pa.Table) else list(df.columns)
    for col in names:
        if col not in have:
            con.execute(f'alter table {qualified} add column "{col}" varchar')
    con.register("_incoming", df)
    try:
        con.execute(f"insert into {qualified} by name select * from _incoming")
    finally:
        con.unregister("_incoming")


def read_df(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()
