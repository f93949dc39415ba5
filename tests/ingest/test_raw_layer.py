"""The raw layer of a file-backed warehouse: Parquet files behind ``raw.<section>`` views.

The real Kobo export in tests/fixtures is ingested into a real DuckDB file and, as a reference,
into an in-memory warehouse, which keeps DuckDB tables: both must hold exactly the same rows.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from parenting_assessment.ingest.run import ingest_files
from parenting_assessment.instrument import load_instrument
from parenting_assessment.typed import build_typed
from parenting_assessment.warehouse import connect

FIX = Path(__file__).resolve().parents[1] / "fixtures"
FORM = FIX / "kobo_reference" / "form.xlsx"
XLSX = FIX / "kobo_reference" / "kobo_xml_values.xlsx"
CSV = FIX / "kobo_reference" / "kobo_xml_values.csv"


def raw_sections(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("select table_name, table_type from information_schema.tables "
                            "where table_schema = 'raw' order by 1").fetchall())


def rows(con: duckdb.DuckDBPyConnection, section: str) -> list[tuple]:
    return con.execute(f"select * exclude (_source_file) from raw.{section} "
                       "order by _row_key").fetchall()


@pytest.fixture(scope="module")
def ins():
    return load_instrument(FORM)


def test_file_warehouse_keeps_raw_sections_as_parquet_equal_to_tables(tmp_path, ins):
    db = tmp_path / "warehouse.duckdb"
    with connect(db) as con:
        assert ingest_files(con, [XLSX], ins, batch="b1", landing_dir=tmp_path / "l").status == "ok"
        kinds = raw_sections(con)
        files = con.execute("select section, file, n_rows from meta.raw_files order by seq"
                            ).fetchall()
        got = {s: rows(con, s) for s in kinds}
    memory = duckdb.connect()
    for s in ("raw", "meta"):
        memory.execute(f"create schema {s}")
    assert ingest_files(memory, [XLSX], ins, batch="b1",
                        landing_dir=tmp_path / "l2").status == "ok"
    assert set(raw_sections(memory).values()) == {"BASE TABLE"}
    assert set(kinds.values()) == {"VIEW"} and set(kinds) == set(raw_sections(memory))
    for s in kinds:
        assert got[s] == rows(memory, s), s
    # one file per section of the landed file, in <warehouse>.raw/, with its row count
    root = tmp_path / "warehouse.duckdb.raw"
    assert sorted(f[0] for f in files) == sorted(kinds)
    for section, file, n in files:
        assert pq.read_metadata(root / file).num_rows == n == len(got[section])


def test_a_failed_batch_writes_no_file_and_leaves_the_views_as_they_were(tmp_path, ins):
    db = tmp_path / "warehouse.duckdb"
    bad = tmp_path / "empty.csv"
    bad.write_bytes(b"")
    with connect(db) as con:
        assert ingest_files(con, [CSV], ins, batch="b1", landing_dir=tmp_path / "l").status == "ok"
        before = {s: rows(con, s) for s in raw_sections(con)}
        listed = con.execute("select * from meta.raw_files").fetchall()
        on_disk = sorted(p.name for p in (tmp_path / "warehouse.duckdb.raw").rglob("*.parquet"))
        # the good export is read (its file written), then the empty file fails the batch
        result = ingest_files(con, [XLSX, bad], ins, batch="b2", landing_dir=tmp_path / "l")
        assert result.status == "failed"
        assert {s: rows(con, s) for s in raw_sections(con)} == before
        assert con.execute("select * from meta.raw_files").fetchall() == listed
    assert sorted(p.name for p in (tmp_path / "warehouse.duckdb.raw").rglob("*.parquet")
                  ) == on_disk


def test_raw_tables_of_an_older_warehouse_are_kept_as_the_first_file(tmp_path, ins):
    db = tmp_path / "warehouse.duckdb"
    with connect(db) as con:  # an old warehouse: the raw section is a DuckDB table
        con.execute("create table raw.household as select 'old-1' as _row_key, 'x' as HH1 "
                    "union all select 'old-2', 'y'")
        assert ingest_files(con, [CSV], ins, batch="b1", landing_dir=tmp_path / "l").status == "ok"
        assert raw_sections(con)["household"] == "VIEW"
        keys = [r[0] for r in con.execute("select _row_key from raw.household").fetchall()]
        n_csv = con.execute("select n_rows from meta.raw_files where batch = 'b1' "
                            "and section = 'household'").fetchone()[0]
    assert keys[:2] == ["old-1", "old-2"] and len(keys) == 2 + n_csv


def test_a_moved_data_folder_keeps_working_and_a_missing_file_is_a_clear_failure(tmp_path, ins):
    first = tmp_path / "a"
    first.mkdir()
    with connect(first / "warehouse.duckdb") as con:
        assert ingest_files(con, [CSV], ins, batch="b1", landing_dir=first / "l").status == "ok"
        expected = {s: rows(con, s) for s in raw_sections(con)}
    moved = tmp_path / "b"
    first.rename(moved)
    with connect(moved / "warehouse.duckdb") as con:
        build_typed(con, ins)  # the stage after ingest rebuilds the views first
        assert {s: rows(con, s) for s in raw_sections(con)} == expected
        gone = next((moved / "warehouse.duckdb.raw" / "household").glob("*.parquet"))
        gone.unlink()
        result = ingest_files(con, [XLSX], ins, batch="b2", landing_dir=moved / "l")
        assert result.status == "failed"
        assert "raw layer file listed in meta.raw_files is missing" in result.message
        assert gone.name in result.message
        assert con.execute("select status from meta.batches where batch = 'b2'"
                           ).fetchone()[0] == "failed"


def test_a_failed_parquet_write_commits_nothing_and_deletes_the_other_files(
        tmp_path, ins, monkeypatch):
    from parenting_assessment.ingest import raw_layer

    write = raw_layer.write_part

    def disk_full_on_repeats(root, section, batch, table):
        if section != "household":
            raise OSError("No space left on device")
        return write(root, section, batch, table)

    with connect(tmp_path / "warehouse.duckdb") as con:
        assert ingest_files(con, [CSV], ins, batch="b1", landing_dir=tmp_path / "l").status == "ok"
        before = {s: rows(con, s) for s in raw_sections(con)}
        listed = con.execute("select * from meta.raw_files").fetchall()
        on_disk = sorted((tmp_path / "warehouse.duckdb.raw").rglob("*.parquet"))
        monkeypatch.setattr(raw_layer, "write_part", disk_full_on_repeats)
        with pytest.raises(OSError, match="No space left"):
            ingest_files(con, [XLSX], ins, batch="b2", landing_dir=tmp_path / "l")
        assert {s: rows(con, s) for s in raw_sections(con)} == before
        assert con.execute("select * from meta.raw_files").fetchall() == listed
        assert con.execute("select count(*) from meta.landed_files where batch = 'b2'"
                           ).fetchone() == (0,)
    # the household file of b2 was written, then deleted with the rollback
    assert sorted((tmp_path / "warehouse.duckdb.raw").rglob("*.parquet")) == on_disk
