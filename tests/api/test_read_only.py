"""Notebooks and the pipeline share the warehouse file without blocking or corrupting it.

DuckDB gives one process the write lock and refuses every other open — even read-only — while
it is held; a read-only connection in turn blocks the next writer. The API therefore copies the
analyst tables and lets the file go, and reads the Parquet snapshot while a writer holds it.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import duckdb
import pytest

from parenting_assessment import api
from parenting_assessment.snapshot import (
    current_snapshot,
    publish_snapshot,
    snapshot_dir,
)

# A pipeline step: take the write lock, wait for the go, rewrite a table, commit.
WRITER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
sys.stdin.readline()
con.execute("create or replace table estimates.estimates as select * from estimates.estimates")
con.execute("create or replace table meta.probe as select 1 as x")
con.close()
print("committed", flush=True)
"""


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def warehouse(small_warehouse, tmp_path) -> Path:
    """A private copy (these tests write to it) with its own snapshot."""
    wh = tmp_path / "w.duckdb"
    shutil.copy(small_warehouse, wh)
    with duckdb.connect(str(wh), read_only=True) as con:
        publish_snapshot(con, snapshot_dir(wh))
    return wh


def _write_now(wh: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", WRITER, str(wh)], input="go\n", text=True,
                          capture_output=True, timeout=120)


def test_a_writer_holding_the_file_makes_read_only_opens_fail(warehouse):
    """The DuckDB behaviour the decision rests on (if this changes, revisit docs/analysts.md)."""
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(warehouse)], text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert writer.stdout.readline().strip() == "holding"
        with pytest.raises(duckdb.IOException, match="lock"):
            duckdb.connect(str(warehouse), read_only=True)
    finally:
        writer.communicate("go\n", timeout=120)


def test_open_falls_back_to_the_snapshot_and_the_writer_is_not_blocked(warehouse):
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(warehouse)], text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert writer.stdout.readline().strip() == "holding"
        with pytest.warns(UserWarning, match="being written by the pipeline"):
            con = api.open_warehouse(warehouse)
        assert api.source(con)["source"] == "snapshot"
        est = api.estimates("lb_parent_abroad", con=con)
        assert len(est) == 6 and est["estimate"].notna().any()
        # the writer goes on and commits while the analyst copy stays open
        out, _ = writer.communicate("go\n", timeout=120)
    finally:
        if writer.poll() is None:
            writer.kill()
    assert writer.returncode == 0 and "committed" in out
    assert api.estimates("lb_parent_abroad", con=con).equals(est)
    with duckdb.connect(str(warehouse), read_only=True) as check:
        assert check.execute("select x from meta.probe").fetchall() == [(1,)]


def test_an_open_analyst_copy_does_not_block_the_next_pipeline_step(warehouse):
    before = _sha(warehouse)
    con = api.open_warehouse(warehouse)
    assert api.source(con)["source"] == "warehouse"
    assert _sha(warehouse) == before  # reading never changes the file
    done = _write_now(warehouse)  # `con` is still open here
    assert done.returncode == 0, done.stderr[-500:]
    assert "committed" in done.stdout
    assert len(api.estimates("lb_parent_abroad", con=con)) == 6


def test_same_process_writer_falls_back_to_the_snapshot(warehouse):
    with duckdb.connect(str(warehouse)), pytest.warns(UserWarning, match="snapshot"):
        con = api.open_warehouse(warehouse)
    assert api.source(con)["source"] == "snapshot"


def test_snapshot_on_request_never_touches_the_file(warehouse):
    warehouse.unlink()
    con = api.open_warehouse(warehouse, snapshot=True)
    assert api.source(con)["source"] == "snapshot"
    assert api.source(con)["published_at"]


def test_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"does not exist: run `make run` first"):
        api.open_warehouse(tmp_path / "none.duckdb")
    with pytest.raises(FileNotFoundError, match=r"no snapshot .*run `make run` first"):
        api.open_warehouse(tmp_path / "none.duckdb", snapshot=True)
    wh = tmp_path / "locked.duckdb"
    duckdb.connect(str(wh)).close()
    with duckdb.connect(str(wh)), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(FileNotFoundError, match="no snapshot"):
            api.open_warehouse(wh)


def test_snapshot_publication_is_atomic_and_pruned(warehouse):
    root = snapshot_dir(warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        folders = [publish_snapshot(con, root) for _ in range(3)]
    assert current_snapshot(root) == folders[-1]
    kept = sorted(p for p in root.iterdir() if p.is_dir())
    assert kept == folders[-2:]


def test_identifying_columns_and_raw_values_stay_out(tmp_path):
    wh = tmp_path / "w.duckdb"
    with duckdb.connect(str(wh)) as con:
        for s in ("core", "validated", "estimates"):
            con.execute(f"create schema {s}")
        con.execute("""create table core.households as select 'h1' as hh_id, 'Siti' as resp_name,
                       '0812' as resp_phone, -7.1 as gps_lat, 3 as relationship""")
        con.execute("""create table validated.findings as select 'uuid-1' as submission_uuid,
                       'r1' as rule_id, '0812' as value, 'k/1' as row_key""")
        con.execute("create table estimates.estimates as select 'Desa A' as area_name")
    con = api.open_warehouse(wh)
    assert con.sql("select * from core.households").columns == ["hh_id", "relationship"]
    cols = con.sql("select * from validated.findings").columns
    assert cols == ["submission_key", "rule_id"]
    assert "uuid-1" not in str(con.sql("select * from validated.findings").fetchall())
    assert con.sql("select * from estimates.estimates").columns == ["area_name"]
