"""Same seed, same bytes; another seed, other data."""

from __future__ import annotations

import zipfile


def _members(path):
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_same_seed_same_bytes(defect_run, defect_run_again):
    a, b = _members(defect_run.kobo_xlsx), _members(defect_run_again.kobo_xlsx)
    assert a.keys() == b.keys()
    sheets = [n for n in a if n.startswith("xl/worksheets/")]
    assert len(sheets) == 5
    for name in a:
        assert a[name] == b[name], name
    assert defect_run.kobo_xlsx.read_bytes() == defect_run_again.kobo_xlsx.read_bytes()
    for attr in ("frame_csv", "truth_csv", "manifest_csv"):
        assert getattr(defect_run, attr).read_bytes() == getattr(defect_run_again,
                                                                 attr).read_bytes()
    assert defect_run.pii_values == defect_run_again.pii_values


def test_other_seed_other_data(defect_run, other_seed_run):
    a, b = _members(defect_run.kobo_xlsx), _members(other_seed_run.kobo_xlsx)
    assert a["xl/worksheets/sheet1.xml"] != b["xl/worksheets/sheet1.xml"]
    assert a["xl/worksheets/sheet2.xml"] != b["xl/worksheets/sheet2.xml"]
    assert defect_run.truth_csv.read_bytes() != other_seed_run.truth_csv.read_bytes()
    assert defect_run.manifest_csv.read_bytes() != other_seed_run.manifest_csv.read_bytes()
    assert not defect_run.pii["phones"] & other_seed_run.pii["phones"]
    # The frame is an input: it does not depend on the seed.
    assert defect_run.frame_csv.read_bytes() == other_seed_run.frame_csv.read_bytes()
