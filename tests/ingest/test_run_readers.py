"""The batch runner finds the new readers through READERS and records refusals as failures."""

from pathlib import Path

import duckdb
import pytest

from parenting_assessment.ingest.run import ingest_files
from parenting_assessment.instrument import load_instrument

FIX = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture()
def con():
    con = duckdb.connect()
    for schema in ("raw", "meta"):
        con.execute(f"create schema {schema}")
    yield con
    con.close()


def test_odk_zip_lands_all_sections(con, tmp_path):
    ins = load_instrument(FIX / "kobo_reference" / "form.xlsx")
    zipped = FIX / "scenarios" / "reference_formats" / "submissions.csv.zip"
    result = ingest_files(con, [zipped], ins, batch="b1", landing_dir=tmp_path)
    assert (result.status, result.rows_per_section) == (
        "ok", {"household": 5, "roster": 15, "child": 5})
    assert result.files[0]["format"] == "odk_zip"
    rows = con.execute("select _row_key from raw.child order by _row_key").fetchall()
    keys = [k for (k,) in rows]
    assert keys[0] == "6b2f7c1e-5d0a-4c93-8e1f-2a7d9b3c4e51/child[1]"


def test_unsafe_zip_fails_the_batch_with_its_reason(con, tmp_path):
    ins = load_instrument(FIX / "kobo_reference" / "form.xlsx")
    result = ingest_files(con, [FIX / "scenarios" / "zip_slip" / "parent_dir.zip"], ins,
                          batch="b2", landing_dir=tmp_path)
    assert result.status == "failed"
    assert result.message.endswith(
        "refused: the archive entry '../../evil.csv' points outside the archive (zip slip)")
