"""The export reproduces the design: stratified SRS, non-response, modules (SAMPLING.md)."""

from __future__ import annotations

import pandas as pd
from synth_helpers import MAIN, bare, read_sheets, repeat_rows

COVER = {"start", "end", "today", "deviceid", "kab", "village", "enum_id", "hh_listing_no",
         "hh_stratum", "visit_result", "consent", "hh_size"}


def _data(run):
    sheets = read_sheets(run.kobo_xlsx)
    main = bare(sheets[MAIN])
    reps = {r: repeat_rows(sheets, r) for r in ("roster", "migrant", "child", "caregiver")}
    return main, reps


def test_stratum_sizes_equal_targets(clean_run):
    main, _ = _data(clean_run)
    frame = pd.read_csv(clean_run.frame_csv, dtype={"kode_kemendagri": str})
    counts = main.groupby(["village", "hh_stratum"]).size()
    for f in frame.itertuples():
        assert counts.get((f.kode_kemendagri, "pmi"), 0) == f.target_pmi <= f.n_listed_pmi
        assert counts.get((f.kode_kemendagri, "non_pmi"), 0) == f.target_non_pmi
        listing = main.loc[main["village"] == f.kode_kemendagri, "hh_listing_no"].astype(int)
        assert listing.is_unique
        assert listing.between(1, f.n_listed_pmi + f.n_listed_non_pmi).all()
    census = frame[frame["target_pmi"] == frame["n_listed_pmi"]]
    assert len(census) == 1  # Anjani's 17 PMI households are all selected


def test_nonrespondents_have_only_the_cover(clean_run):
    main, reps = _data(clean_run)
    nonresp = main[main["consent"] != "1"]
    assert 0 < len(nonresp) < 0.25 * len(main)
    for r in nonresp.to_dict("records"):
        assert r["visit_result"] in ("2", "3", "4") or (r["visit_result"] == "1"
                                                        and r["consent"] == "2")
        if r["visit_result"] != "1":
            assert r["consent"] == ""
        answered = {k for k, v in r.items() if v != "" and not k.startswith("_")
                    and k != "meta/rootUuid"}
        assert answered <= COVER and r["hh_size"] == "0"
        assert all(r["_uuid"] not in reps[k] for k in reps)


def test_counts_and_calculations(clean_run):
    main, reps = _data(clean_run)
    for r in main[main["consent"] == "1"].to_dict("records"):
        u = r["_uuid"]
        roster = reps["roster"][u]
        assert r["hh_size"] == str(len(roster))
        assert [x["HL1"] for x in roster] == [str(i) for i in range(1, len(roster) + 1)]
        assert roster[0]["HL3"] == "1" and all(x["HL3"] != "1" for x in roster[1:])
        for key, rep in (("ch_n", "child"), ("mig_n", "migrant"), ("cg_n", "caregiver")):
            assert r[key] == str(len(reps[rep].get(u, [])))
        names = {x["HL2"] for x in roster}
        assert r["resp_name"] in names


def test_child_modules_and_selection(clean_run):
    main, reps = _data(clean_run)
    for r in main[main["consent"] == "1"].to_dict("records"):
        roster = {x["HL1"]: x for x in reps["roster"][r["_uuid"]]}
        age = {ln: int(x["HL6"]) for ln, x in roster.items()}
        eligible = {ln for ln, a in age.items() if 5 <= a <= 17}
        under5 = {ln for ln, a in age.items() if a <= 4}
        rows = reps["child"].get(r["_uuid"], [])
        selected = [c for c in rows if c["ch_type"] == "2"]
        assert {c["ch_ln"] for c in rows if c["ch_type"] == "1"} == under5
        if eligible:
            assert len(selected) == 1 and selected[0]["ch_ln"] == r["sel_fs_ln"]
            assert r["sel_fs_ln"] in eligible
        else:
            assert not selected and r["sel_fs_ln"] == "0"
        for c in rows:
            if c["UF17"] == "1":
                assert c["UB2"] == roster[c["ch_ln"]]["HL6"]
            if c["FS17"] == "1":
                assert c["CB3"] == roster[c["ch_ln"]]["HL6"]
            assert c["ch_resp_ln"] in roster and int(roster[c["ch_resp_ln"]]["HL6"]) >= 15


def test_caregiver_modules(clean_run):
    main, reps = _data(clean_run)
    n_fail = n_rows = 0
    for r in main[main["consent"] == "1"].to_dict("records"):
        roster = {x["HL1"]: x for x in reps["roster"][r["_uuid"]]}
        modules = {c["ch_ln"] for c in reps["child"].get(r["_uuid"], [])}
        expected = {roster[ln]["pcg_ln"] for ln in modules} - {"0"}
        carers = reps["caregiver"].get(r["_uuid"], [])
        assert [c["cg_ln"] for c in carers] == sorted(expected, key=int)
        for c in carers:
            n_rows += 1
            if c["cg_result"] != "1":
                n_fail += 1
                assert c["cg_age"] == c["cg_rel"] == ""
                continue
            person = roster[c["cg_ln"]]
            assert c["cg_age"] == person["HL6"] and c["cg_sex"] == person["HL4"]
            in_care = [x for x in roster.values() if x["pcg_ln"] == c["cg_ln"]]
            youngest = min(in_care, key=lambda x: (int(x["HL6"]), int(x["HL1"])))
            assert c["cg_rel"] == youngest["pcg_rel"]
    assert n_fail < 0.15 * n_rows


def test_parents_and_migrants(clean_run):
    main, reps = _data(clean_run)
    for r in main[main["consent"] == "1"].to_dict("records"):
        roster = {x["HL1"]: x for x in reps["roster"][r["_uuid"]]}
        migrants = reps["migrant"].get(r["_uuid"], [])
        for x in roster.values():
            if x["HL14"]:
                assert roster[x["HL14"]]["HL4"] == "2"
            if x["HL18"]:
                assert roster[x["HL18"]]["HL4"] == "1"
            for item, role in (("HL15", "1"), ("HL19", "2")):
                if x[item] == "1":
                    assert any(m["mig_role"] == role and x["HL1"] in m["mig_children"].split()
                               for m in migrants)
        roles = [m["mig_role"] for m in migrants]
        assert len(roles) == len(set(roles))
        abroad = any(x["HL15"] == "1" or x["HL19"] == "1" for x in roster.values())
        assert abroad == (r["hh_stratum"] == "pmi")
