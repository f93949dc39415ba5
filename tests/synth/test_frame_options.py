"""villages= and households_per_village= change the frame as documented."""

from __future__ import annotations

import pandas as pd
from synth_helpers import MAIN, bare, read_sheets

from parenting_assessment.instrument import load_instrument
from parenting_assessment.synth import synthesize
from parenting_assessment.synth.api import DEFAULT_INSTRUMENT
from parenting_assessment.synth.frame import FRAME_COLUMNS


def test_more_villages_than_the_frame(tmp_path, small_frame_csv):
    res = synthesize(seed=3, out_dir=tmp_path, frame_csv=small_frame_csv, villages=6,
                     households_per_village=10, defect_rate=0.0)
    frame = pd.read_csv(res.frame_csv, dtype=str)
    assert list(frame.columns) == FRAME_COLUMNS
    assert len(frame) == res.villages == 6
    fake = frame.iloc[4:]
    assert fake["kode_kemendagri"].tolist() == ["99.01.01.2001", "99.01.01.2002"]
    assert fake["desa"].tolist() == ["Desa Sintetis 001", "Desa Sintetis 002"]
    assert fake["provinsi"].str.contains("Sintetis").all()
    assert (frame["target_pmi"].astype(int) == 6).all()
    assert (frame["target_non_pmi"].astype(int) == 4).all()
    assert (frame["n_listed_pmi"].astype(int) >= 6).all()
    # The form must offer the synthetic villages: it is rebuilt next to the export.
    assert res.instrument.parent == tmp_path and "frame" in res.instrument.name
    ins = load_instrument(res.instrument)
    assert set(frame["kode_kemendagri"]) == {c.name for c in ins.choices["desa"]}
    main = bare(read_sheets(res.kobo_xlsx)[MAIN])
    assert set(main["village"]) == set(frame["kode_kemendagri"])
    assert res.households_selected == len(main) == 60


def test_fewer_villages_keep_frame_order(tmp_path, small_frame_csv):
    res = synthesize(seed=3, out_dir=tmp_path, frame_csv=small_frame_csv, villages=2,
                     households_per_village=5, defect_rate=0.0)
    frame = pd.read_csv(res.frame_csv, dtype=str)
    source = pd.read_csv(small_frame_csv, dtype=str)
    assert frame["kode_kemendagri"].tolist() == source["kode_kemendagri"].tolist()[:2]
    assert (frame["target_pmi"] == "3").all() and (frame["target_non_pmi"] == "2").all()
    assert res.instrument == DEFAULT_INSTRUMENT
    assert res.households_selected == 10
