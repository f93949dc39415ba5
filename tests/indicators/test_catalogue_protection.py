"""Hand-worked tests of the protection indicators (INDICATORS.md §3.5, §4.8-4.10).

Unit labels are in ``psu``. ``weight`` is chweight for under-5 modules (ch_type 1) and fsweight
(hhweight × children aged 5-17) for the selected child's 5-17 module (ch_type 2).
"""

import pytest


def test_birth_registered(db):
    db.child_modules(
        "unit cage_months BR1 BR2 weight",
        ("A", 0, "1", None, 1.0),     # certificate seen                   → 1
        ("B", 59, "2", None, 1.0),    # certificate not seen               → 1
        ("C", 10, "3", "1", 1.0),     # no certificate, registered         → 1
        ("D", 20, "3", "2", 2.0),     # not registered                     → 0
        ("E", 30, "3", "8", 1.0),     # registration DK                    → 0, missing
        ("F", 40, "8", "1", 1.0),     # certificate DK, registered         → 1, missing
        ("G", 50, None, None, 1.0),   # blank                              → 0, missing
        ("H", 5, "8", "2", 1.0),      # certificate DK, not registered     → 0, missing
        ("I", 60, "1", None, 1.0),    # 60 months                          → out
    )
    res = db.evaluate("prot_birth_registered")
    # Σw = 9; y: A B C F = 4/9; missing E F G H = 4/9.
    assert res.units == {"A": (1, 0), "B": (1, 0), "C": (1, 0), "D": (0, 0), "E": (0, 1),
                         "F": (1, 1), "G": (0, 1), "H": (0, 1)}
    assert res.pct == pytest.approx(400 / 9)
    assert res.missing_pct == pytest.approx(400 / 9)


CD2 = tuple(f"CD2{c}" for c in "ABCDEFGHIJK")


def cd2(*, default: str | None = "2", **answers: str | None) -> dict[str, str | None]:
    """CD2A-CD2K answered 2 (no) except the items given, e.g. ``cd2(D="1", H=None)``."""
    return {item: answers.get(item[3:], default) for item in CD2}


DISCIPLINE_ROWS = [
    # A: u5 aged 1, only explained (B)        → non-violent only
    {"unit": "A", "ch_type": "1", "age_years": 1, **cd2(B="1")},
    # B: u5 aged 4, shouted (D)                → violent, psych
    {"unit": "B", "ch_type": "1", "age_years": 4, **cd2(D="1")},
    # C: selected child 5, took away (A) + hit on the face (I), fsweight 3
    #                                          → violent, physical, severe
    {"unit": "C", "ch_type": "2", "age_years": 5, "weight": 3.0, **cd2(A="1", I="1")},
    # D: selected child 14, hit on the hand (J), beaten up DK (K = 8), fsweight 2
    #                                          → violent, physical; missing violent/phys/severe
    {"unit": "D", "ch_type": "2", "age_years": 14, "weight": 2.0, **cd2(J="1", K="8")},
    # E: selected child 10, gave something else to do (E), name-calling blank (H)
    #                                          → non-violent only (blank ≠ 1); missing violent/psych
    {"unit": "E", "ch_type": "2", "age_years": 10, **cd2(E="1", H=None)},
    # H: u5 aged 2, nothing but shaking DK (C = 8)
    #                                          → 0 everywhere; missing violent/phys
    {"unit": "H", "ch_type": "1", "age_years": 2, **cd2(C="8")},
    # I: selected child 9, hit with an object (G) → violent, physical
    {"unit": "I", "ch_type": "2", "age_years": 9, **cd2(G="1")},
    # Out of the universe: u5 aged 0; selected child aged 15; incomplete u5 module.
    {"unit": "X0", "ch_type": "1", "age_years": 0, **cd2(D="1")},
    {"unit": "X15", "ch_type": "2", "age_years": 15, **cd2(I="1")},
    {"unit": "Xinc", "ch_type": "1", "age_years": 3, "complete": False, **cd2(D="1")},
]
UNITS = ("A", "B", "C", "D", "E", "H", "I")
# Universe A B C D E H I, Σw = 1+1+3+2+1+1+1 = 10.
DISCIPLINE_CASES = [
    # violent: B(1) C(3) D(2) I(1) = 7/10; missing D(2) E(1) H(1) = 4/10
    ("prot_discipline_violent", "BCDI", "DEH", 70.0, 40.0),
    # severe: C(3) = 3/10; missing D(2) (CD2K = 8) = 2/10
    ("prot_discipline_severe", "C", "D", 30.0, 20.0),
    # non-violent only: A(1) E(1) = 2/10; missing (any violent item 8/blank) D E H = 4/10
    ("prot_discipline_nonviolent_only", "AE", "DEH", 20.0, 40.0),
    # psychological: B(1) = 1/10; missing E (CD2H blank) = 1/10
    ("prot_discipline_psych", "B", "E", 10.0, 10.0),
    # physical any: C(3) D(2) I(1) = 6/10; missing D(2) H(1) = 3/10
    ("prot_discipline_physical_any", "CDI", "DH", 60.0, 30.0),
]


