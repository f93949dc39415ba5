"""The bundled sample in data/sample/ is present, small and in step with the XLSForm."""

from __future__ import annotations

import filecmp

import openpyxl
import pandas as pd
import pytest

from parenting_assessment.synth import synthesize
from parenting_assessment.synth.api import ROOT
from parenting_assessment.synth.kobo_xlsx import COPY_FIELDS, section_columns

SAMPLE = ROOT / "data" / "sample"
FILES = ("pemetaan_pengasuhan_kobo_20261127.xlsx", "frame.csv", "truth.csv",
         "defects_manifest.csv", "README.md")


def test_sample_files(ins):
    for name in FILES:
        assert (SAMPLE / name).is_file(), name
    assert (SAMPLE / FILES[0]).stat().st_size < 5_000_000
    wb = openpyxl.load_workbook(SAMPLE / FILES[0], read_only=True)
    header = {ws.title: [c.value for c in next(ws.iter_rows(max_row=1))] for ws in wb}
    wb.close()
    main = [c.header for c in section_columns(ins, "household")] + [*COPY_FIELDS, "_index"]
    assert header[wb.sheetnames[0]] == main, "regenerate the sample: make sample"
    for repeat in ("roster", "migrant", "child", "caregiver"):
        cols = [c.header for c in section_columns(ins, repeat)]
        assert header[repeat][:len(cols)] == cols, "regenerate the sample: make sample"
    frame = pd.read_csv(SAMPLE / "frame.csv", dtype=str)
    truth = pd.read_csv(SAMPLE / "truth.csv", dtype=str)
    assert set(truth["kode_kemendagri"]) == set(frame["kode_kemendagri"])
    readme = (SAMPLE / "README.md").read_text(encoding="utf-8")
    assert "parenting-assessment synth --seed 20261127 --out data/sample" in readme


@pytest.mark.slow
def test_sample_regenerates_byte_for_byte(tmp_path):
    synthesize(seed=20261127, out_dir=tmp_path)
    for name in FILES[:-1]:
        assert filecmp.cmp(tmp_path / name, SAMPLE / name, shallow=False), name
