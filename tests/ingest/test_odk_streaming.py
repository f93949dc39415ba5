"""The ODK zip read member by member (``emit``, as ``ingest_files`` does it so that DuckDB stores
one section while the next member is parsed) gives what the whole-file read gives: the same
tables, unknown columns and notes, and for a bad file the same first problem."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from parenting_assessment.ingest.errors import IngestError
from parenting_assessment.ingest.odk_zip import read_odk_zip
from parenting_assessment.ingest.run import ingest_files
from parenting_assessment.instrument import load_instrument
from parenting_assessment.instrument.model import MAIN_SECTION
from parenting_assessment.synth import synthesize
from parenting_assessment.synth.api import DEFAULT_INSTRUMENT

FIX = Path(__file__).resolve().parents[1] / "fixtures"
SC = FIX / "scenarios"


@pytest.fixture(scope="module")
def ref():
    return load_instrument(FIX / "kobo_reference" / "form.xlsx")


@pytest.fixture(scope="module")
def nested():
    return load_instrument(SC / "nested" / "form.xlsx")


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def rezip(path: Path, parts: dict[str, bytes]) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    path.write_bytes(buf.getvalue())
    return path


def streamed(path: Path, ins):
    got: list[tuple[str, pa.Table]] = []
    export = read_odk_zip(path, ins, batch="b", sha256="0" * 64, source_name="user.zip",
                          emit=lambda s, t: got.append((s, t)))
    return export, got


def assert_same_read(path: Path, ins) -> None:
    whole = read_odk_zip(path, ins, batch="b", sha256="0" * 64, source_name="user.zip")
    export, got = streamed(path, ins)
    assert list(export.sections) == list(whole.sections)
    for section, table in whole.sections.tables.items():
        assert export.sections.tables[section].equals(table), section
    assert (export.unknown_columns, export.notes, export.form_versions) == (
        whole.unknown_columns, whole.notes, whole.form_versions)
    assert list(export.unknown_columns) == list(whole.unknown_columns)
    emitted = [s for s, _ in got]
    assert len(set(emitted)) == len(emitted) and emitted[0] == MAIN_SECTION
    for section, table in got:  # what was handed over is the final table
        assert table.equals(export.sections.tables[section])
        parent = ins.sections[section].parent or MAIN_SECTION
        assert section == MAIN_SECTION or emitted.index(parent) < emitted.index(section)
    absent = [s for s in ins.sections if s not in emitted]
    assert all(export.sections.tables[s].num_rows == 0 for s in absent)


@pytest.mark.parametrize("fixture,form", [
    ("reference_formats", "ref"), ("nested", "nested"), ("orphans", "ref")])
def test_fixtures_read_the_same_member_by_member(fixture, form, request):
    assert_same_read(SC / fixture / "submissions.csv.zip", request.getfixturevalue(form))


def test_members_in_any_order(tmp_path, nested):
    """Children before parents before the root, plus a file of no repeat and a media file."""
    parts = members(SC / "nested" / "submissions.csv.zip")
    order = ["nested_test-job.csv", "nested_test-member.csv", "nested_test.csv"]
    extra = {"notes.csv": b"a,b\n1,2\n", "media/x.csv": b"not;a;table\n"}
    path = rezip(tmp_path / "reordered.zip", {**extra, **{n: parts[n] for n in order}})
    assert_same_read(path, nested)
    export, got = streamed(path, nested)
    assert [s for s, _ in got] == ["household", "member", "job"]
    assert export.unknown_columns["<files>"] == ["notes.csv"]


def test_generated_export_with_defects(tmp_path):
    res = synthesize(seed=3, out_dir=tmp_path, villages=2, households_per_village=8,
                     defect_rate=0.5, export_format="odk_zip")
    assert_same_read(res.export_path, load_instrument(DEFAULT_INSTRUMENT))


def bad_zips(tmp_path: Path) -> dict[str, Path]:
    ref_parts = members(SC / "reference_formats" / "submissions.csv.zip")
    root = "aHk3sP9mQx2Wn7VtRz5LdE.csv"
    roster = "aHk3sP9mQx2Wn7VtRz5LdE-roster.csv"
    nested_parts = members(SC / "nested" / "submissions.csv.zip")
    lines = ref_parts[root].splitlines(keepends=True)
    return {
        "two roots": rezip(tmp_path / "two.zip", {**ref_parts, "copy.csv": ref_parts[root]}),
        "repeat twice": rezip(tmp_path / "twice.zip", {**ref_parts, "x.csv": ref_parts[roster]}),
        "no root": rezip(tmp_path / "noroot.zip", {roster: ref_parts[roster]}),
        "parent missing": rezip(tmp_path / "orphan_table.zip", {
            k: v for k, v in nested_parts.items() if k != "nested_test-member.csv"}),
        # the root's repeated KEY is seen first member by member, the ragged CSV of the last
        # member first in the whole-file order
        "two problems": rezip(tmp_path / "two_problems.zip", {
            root: b"".join(lines + lines[1:2]), **{k: v for k, v in ref_parts.items()
                                                   if k != root},
            "zz.csv": b"a,b\n1,2,3\n"}),
        "zip slip": SC / "zip_slip" / "parent_dir.zip",
        "missing keys": SC / "missing_keys" / "odk_no_parent_key.zip",
    }


def test_bad_zips_name_the_same_first_problem(tmp_path, ref):
    for case, path in bad_zips(tmp_path).items():
        with pytest.raises(IngestError) as whole:
            read_odk_zip(path, ref, batch="b", sha256="0" * 64)
        with pytest.raises(IngestError) as member_by_member:
            streamed(path, ref)
        assert str(member_by_member.value) == str(whole.value), case
    with pytest.raises(IngestError, match="fields, but the header has"):
        read_odk_zip(bad_zips(tmp_path)["two problems"], ref, batch="b", sha256="0")


def test_a_late_problem_rolls_back_what_was_already_stored(tmp_path, ref):
    """The root is stored while later members are read; a bad later member fails the batch
    and leaves no raw table behind (and earlier batches untouched)."""
    good = SC / "reference_formats" / "submissions.csv.zip"
    parts = members(good)
    bad = rezip(tmp_path / "late.zip", {**parts, "zz.csv": b"a,b\n1,2,3\n"})
    con = duckdb.connect()
    for schema in ("raw", "meta"):
        con.execute(f"create schema {schema}")
    first = ingest_files(con, [good], ref, batch="b1", landing_dir=tmp_path / "landing")
    assert first.status == "ok"
    before = {s: con.execute(f"select count(*) from raw.{s}").fetchall()[0][0]
              for s in ref.sections}
    result = ingest_files(con, [bad], ref, batch="b2", landing_dir=tmp_path / "landing")
    assert result.status == "failed" and "fields, but the header has" in result.message
    after = {s: con.execute(f"select count(*) from raw.{s}").fetchall()[0][0]
             for s in ref.sections}
    assert after == before
    assert con.execute("select batch, status from meta.batches order by batch").fetchall() == [
        ("b1", "ok"), ("b2", "failed")]
    con.close()


def test_ingest_stores_the_tables_the_reader_builds(tmp_path):
    ins = load_instrument(DEFAULT_INSTRUMENT)
    res = synthesize(seed=4, out_dir=tmp_path, villages=2, households_per_village=6,
                     defect_rate=0.3, export_format="odk_zip")
    con = duckdb.connect()
    for schema in ("raw", "meta"):
        con.execute(f"create schema {schema}")
    result = ingest_files(con, [res.export_path], ins, batch="g", landing_dir=tmp_path / "l")
    assert result.status == "ok"
    export = read_odk_zip(res.export_path, ins, batch="g", sha256=result.files[0]["sha256"],
                          source_name=res.export_path.name)
    for section, table in export.sections.tables.items():
        cur = con.execute(f"select * from raw.{section}")
        rows = cur.fetchall()
        assert [d[0] for d in cur.description] == table.column_names
        assert rows == [tuple(r.values()) for r in table.to_pylist()], section
    con.close()


def test_a_failed_write_stops_the_batch_and_commits_nothing(tmp_path, ref, monkeypatch):
    import parenting_assessment.ingest.run as run

    def failing(con, qualified, table):
        if qualified == "raw.roster":
            raise duckdb.IOException("disk full")
        return append_by_name(con, qualified, table)

    append_by_name = run.append_by_name
    monkeypatch.setattr(run, "append_by_name", failing)
    con = duckdb.connect()
    for schema in ("raw", "meta"):
        con.execute(f"create schema {schema}")
    with pytest.raises(duckdb.IOException, match="disk full"):
        ingest_files(con, [SC / "reference_formats" / "submissions.csv.zip"], ref, batch="b",
                     landing_dir=tmp_path / "landing")
    assert con.execute("select count(*) from information_schema.tables where table_schema in "
                       "('raw', 'meta')").fetchall() == [(0,)]
    con.close()