@pytest.mark.parametrize(("indicator", "yes", "miss", "pct", "missing_pct"), DISCIPLINE_CASES,
                         ids=[c[0] for c in DISCIPLINE_CASES])
def test_discipline(db, indicator, yes, miss, pct, missing_pct):
    db.table_dicts("child_modules", DISCIPLINE_ROWS)
    res = db.evaluate(indicator)
    assert res.units == {u: (int(u in yes), int(u in miss)) for u in UNITS}
    assert res.pct == pytest.approx(pct)
    assert res.missing_pct == pytest.approx(missing_pct)
    assert res.column("weight") == {"A": 1.0, "B": 1.0, "C": 3.0, "D": 2.0, "E": 1.0, "H": 1.0,
                                    "I": 1.0}
    assert res.column("age") == {"A": "1-2", "B": "3-4", "C": "5-9", "D": "10-14", "E": "10-14",
                                 "H": "1-2", "I": "5-9"}


def test_child_labour(db):
    # econ_active, chores_any, chore_hours (97-99 added as 0) and chore_hours_dk are derived in
    # core (test_core_derivations.py). Thresholds: 1 h at 5-11, 14 h at 12-14, 43 h at 15-17;
    # chores ≥ 21 h at 5-14 only.
    db.child_modules(
        "unit ch_type age_years econ_active CL3 chores_any chore_hours chore_hours_dk weight",
        ("A", "2", 5, True, 1, False, 0, False, 1.0),      # 1 h at 5         → 1
        ("B", "2", 11, True, 0, False, 0, False, 1.0),     # 0 h at 11        → 0
        ("C", "2", 12, True, 13, False, 0, False, 1.0),    # 13 h at 12       → 0
        ("D", "2", 14, True, 14, False, 0, False, 2.0),    # 14 h at 14       → 1
        ("E", "2", 15, True, 42, True, 30, False, 1.0),    # 42 h at 15; chores
                                                           # don't count at 15 → 0
        ("F", "2", 17, True, 43, False, 0, False, 1.0),    # 43 h at 17       → 1
        ("G", "2", 9, True, 98, False, 0, False, 1.0),     # hours DK         → 0, missing
        ("H", "2", 13, False, None, True, 21, False, 1.0),  # chores 21 h     → 1
        ("I", "2", 8, False, None, True, 20, True, 1.0),   # chores 20 h + a DK
                                                           # (added as 0)      → 0, missing
        ("J", "1", 4, True, 50, False, 0, False, 1.0),     # under-5 module   → out
    )
    res = db.evaluate("prot_child_labour")
    # Σw = 1+1+1+2+1+1+1+1+1 = 10; y: A D(2) F H = 5/10; missing G I = 2/10.
    assert res.units == {"A": (1, 0), "B": (0, 0), "C": (0, 0), "D": (1, 0), "E": (0, 0),
                         "F": (1, 0), "G": (0, 1), "H": (1, 0), "I": (0, 1)}
    assert res.pct == pytest.approx(50.0)
    assert res.missing_pct == pytest.approx(20.0)
    assert res.column("age") == {"A": "5-11", "B": "5-11", "C": "12-14", "D": "12-14",
                                 "E": "15-17", "F": "15-17", "G": "5-11", "H": "12-14",
                                 "I": "5-11"}
