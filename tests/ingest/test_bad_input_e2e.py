"""Bad input, end to end, against a real DuckDB file that already holds a good batch.

Every refused file fails its batch with one readable line in ``meta.batches``, changes nothing
else in the warehouse (raw tables and the landed-files manifest are identical before and after),
and is still there: the user's file untouched and its landed copy kept for inspection. Inputs
that only look odd (BOM, cp1252/latin-1 with accented names, orphan repeat rows) must succeed.
One case runs through Dagster in-process and one through the CLI as a subprocess.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from parenting_assessment.frame import load_frame
from parenting_assessment.ingest.reconcile import batch_reconciliation
from parenting_assessment.ingest.run import ingest_files
from parenting_assessment.instrument import load_instrument
from parenting_assessment.synth.api import DEFAULT_FRAME, DEFAULT_INSTRUMENT
from parenting_assessment.synth.frame import read_frame
from parenting_assessment.synth.generate import generate
from parenting_assessment.synth.odk_zip import csv_text, odk_tables, write_members
from parenting_assessment.typed import build_typed
from parenting_assessment.validate.run import validate
from parenting_assessment.warehouse import connect

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures"
SC = FIX / "scenarios"
FORM = FIX / "kobo_reference" / "form.xlsx"
GOOD = FIX / "kobo_reference" / "kobo_xml_values.xlsx"
NAMES = ["Dédé Rusmana", 'Made "Komang" Sudarsa', "Dewi Lestari", "Bambang Suryadi",
         "Nyoman Suàrdana"]


def copy(rel: str) -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        return Path(shutil.copy(SC / rel, d / Path(rel).name))
    return build


def write(name: str, data: bytes) -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        (d / name).write_bytes(data)
        return d / name
    return build


def real_bomb(d: Path) -> Path:
    """A genuine bomb: 64 MiB of zeros deflated to ~64 KiB (no lying headers)."""
    path = d / "submissions.csv.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("form.csv", b"0" * (64 << 20))
    return path


def cut(rel: str, keep: float) -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        data = (SC / rel if not rel.startswith("/") else Path(rel)).read_bytes()
        (d / Path(rel).name).write_bytes(data[: int(len(data) * keep)])
        return d / Path(rel).name
    return build


BAD: dict[str, tuple[Callable[[Path], Path], str]] = {
    "empty file": (write("export.csv", b""), "the file is empty"),
    "blank lines only": (copy("not_survey/blank.csv"), "only blank lines"),
    "a PDF": (copy("not_survey/document.pdf"), "not a survey export: it is a PDF"),
    "a CSV that is not an export": (copy("not_survey/random.csv"), "not a survey export"),
    "the XLSForm instead of data": (copy("not_survey/xlsform.xlsx"), "an XLSForm"),
    "truncated XLSX": (cut(str(GOOD), 0.6), "a damaged or truncated XLSX workbook"),
    "truncated zip": (copy("truncated/truncated.zip"), "a damaged or truncated zip"),
    "wrong delimiter": (copy("wrong_delimiter/comma_resaved.csv"), "wrong delimiter"),
    "glued into one column": (copy("wrong_delimiter/one_column.csv"), "wrong delimiter"),
    "key column missing (Kobo)": (copy("missing_keys/kobo_no_uuid.csv"),
                                  "required key column missing"),
    "key column missing (ODK)": (copy("missing_keys/odk_no_parent_key.zip"),
                                 "required key column(s) PARENT_KEY missing"),
    "blank uuid": (copy("missing_keys/kobo_blank_uuid.csv"), "the submission has no uuid"),
    "zip slip ../": (copy("zip_slip/parent_dir.zip"), "(zip slip)"),
    "zip slip absolute": (copy("zip_slip/absolute.zip"), "(zip slip)"),
    "zip bomb (declared ratio)": (copy("zip_bomb/ratio.zip"), "(zip bomb)"),
    "zip bomb (declared total)": (copy("zip_bomb/total.zip"), "more than 2 GiB (zip bomb)"),
    "zip bomb (real)": (real_bomb, "(zip bomb)"),
    "a different form": (copy("form_mismatch/nested_kobo.csv"),
                         "does not look like an export of the form"),
}


@pytest.fixture(scope="module")
def ins():
    return load_instrument(FORM)


@pytest.fixture()
def wh(tmp_path, ins):
    """A warehouse file holding one good batch; its landing store; an incoming folder."""
    db, landing, incoming = tmp_path / "w.duckdb", tmp_path / "landing", tmp_path / "incoming"
    incoming.mkdir()
    with connect(db) as con:
        assert ingest_files(con, [GOOD], ins, batch="good", landing_dir=landing).status == "ok"
    return db, landing, incoming


def state(db: Path) -> dict[str, tuple]:
    """Count and order-free content hash of every raw table and of the manifest."""
    with duckdb.connect(str(db), read_only=True) as con:
        names = [f"{s}.{t}" for s, t in con.execute(
            "select table_schema, table_name from information_schema.tables where "
            "table_schema = 'raw' or (table_schema = 'meta' and table_name = 'landed_files') "
            "order by all").fetchall()]
        return {n: con.execute(f"select count(*), md5(coalesce(string_agg(md5(x::varchar), '' "
                               f"order by md5(x::varchar)), '')) from {n} x").fetchall()[0]
                for n in names}


def batches(db: Path) -> dict[str, tuple[str, str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("select batch, status, message from meta.batches").fetchall()
    return {b: (s, m) for b, s, m in rows}


def assert_kept(path: Path, data: bytes, landing: Path) -> None:
    sha = hashlib.sha256(data).hexdigest()
    assert path.read_bytes() == data, "the user's file must not be touched"
    stored = landing / sha[:2] / f"{sha}{path.suffix.lower()}"
    assert stored.read_bytes() == data, "the landed copy is kept for inspection"


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_fails_the_batch_and_changes_nothing(case, wh, ins):
    db, landing, incoming = wh
    build, expected = BAD[case]
    path = build(incoming)
    data = path.read_bytes()
    before = state(db)
    with connect(db) as con:
        result = ingest_files(con, [path], ins, batch="bad", landing_dir=landing)
    assert result.status == "failed"
    assert expected in result.message and result.message.startswith(f"{path}: ")
    assert "\n" not in result.message
    assert state(db) == before
    assert batches(db) == {"good": ("ok", ""), "bad": ("failed", result.message)}
    assert_kept(path, data, landing)


def test_one_bad_file_fails_the_whole_batch(wh, ins):
    db, landing, incoming = wh
    good = Path(shutil.copy(SC / "encodings" / "utf8.csv", incoming / "a_good.csv"))
    bad = copy("zip_slip/parent_dir.zip")(incoming)
    before = state(db)
    with connect(db) as con:
        result = ingest_files(con, [good, bad], ins, batch="mixed", landing_dir=landing)
    assert result.status == "failed" and "(zip slip)" in result.message
    assert state(db) == before, "a batch lands whole or not at all"
    assert_kept(good, good.read_bytes(), landing)
    assert_kept(bad, bad.read_bytes(), landing)


def latin1(d: Path) -> Path:
    text = (SC / "encodings" / "utf8.csv").read_text(encoding="utf-8")
    (d / "latin1.csv").write_bytes(text.encode("latin-1"))
    return d / "latin1.csv"


@pytest.mark.parametrize("build", [copy("encodings/utf8_bom.csv"), copy("encodings/cp1252.csv"),
                                   latin1], ids=["utf8-bom", "cp1252", "latin-1"])
def test_odd_encodings_succeed_and_keep_accents(build, wh, ins):
    db, landing, incoming = wh
    path = build(incoming)
    with connect(db) as con:
        result = ingest_files(con, [path], ins, batch="enc", landing_dir=landing)
        names = [n for (n,) in con.execute("select resp_name from raw.household "
                                           "where _batch = 'enc' order by _source_row").fetchall()]
    assert result.status == "ok", result.message
    assert names == NAMES
    assert batches(db)["enc"] == ("ok", "")


def with_orphans(d: Path) -> tuple[Path, Path, int]:
    """A generated ODK zip of the project form plus 2 roster rows of an unknown parent."""
    import pandas as pd

    ins = load_instrument(DEFAULT_INSTRUMENT)
    frame = pd.read_csv(DEFAULT_FRAME, dtype=str, keep_default_na=False)
    frame = frame[frame["kode_kemendagri"] == "32.12.16.2001"].assign(
        n_listed_pmi="20", n_listed_non_pmi="20", target_pmi="6", target_non_pmi="6")
    frame.to_csv(d / "frame.csv", index=False)
    syn = generate(read_frame(d / "frame.csv"), ins, 4, defect_rate=0.0)
    tables = odk_tables(ins, syn.submissions)
    roster = tables[f"{ins.form_id}-roster.csv"]
    lost = "uuid:00000000-0000-4000-8000-00000000dead"
    roster += [[*row[:-2], lost, f"{lost}/roster[{n}]"] for n, row in enumerate(roster[1:3], 1)]
    path = write_members(d / "submissions.csv.zip",
                         {n: csv_text(rows) for n, rows in tables.items()})
    return path, d / "frame.csv", len(roster) - 1


def test_orphan_repeat_rows_are_kept_and_accounted_for(tmp_path):
    ins = load_instrument(DEFAULT_INSTRUMENT)
    path, frame, n_roster = with_orphans(tmp_path)
    with connect(tmp_path / "w.duckdb") as con:
        result = ingest_files(con, [path], ins, batch="orph", landing_dir=tmp_path / "landing")
        assert result.status == "ok" and result.rows_per_section["roster"] == n_roster
        assert any("PARENT_KEY that is not in the parent table" in f["notes"]
                   for f in result.files)
        orphans = con.execute("select _row_key, submission_uuid from raw.roster "
                              "where _row_key like 'orphan:%'").fetchall()
        assert len(orphans) == 2 and all(u is None for _, u in orphans)
        build_typed(con, ins)
        # the real validation minus the GX suites (slow to start; orphans are an SQL rule)
        validate(con, ins, load_frame(frame), run_gx=False)
        recon = batch_reconciliation(con)
        held = con.execute("select row_key from validated.quarantine where section = 'roster' "
                           "and row_key like 'orphan:%'").fetchall()
        found = con.execute("select row_key from validated.findings where section = 'roster' "
                            "and rule_id = 'orphan_repeat_row'").fetchall()
    assert sorted(held) == sorted(found) == sorted((k,) for k, _ in orphans)
    assert recon["balanced"].all()
    roster = recon.set_index(["batch", "section"]).loc[("orph", "roster")]
    assert roster["rows_read"] == n_roster and roster["quarantined"] >= 2


def test_bad_input_through_dagster(wh):
    from pipelines.resources import SurveyResource
    from pipelines.run import PipelineError, materialize_all

    db, landing, incoming = wh
    folder = incoming / "batch_07"
    folder.mkdir()
    path = real_bomb(folder)
    before = state(db)
    survey = SurveyResource(raw=str(incoming), instrument=str(FORM), warehouse=str(db),
                            landing=str(landing), reports=str(incoming.parent / "reports"))
    with pytest.raises(PipelineError) as err:
        materialize_all(survey, stages=("raw_batch", "typed_tables", "validated_tables"))
    message = str(err.value)
    assert message.startswith("raw_batch[batch_07]: ") and message.endswith("(zip bomb)")
    assert state(db) == before
    assert batches(db)["batch_07"][0] == "failed"
    assert_kept(path, path.read_bytes(), landing)


def test_bad_input_through_the_cli(wh):
    db, landing, incoming = wh
    folder = incoming / "batch_08"
    folder.mkdir()
    path = copy("zip_slip/parent_dir.zip")(folder)
    before = state(db)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PA_", "DAGSTER_"))}
    env.update(PA_LANDING=str(landing), PA_INSTRUMENT=str(FORM))
    cli = Path(sys.executable).with_name("parenting-assessment")
    proc = subprocess.run([str(cli), "ingest", str(path), "--warehouse", str(db)], env=env,
                          capture_output=True, text=True, timeout=300, cwd=incoming)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert lines[0].startswith("error: raw_batch[batch_08]: ")
    assert lines[0].endswith("points outside the archive (zip slip)")
    assert state(db) == before
    assert batches(db)["batch_08"][0] == "failed"
    assert_kept(path, path.read_bytes(), landing)
