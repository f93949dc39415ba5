"""Hand-worked tests of the caregiver and care indicators (INDICATORS.md §3.2, §4.5, §4.12-4.13).

pcg_rel: 1 mother, 2 father, 3 grandmother, 4 grandfather, 5-7 relatives, 8 not related, 98 DK.
Unit labels are in ``psu``.
"""

import pytest


def test_grandparent_primary(db):
    db.children(
        "unit age pcg_rel hhweight",
        ("A", 0, "3", 1.0),     # grandmother               → 1
        ("B", 17, "4", 1.0),    # grandfather               → 1
        ("C", 5, "1", 2.0),     # mother                    → 0
        ("D", 6, "5", 1.0),     # aunt/uncle                → 0
        ("E", 7, "98", 1.0),    # DK                        → 0, missing
        ("F", 8, None, 2.0),    # blank                     → 0, missing
        ("G", 18, "3", 4.0),    # adult                     → out
    )
    res = db.evaluate("care_grandparent_primary")
    # Σw = 8; y: A(1) B(1) = 2/8; missing E(1) F(2) = 3/8.
    assert res.units == {"A": (1, 0), "B": (1, 0), "C": (0, 0), "D": (0, 0), "E": (0, 1),
                         "F": (0, 1)}
    assert res.pct == pytest.approx(25.0)
    assert res.missing_pct == pytest.approx(37.5)


# pcg_age_years is derived in core.children: HL6 of line pcg_ln, or pcg_age when pcg_ln = 0,
# with 98 (DK) → NULL (tested in test_core_derivations.py). Here the catalogue rule only.
PCG_AGE_ROWS = (
    ("A", 2, 1, None, 60, 1.0),      # caregiver on line 1, aged 60 (boundary) → 1
    ("B", 9, 2, None, 59, 1.0),      # aged 59                                 → 0
    ("C", 12, 0, 72, 72, 2.0),       # non-member (pcg_ln 0), pcg_age 72       → 1
    ("D", 4, 0, 98, None, 1.0),      # non-member, age DK (98)                 → 0, missing
    ("E", 16, 3, None, 35, 3.0),     # aged 35                                 → 0
    ("F", 18, 1, None, 70, 1.0),     # adult "child"                           → out
)


def test_primary_caregiver_aged_60_plus(db):
    db.children("unit age pcg_ln pcg_age pcg_age_years hhweight", *PCG_AGE_ROWS)
    res = db.evaluate("care_primary_age60plus")
    # Σw = 1+1+2+1+3 = 8; y: A(1) C(2) = 3/8; missing D(1) = 1/8.
    assert res.units == {"A": (1, 0), "B": (0, 0), "C": (1, 0), "D": (0, 1), "E": (0, 0)}
    assert res.pct == pytest.approx(37.5)
    assert res.missing_pct == pytest.approx(12.5)


def test_primary_caregiver_age_threshold_is_a_parameter(db, set_params):
    db.children("unit age pcg_ln pcg_age pcg_age_years hhweight", *PCG_AGE_ROWS)
    res = db.evaluate("care_primary_age60plus", cat=set_params(caregiver_age_threshold=65))
    # Threshold 65: only C(2) → 2/8.
    assert res.y == {"A": 0, "B": 0, "C": 1, "D": 0, "E": 0}
    assert res.pct == pytest.approx(25.0)


def test_supervision_inadequate_follows_the_written_definition(db):
    db.child_modules(
        "unit ch_type complete cage_months EC3A EC3B weight",
        ("A", "1", True, 0, 1, 0, 1.0),       # alone 1 day (boundary)        → 1
        ("B", "1", True, 59, 0, 7, 2.0),      # with a child 7 days          → 1
        ("C", "1", True, 24, 0, 0, 1.0),      # never                         → 0
        ("D", "1", True, 30, 8, 0, 1.0),      # EC3A DK: counts no (not yes!) → 0, missing
        ("E", "1", True, 12, 0, None, 1.0),   # EC3B blank                    → 0, missing
        ("F", "1", True, 40, 8, 3, 1.0),      # EC3A DK, EC3B 3 days          → 1, missing
        ("G", "1", True, 60, 2, 0, 1.0),      # 60 months                     → out
        ("H", "1", False, 20, 3, 0, 1.0),     # incomplete module             → out
        ("I", "2", True, 30, 3, 0, 1.0),      # 5-17 module                   → out
    )
    res = db.evaluate("care_supervision_inadequate")
    # Σw = 1+2+1+1+1+1 = 7; y: A(1) B(2) F(1) = 4/7; missing D E F = 3/7.
    assert res.units == {"A": (1, 0), "B": (1, 0), "C": (0, 0), "D": (0, 1), "E": (0, 1),
                         "F": (1, 1)}
    assert res.pct == pytest.approx(400 / 7)
    assert res.missing_pct == pytest.approx(300 / 7)
    assert res.column("age") == {"A": "0-11", "B": "48-59", "C": "24-35", "D": "24-35",
                                 "E": "12-23", "F": "36-47"}


