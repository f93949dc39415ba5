"""Every injected defect is in the manifest, is really there, and nothing else changed."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest
from synth_helpers import MAIN, bare, read_sheets, repeat_rows
from synth_xpath import evaluate

from parenting_assessment.synth import DEFECT_TYPES
from parenting_assessment.synth.names import haversine_m

REPEATS = ("roster", "migrant", "child", "caregiver")


def _load(run):
    sheets = read_sheets(run.kobo_xlsx)
    main = bare(sheets[MAIN])
    reps = {r: repeat_rows(sheets, r) for r in REPEATS}
    return main, reps


@pytest.fixture(scope="module")
def both(clean_run, defect_run):
    manifest = pd.read_csv(defect_run.manifest_csv, dtype=str, keep_default_na=False)
    return _load(clean_run), _load(defect_run), manifest


def _row(data, uuid, section, row_key):
    main, reps = data
    if section == "household":
        rows = main[main["_uuid"] == uuid].to_dict("records")
        return rows[-1] if rows else None
    n = int(row_key.rsplit("[", 1)[1].rstrip("]"))
    rows = reps[section].get(uuid, [])
    return rows[n - 1] if n <= len(rows) else None


def test_manifest_shape(defect_run, both):
    *_, manifest = both
    assert list(manifest.columns) == ["submission_uuid", "section", "row_key", "field",
                                      "defect_type"]
    assert set(manifest["defect_type"]) == set(DEFECT_TYPES)
    assert defect_run.defects == len(manifest)
    assert defect_run.defects_by_type == dict(sorted(Counter(manifest["defect_type"]).items()))
    for m in manifest.itertuples():
        if m.section == "household":
            assert m.row_key == m.submission_uuid
        else:
            assert m.row_key.startswith(f"{m.submission_uuid}/{m.section}[")


def test_each_defect_is_really_there(both, ins):
    clean, dirty, manifest = both
    frame_codes = set(clean[0]["village"])
    for m in manifest.to_dict("records"):
        uuid, section, field, kind = (m["submission_uuid"], m["section"], m["field"],
                                      m["defect_type"])
        row = _row(dirty, uuid, section, m["row_key"])
        assert row is not None, m
        assert field == "" or field in row, m
        orig = _row(clean, uuid, section, m["row_key"])
        if kind == "duplicate_submission":
            twins = dirty[0][dirty[0]["_uuid"] == uuid]
            assert len(twins) == 2 and twins["_id"].nunique() == 2
            assert (twins["meta/rootUuid"] == "uuid:" + uuid).all()
            continue
        if kind == "duplicate_household":
            assert orig is None  # a new uuid, not in the clean round
            same = dirty[0][(dirty[0]["village"] == row["village"])
                            & (dirty[0]["hh_listing_no"] == row["hh_listing_no"])]
            assert len(same) == 2 and same["_uuid"].nunique() == 2
            continue
        value, before = row[field], orig[field]
        assert value != before, m
        f = ins.field(field)
        if kind == "age_out_of_range":
            assert int(value) > 110
        elif kind == "skip_logic_violation":
            assert before == "" and not all(evaluate(e, row.get) for e in f.relevant)
        elif kind == "missing_required":
            assert value == "" and f.required and all(evaluate(e, row.get) for e in f.relevant)
        elif kind == "invalid_choice":
            assert value not in ins.choice_names(f.list_name)
        elif kind == "village_code_mistyped":
            assert value not in frame_codes and sorted(value) == sorted(before)
        elif kind == "gps_far":
            lat, lon = (float(x) for x in value.split()[:2])
            lat0, lon0 = (float(x) for x in before.split()[:2])
            assert haversine_m(lat, lon, lat0, lon0) > 20_000
        elif kind == "short_interview":
            start = pd.Timestamp(row["start"])
            assert (pd.Timestamp(value) - start) < pd.Timedelta(minutes=10)
        elif kind == "age_inconsistent":
            roster = {x["HL1"]: x for x in dirty[1]["roster"][uuid]}
            assert value != roster[row["ch_ln"]]["HL6"]
        else:
            pytest.fail(kind)


def test_nothing_else_changed(both):
    """Outside the manifest, the defect round equals the clean round (same seed)."""
    clean, dirty, manifest = both
    listed = {(m.submission_uuid, m.section, m.row_key, m.field) for m in manifest.itertuples()}
    dup_uuids = set(manifest.loc[manifest["defect_type"].str.startswith("duplicate"),
                                 "submission_uuid"])
    skip = {"_id", "_index", "_parent_index", "_submission__id"}
    main_c = clean[0].set_index("_uuid")
    main_d = dirty[0].drop_duplicates("_uuid").set_index("_uuid")
    assert set(main_d.index) - set(main_c.index) <= dup_uuids
    assert set(main_c.index) <= set(main_d.index)
    n_diff = 0
    for uuid, rc in main_c.iterrows():
        rd = main_d.loc[uuid]
        for col in main_c.columns.difference(list(skip)):
            if rc[col] != rd[col]:
                n_diff += 1
                field = {"_gps_latitude": "gps", "_gps_longitude": "gps"}.get(col, col)
                assert (uuid, "household", uuid, field) in listed, (uuid, col)
        if rc["consent"] != "1":
            assert all(uuid not in dirty[1][r] for r in REPEATS)
    for rep in REPEATS:
        for uuid, rows in clean[1][rep].items():
            copies = 2 if uuid in dup_uuids else 1  # a re-submission repeats all its rows
            assert len(dirty[1][rep][uuid]) == copies * len(rows)
            for n, (a, b) in enumerate(zip(rows, dirty[1][rep][uuid][:len(rows)],
                                           strict=True), 1):
                for col in a:
                    if col not in skip and a[col] != b[col]:
                        n_diff += 1
                        assert (uuid, rep, f"{uuid}/{rep}[{n}]", col) in listed, (uuid, col)
    assert n_diff >= len(manifest) - 2 * len(dup_uuids)
