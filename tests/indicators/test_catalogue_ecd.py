"""Hand-worked tests of the early-childhood indicators (INDICATORS.md §3.3, §4.3-4.6).

All rows are complete under-5 modules (ch_type 1) unless they say otherwise. Unit labels are in
``psu``.
"""

import pytest

EC5_ITEMS = ("EC5A", "EC5B", "EC5C", "EC5D", "EC5E", "EC5F")


def ec5(*who: str | None) -> dict[str, object]:
    """EC5A-EC5F from six "who" answers ("A B", "X", "Y", None = blank, not asked).

    Gives the summary column and the Kobo flag columns "EC5A/A" … "EC5F/Y" (1/0, NULL if blank).
    """
    out: dict[str, object] = {}
    for item, answer in zip(EC5_ITEMS, who, strict=True):
        out[item] = answer
        for code in "ABXY":
            out[f"{item}/{code}"] = None if answer is None else int(code in answer.split())
    return out


SUPPORT_ROWS = [
    # A (UB2 2): A B in 3 activities, B alone in 1, no one in 2
    #            → any 4 ✓, father 4 ✓, mother 3 ✗
    {"unit": "A", "age_years": 2, **ec5("A B", "A B", "A B", "B", "Y", "Y")},
    # B (UB2 4): other member (X) in 3, mother in 1 → any 4 ✓, father 0, mother 1
    {"unit": "B", "age_years": 4, "weight": 2.0, **ec5("X", "X", "X", "Y", "Y", "A")},
    # C (UB2 3): mother in 3 only → any 3 ✗, mother 3 ✗
    {"unit": "C", "age_years": 3, **ec5("A", "A", "A", "Y", "Y", "Y")},
    # D (UB2 3), father abroad: stays in the father universe with 0
    #            → any 5 ✓, mother 4 ✓, father 0 ✗
    {"unit": "D", "age_years": 3, "mig_status": "father_abroad",
     **ec5("A", "A", "A", "A", "X", "Y")},
    # E (UB2 2): EC5D blank → any 4 (A B C E) ✓, mother 4 ✓, father 1 ✗; missing
    {"unit": "E", "age_years": 2, **ec5("A B", "A", "A", None, "A", "Y")},
    # H (UB2 4): no one (Y) in every activity → 0 everywhere
    {"unit": "H", "age_years": 4, **ec5("Y", "Y", "Y", "Y", "Y", "Y")},
    # F (UB2 1): too young → out.   G (UB2 4) incomplete → out.   K: 5-17 module → out.
    {"unit": "F", "age_years": 1, **ec5("A B X", "A B X", "A B X", "A B X", "A B X", "A B X")},
    {"unit": "G", "age_years": 4, "complete": False, **ec5("A", "A", "A", "A", "A", "A")},
    {"unit": "K", "age_years": 4, "ch_type": "2", **ec5("A", "A", "A", "A", "A", "A")},
]
# Universe A B C D E H, Σw = 1+2+1+1+1+1 = 7; missing E (1/7) for all three.
SUPPORT_CASES = [
    # any: A(1) B(2) D(1) E(1) = 5/7
    ("ecd_support_learning_any", {"A": 1, "B": 1, "C": 0, "D": 1, "E": 1, "H": 0}, 500 / 7),
    # father: A(1) = 1/7 (D, whose father is abroad, counts 0)
    ("ecd_support_learning_father", {"A": 1, "B": 0, "C": 0, "D": 0, "E": 0, "H": 0}, 100 / 7),
    # mother: D(1) E(1) = 2/7
    ("ecd_support_learning_mother", {"A": 0, "B": 0, "C": 0, "D": 1, "E": 1, "H": 0}, 200 / 7),
]


@pytest.mark.parametrize(("indicator", "y", "pct"), SUPPORT_CASES,
                         ids=[c[0] for c in SUPPORT_CASES])
def test_support_for_learning(db, indicator, y, pct):
    db.table_dicts("child_modules", SUPPORT_ROWS)
    res = db.evaluate(indicator)
    assert res.y == y
    assert res.missing == {"A": 0, "B": 0, "C": 0, "D": 0, "E": 1, "H": 0}
    assert res.pct == pytest.approx(pct)
    assert res.missing_pct == pytest.approx(100 / 7)
    # Age bands are reported in months from UB2: 2 → 24-35, 3 → 36-47, 4 → 48-59.
    assert res.column("age") == {"A": "24-35", "B": "48-59", "C": "36-47", "D": "36-47",
                                 "E": "24-35", "H": "48-59"}


