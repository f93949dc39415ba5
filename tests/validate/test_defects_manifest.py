"""Scored against the generator's defects manifest: caught by the RIGHT rule, few false alarms.

A generated survey with a high defect rate (every defect type present, >= 60 defects) goes
through ingest, typing and validation. A defect counts as caught only when a finding of one of
its expected rules sits on the manifest's row (``duplicate_submission``: the copy is in
``typed.duplicates``). A clean row is a typed row whose key is not in the manifest; it is a
false positive when it carries any finding, error or warning.

Run with ``-s`` to print the rates.
"""

from __future__ import annotations

import pandas as pd
import pytest

from parenting_assessment.ingest.run import ingest_files
from parenting_assessment.instrument import load_instrument
from parenting_assessment.synth import synthesize
from parenting_assessment.typed import build_typed
from parenting_assessment.validate.run import validate
from parenting_assessment.warehouse import connect

# defect type -> rule ids that catch it ({field} = the manifest's field)
EXPECTED_RULES = {
    "age_out_of_range": {"constraint:{field}"},
    "skip_logic_violation": {"skip:{field}"},
    "missing_required": {"required:{field}"},
    "invalid_choice": {"choice:{field}"},
    "village_code_mistyped": {"village_in_frame"},
    "gps_far": {"gps_far"},
    "short_interview": {"interview_too_short"},
    "age_inconsistent": {"age_consistency"},
    "duplicate_household": {"duplicate_household", "duplicate_near_identical"},
}


def score(con, manifest: pd.DataFrame) -> dict:
    """Detection rate, false-positive rate per section, and the missed defects."""
    found = con.execute("select row_key, rule_id from validated.findings").df()
    have = set(zip(found["row_key"], found["rule_id"], strict=True))
    dups = {
        r[0]
        for r in con.execute(
            "select submission_uuid from typed.duplicates where section = 'household'"
        ).fetchall()
    }
    caught, missed = 0, []
    for d in manifest.itertuples():
        if d.defect_type == "duplicate_submission":
            ok = d.submission_uuid in dups
        else:
            rules = {r.format(field=d.field) for r in EXPECTED_RULES[d.defect_type]}
            ok = any((d.row_key, r) in have for r in rules)
        caught += ok
        if not ok:
            missed.append((d.defect_type, d.row_key))
    touched = set(manifest["row_key"])
    flagged = set(found["row_key"])
    fp = {}
    for s in ("household", "roster", "migrant", "child", "caregiver"):
        keys = {r[0] for r in con.execute(f"select _row_key from typed.{s}").fetchall()}
        clean = keys - touched
        fp[s] = (len(clean & flagged), len(clean))
    return {
        "detected": caught,
        "defects": len(manifest),
        "rate": caught / len(manifest),
        "missed": missed,
        "fp": fp,
        "fp_rate": sum(a for a, _ in fp.values()) / sum(b for _, b in fp.values()),
    }


@pytest.fixture(scope="module")
def scored(tmp_path_factory, frame):
    base = tmp_path_factory.mktemp("defects")
    syn = synthesize(
        seed=20261201, out_dir=base / "raw", villages=5, households_per_village=30, defect_rate=0.45
    )
    ins = load_instrument(syn.instrument)
    from parenting_assessment.frame import load_frame

    with connect(base / "w.duckdb") as con:
        ingest_files(con, [syn.export_path], ins, batch="b1", landing_dir=base / "landing")
        build_typed(con, ins)
        validate(con, ins, load_frame(syn.frame_path), overrides=None, run_gx=False)
        result = score(con, pd.read_csv(syn.defects_path))
    return syn, result


def test_enough_defects_of_every_type(scored):
    syn, _ = scored
    assert syn.defects >= 60
    assert set(syn.defects_by_type) == set(EXPECTED_RULES) | {"duplicate_submission"}


def test_at_least_95_percent_caught_by_the_right_rule(scored):
    _, r = scored
    print(f"\ndetected {r['detected']}/{r['defects']} = {r['rate']:.1%}; missed: {r['missed']}")
    assert r["rate"] >= 0.95, r["missed"]


def test_at_most_1_percent_of_clean_rows_flagged(scored):
    _, r = scored
    print(f"\nfalse positives: {r['fp_rate']:.2%} overall; per section (flagged, clean): {r['fp']}")
    assert r["fp_rate"] <= 0.01
    for section, (flagged, clean) in r["fp"].items():
        assert flagged <= max(1, 0.01 * clean), section
