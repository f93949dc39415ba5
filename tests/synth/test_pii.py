"""Fake PII is planted where the form asks for it, and exposed for privacy tests."""

from __future__ import annotations

import re

import pandas as pd
from synth_helpers import MAIN, bare, read_sheets

from parenting_assessment.synth import pii_values_from_export
from parenting_assessment.synth.names import haversine_m

PHONE = re.compile(r"^(\+62|62|0)8[0-9]{7,11}$")


def test_pii_values_match_the_export(defect_run):
    found = pii_values_from_export(defect_run.kobo_xlsx)
    assert found == defect_run.pii_values
    assert {"names", "phones", "gps"} == set(defect_run.pii)
    sheets = read_sheets(defect_run.kobo_xlsx)
    names = set(sheets["roster"]["roster/HL2"]) | (set(sheets[MAIN]["resp/resp_name"]) - {""})
    assert names == defect_run.pii["names"]
    assert all(len(n.split()) >= 2 for n in names)
    assert all(PHONE.match(p) for p in defect_run.pii["phones"])
    assert len(defect_run.pii["phones"]) > 50


def test_gps_near_the_village(clean_run):
    main = bare(read_sheets(clean_run.kobo_xlsx)[MAIN])
    frame = pd.read_csv(clean_run.frame_csv, dtype={"kode_kemendagri": str})
    centre = frame.set_index("kode_kemendagri")[["centroid_lat", "centroid_lon"]]
    n = 0
    for r in main[main["gps"] != ""].to_dict("records"):
        lat, lon, alt, acc = (float(x) for x in r["gps"].split())
        c = centre.loc[r["village"]]
        assert haversine_m(lat, lon, c["centroid_lat"], c["centroid_lon"]) <= 1500.5
        assert 3 <= acc <= 15 and alt > 0
        n += 1
    assert n == (main["consent"] == "1").sum()