def test_books_3plus(db):
    db.child_modules(
        "unit cage_months EC1 weight",
        ("A", 0, 3, 1.0),       # 3 books (boundary)       → 1
        ("B", 59, 10, 1.0),     # 10 = ten or more         → 1
        ("C", 24, 2, 2.0),      # 2                        → 0
        ("D", 12, 98, 1.0),     # DK                       → 0, missing
        ("E", 40, None, 1.0),   # blank                    → 0, missing
        ("F", 30, 0, 1.0),      # none                     → 0
        ("G", 60, 5, 1.0),      # 60 months                → out
    )
    res = db.evaluate("ecd_books_3plus")
    # Σw = 7; y: A B = 2/7; missing D E = 2/7.
    assert res.units == {"A": (1, 0), "B": (1, 0), "C": (0, 0), "D": (0, 1), "E": (0, 1),
                         "F": (0, 0)}
    assert res.pct == pytest.approx(200 / 7)
    assert res.missing_pct == pytest.approx(200 / 7)
    assert res.column("age") == {"A": "0-23", "B": "24-59", "C": "24-59", "D": "0-23",
                                 "E": "24-59", "F": "24-59"}


def test_playthings_2plus(db):
    db.child_modules(
        "unit cage_months EC2A EC2B EC2C weight",
        ("A", 3, "1", "1", "2", 1.0),      # 2 types                → 1
        ("B", 23, "1", "8", "1", 1.0),     # 2 types + a DK         → 1, missing
        ("C", 24, "1", "2", "2", 2.0),     # 1 type                 → 0
        ("D", 40, "8", "8", "1", 1.0),     # DK counts no           → 0, missing
        ("E", 50, "1", None, "2", 1.0),    # blank                  → 0, missing
        ("F", 59, "1", "1", "1", 1.0),     # 3 types                → 1
        ("G", 60, "1", "1", "1", 1.0),     # 60 months              → out
    )
    res = db.evaluate("ecd_playthings_2plus")
    # Σw = 7; y: A B F = 3/7; missing B D E = 3/7.
    assert res.units == {"A": (1, 0), "B": (1, 1), "C": (0, 0), "D": (0, 1), "E": (0, 1),
                         "F": (1, 0)}
    assert res.pct == pytest.approx(300 / 7)
    assert res.missing_pct == pytest.approx(300 / 7)


def test_ecdi2030_cut_scores_by_age_band(db):
    # ecdi_score / ecdi_missing are derived in core (test_core_derivations.py).
    # Cut-scores: 24-29 → 7, 30-35 → 9, 36-41 → 11, 42-47 → 13, 48-59 → 15.
    db.child_modules(
        "unit cage_months ecdi_score ecdi_missing weight",
        ("A", 23, 20, False, 1.0),   # 23 months              → out
        ("B", 24, 7, False, 2.0),    # 7 ≥ 7                  → 1
        ("C", 29, 6, False, 1.0),    # 6 < 7                  → 0
        ("D", 30, 8, False, 1.0),    # 8 < 9                  → 0
        ("E", 35, 9, False, 1.0),    # 9 ≥ 9                  → 1
        ("F", 36, 10, False, 1.0),   # 10 < 11                → 0
        ("G", 41, 11, False, 1.0),   # 11 ≥ 11                → 1
        ("H", 42, 12, False, 1.0),   # 12 < 13                → 0
        ("I", 47, 13, False, 1.0),   # 13 ≥ 13                → 1
        ("J", 48, 14, False, 1.0),   # 14 < 15                → 0
        ("K", 59, 15, True, 1.0),    # 15 ≥ 15, an item DK    → 1, missing
        ("L", 60, 20, False, 1.0),   # 60 months              → out
    )
    res = db.evaluate("ecd_ecdi2030_on_track")
    # Σw = 2 + 9 = 11; y: B(2) E G I K = 6/11; missing K = 1/11.
    assert res.y == {"B": 1, "C": 0, "D": 0, "E": 1, "F": 0, "G": 1, "H": 0, "I": 1, "J": 0,
                     "K": 1}
    assert res.missing == {u: int(u == "K") for u in "BCDEFGHIJK"}
    assert res.pct == pytest.approx(600 / 11)
    assert res.missing_pct == pytest.approx(100 / 11)
    assert res.column("age") == {"B": "24-35", "C": "24-35", "D": "24-35", "E": "24-35",
                                 "F": "36-47", "G": "36-47", "H": "36-47", "I": "36-47",
                                 "J": "48-59", "K": "48-59"}
