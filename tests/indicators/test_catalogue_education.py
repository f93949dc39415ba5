"""Hand-worked tests of the education indicators (INDICATORS.md §3.4, §4.7, §4.11).

Unit labels are in ``psu``.
"""

import pytest


def test_ece_attendance_36_to_59_months(db):
    db.child_modules(
        "unit ch_type complete cage_months UB8 weight",
        ("A", "1", True, 35, "1", 1.0),     # 35 months                 → out
        ("B", "1", True, 36, "1", 1.0),     # attends (boundary 36)     → 1
        ("C", "1", True, 59, "2", 2.0),     # does not (boundary 59)    → 0
        ("D", "1", True, 47, "8", 1.0),     # DK                        → 0, missing
        ("E", "1", True, 48, None, 1.0),    # blank                     → 0, missing
        ("F", "1", True, 50, "1", 1.0),     # attends                   → 1
        ("G", "1", True, 60, "1", 1.0),     # 60 months                 → out
        ("H", "1", False, 40, "1", 1.0),    # incomplete module         → out
    )
    res = db.evaluate("edu_ece_attendance")
    # Σw = 1+2+1+1+1 = 6; y: B F = 2/6; missing D E = 2/6.
    assert res.units == {"B": (1, 0), "C": (0, 0), "D": (0, 1), "E": (0, 1), "F": (1, 0)}
    assert res.pct == pytest.approx(100 / 3)
    assert res.missing_pct == pytest.approx(100 / 3)
    assert res.column("age") == {"B": "36-47", "C": "48-59", "D": "36-47", "E": "48-59",
                                 "F": "48-59"}


def test_school_attendance_7_to_17(db):
    db.children(
        "unit age sch_attend hhweight",
        ("A", 6, "1", 1.0),      # aged 6                  → out
        ("B", 7, "1", 1.0),      # attends (boundary 7)    → 1
        ("C", 17, "2", 1.0),     # not (boundary 17)       → 0
        ("D", 12, "8", 2.0),     # DK                      → 0, missing
        ("E", 15, None, 1.0),    # blank                   → 0, missing
        ("F", 18, "1", 1.0),     # aged 18                 → out
        ("G", 13, "1", 3.0),     # attends                 → 1
    )
    res = db.evaluate("edu_school_attendance")
    # Σw = 1+1+2+1+3 = 8; y: B(1) G(3) = 4/8; missing D(2) E(1) = 3/8.
    assert res.units == {"B": (1, 0), "C": (0, 0), "D": (0, 1), "E": (0, 1), "G": (1, 0)}
    assert res.pct == pytest.approx(50.0)
    assert res.missing_pct == pytest.approx(37.5)
    assert res.column("age") == {"B": "7-12", "C": "16-17", "D": "7-12", "E": "13-15",
                                 "G": "13-15"}