# Six items scored 0-3; score = sum, prorated as mean × 6 with up to max_missing_items (1)
# unanswered; threshold 9 (catalogue parameters).
BURDEN_ROWS = (
    ("A", True, 6, 9, 1.0, 1.0),     # score 9 (= threshold)               → 1
    ("B", True, 6, 8, 1.0, 2.0),     # score 8                             → 0
    ("C", True, 5, 8, 1.0, 1.0),     # one missing: 8 × 6/5 = 9.6          → 1
    ("D", True, 5, 7, 1.0, 1.0),     # one missing: 7 × 6/5 = 8.4          → 0
    ("E", True, 4, 12, 1.0, 1.0),    # two missing: score missing          → 0, missing
    ("F", False, 6, 18, 1.0, 1.0),   # interview not complete              → out
    ("G", True, 6, 18, None, 5.0),   # interviewed but nobody's primary
                                     # caregiver (pi NULL, weight NULL)     → out
)
BURDEN_HEADER = "unit complete burden_n_answered burden_sum pi weight"


def test_burden_high_with_proration(db, cat):
    assert cat.parameters["burden_threshold"] == 9
    assert cat.parameters["burden_max_missing_items"] == 1
    db.caregivers(BURDEN_HEADER, *BURDEN_ROWS)
    res = db.evaluate("care_burden_high")
    # Σw = 1+2+1+1+1 = 6; y: A(1) C(1) = 2/6; missing E(1) = 1/6.
    assert res.units == {"A": (1, 0), "B": (0, 0), "C": (1, 0), "D": (0, 0), "E": (0, 1)}
    assert res.pct == pytest.approx(100 / 3)
    assert res.missing_pct == pytest.approx(100 / 6)


def test_burden_threshold_and_max_missing_are_parameters(db, set_params):
    db.caregivers(BURDEN_HEADER, *BURDEN_ROWS)
    res = db.evaluate("care_burden_high", cat=set_params(burden_threshold=8))
    # Threshold 8: A(9) B(8) C(9.6) D(8.4) → (1+2+1+1)/6.
    assert res.y == {"A": 1, "B": 1, "C": 1, "D": 1, "E": 0}
    assert res.pct == pytest.approx(500 / 6)
    res = db.evaluate("care_burden_high", cat=set_params(burden_max_missing_items=2))
    # Two missing allowed: E = 12 × 6/4 = 18 → 1 and no longer missing → A C E = 3/6.
    assert res.units["E"] == (1, 0)
    assert res.pct == pytest.approx(50.0)
    assert res.missing_pct == 0.0


INTEREST_ROWS = (
    ("A", True, "1", 2.0),     # yes                 → interest 1
    ("B", True, "2", 1.0),     # maybe               → interest 0, maybe 1
    ("C", True, "3", 1.0),     # no                  → 0
    ("D", True, "8", 1.0),     # DK                  → 0, missing
    ("E", True, None, 1.0),    # blank               → 0, missing
    ("F", False, "1", 1.0),    # incomplete          → out
)


def test_interest_in_parenting_group_and_maybe_share(db):
    db.caregivers("unit complete cp_interest weight", *INTEREST_ROWS)
    res = db.evaluate("care_interest_parenting_group")
    # Σw = 6; yes: A(2) = 2/6; missing D E = 2/6.
    assert res.units == {"A": (1, 0), "B": (0, 0), "C": (0, 0), "D": (0, 1), "E": (0, 1)}
    assert res.pct == pytest.approx(100 / 3)
    assert res.missing_pct == pytest.approx(100 / 3)
    maybe = db.evaluate("care_interest_parenting_group_maybe")
    # maybe: B(1) = 1/6.
    assert maybe.y == {"A": 0, "B": 1, "C": 0, "D": 0, "E": 0}
    assert maybe.pct == pytest.approx(100 / 6)


def test_caregiver_disaggregations(db):
    db.caregivers(
        "unit cg_age cg_sex cg_type hh_mig_status cp_interest",
        ("A", 29, "2", "mother", "father_abroad", "1"),
        ("B", 30, "1", "father", "none", "1"),
        ("C", 44, "2", "other_relative", "unknown", "1"),
        ("D", 45, "2", "grandparent", "mother_abroad", "1"),
        ("E", 59, "1", "grandparent", "both_abroad", "1"),
        ("F", 60, "2", "grandparent", "both_abroad", "1"),
        ("G", None, None, "unknown", None, "1"),
    )
    res = db.evaluate("care_interest_parenting_group")
    assert res.column("cg_age") == {"A": "<30", "B": "30-44", "C": "30-44", "D": "45-59",
                                    "E": "45-59", "F": "60+", "G": None}
    assert res.column("cg_sex") == {"A": "female", "B": "male", "C": "female", "D": "female",
                                    "E": "male", "F": "female", "G": None}
    assert res.column("cg")["D"] == "grandparent"
    assert res.column("hh_mig")["A"] == "father_abroad"
