"""Hand-worked tests of the living-arrangement indicators (INDICATORS.md §3.1, §4.1-4.2).

Roster codes: HL12/HL16 alive 1 yes, 2 no, 8 DK; HL13/HL17 lives here 1 yes, 2 no;
HL15/HL19 where 1 abroad, 2-4 elsewhere in Indonesia, 8 DK. Unit labels are in ``psu``.
"""

import pytest

ABROAD_HEADER = "unit age HL12 HL13 HL15 HL16 HL17 HL19 hhweight"
ABROAD_ROWS = (
    # A: mother abroad, father at home                      → abroad, mother only
    ("A", 0, "1", "2", "1", "1", "1", None, 2.0),
    # B: father abroad, mother at home (oldest age 17)      → abroad, father only
    ("B", 17, "1", "1", None, "1", "2", "1", 1.0),
    # C: both abroad                                        → abroad, both
    ("C", 9, "1", "2", "1", "1", "2", "1", 1.0),
    # D: mother in another kabupaten (code 3), father home  → not abroad
    ("D", 5, "1", "2", "3", "1", "1", None, 3.0),
    # E: mother's place DK (HL15 = 8), father dead          → not abroad, missing
    ("E", 12, "1", "2", "8", "2", None, None, 1.0),
    # F: mother abroad, father away but HL19 blank          → abroad (mother only), missing
    ("F", 4, "1", "2", "1", "1", "2", None, 1.0),
    # G: DK whether the mother is alive (HL12 = 8)          → not abroad, missing
    ("G", 10, "8", None, None, "1", "1", None, 2.0),
    # H: aged 18 with a mother abroad                       → outside the universe
    ("H", 18, "1", "2", "1", "1", "1", None, 5.0),
)
# Universe A-G, Σw = 2+1+1+3+1+1+2 = 11. Missing (any sub-indicator): E(1) F(1) G(2) = 4/11.
ABROAD_MISSING = {"A": 0, "B": 0, "C": 0, "D": 0, "E": 1, "F": 1, "G": 1}
ABROAD_CASES = [
    # A(2) B(1) C(1) F(1) → 5/11
    ("lb_parent_abroad", {"A": 1, "B": 1, "C": 1, "D": 0, "E": 0, "F": 1, "G": 0}, 500 / 11),
    # A(2) F(1) → 3/11 (F: HL19 blank counts as "father not abroad")
    ("lb_parent_abroad_mother_only",
     {"A": 1, "B": 0, "C": 0, "D": 0, "E": 0, "F": 1, "G": 0}, 300 / 11),
    # B(1) → 1/11
    ("lb_parent_abroad_father_only",
     {"A": 0, "B": 1, "C": 0, "D": 0, "E": 0, "F": 0, "G": 0}, 100 / 11),
    # C(1) → 1/11
    ("lb_parent_abroad_both", {"A": 0, "B": 0, "C": 1, "D": 0, "E": 0, "F": 0, "G": 0}, 100 / 11),
]


@pytest.mark.parametrize(("indicator", "y", "pct"), ABROAD_CASES,
                         ids=[c[0] for c in ABROAD_CASES])
def test_parent_abroad_and_sub_indicators(db, indicator, y, pct):
    db.children(ABROAD_HEADER, *ABROAD_ROWS)
    res = db.evaluate(indicator)
    assert res.y == y
    assert res.missing == ABROAD_MISSING
    assert res.pct == pytest.approx(pct)
    assert res.missing_pct == pytest.approx(400 / 11)


def test_parent_abroad_sub_indicators_partition_the_total(db):
    db.children(ABROAD_HEADER, *ABROAD_ROWS)
    uv = db.run(*(c[0] for c in ABROAD_CASES))
    y = uv.pivot(index="psu", columns="indicator_id", values="y")
    parts = (y["lb_parent_abroad_mother_only"] + y["lb_parent_abroad_father_only"]
             + y["lb_parent_abroad_both"])
    assert (parts == y["lb_parent_abroad"]).all()


def test_neither_parent(db):
    db.children(
        "unit age HL12 HL13 HL16 HL17 hhweight",
        ("A", 3, "2", None, "2", None, 1.0),    # both parents dead              → 1
        ("B", 6, "2", None, "1", "2", 2.0),     # mother dead, father elsewhere  → 1
        ("C", 7, "1", "2", "1", "1", 1.0),      # father at home                 → 0
        ("D", 8, "8", None, "2", None, 1.0),    # mother alive DK: 8 ≠ 2          → 0, missing
        ("E", 9, "1", None, "1", "2", 1.0),     # HL13 blank where asked          → 0, missing
        ("F", 15, "1", "2", "1", "2", 1.0),     # both live elsewhere            → 1
        ("G", 16, "1", "8", "2", None, 1.0),    # HL13 coded 8 (≥ 8)              → 0, missing
        ("H", 18, "2", None, "2", None, 4.0),   # adult                          → out
    )
    res = db.evaluate("lb_neither_parent")
    # Σw = 1+2+1+1+1+1+1 = 8; y: A(1) B(2) F(1) = 4/8; missing D E G = 3/8.
    assert res.units == {"A": (1, 0), "B": (1, 0), "C": (0, 0), "D": (0, 1), "E": (0, 1),
                         "F": (1, 0), "G": (0, 1)}
    assert res.pct == pytest.approx(50.0)
    assert res.missing_pct == pytest.approx(37.5)


def test_orphan_any(db):
    db.children(
        "unit age HL12 HL16 hhweight",
        ("A", 0, "2", "1", 1.0),    # mother dead                   → 1
        ("B", 11, "1", "2", 2.0),   # father dead                   → 1
        ("C", 14, "1", "1", 3.0),   # both alive                    → 0
        ("D", 4, "8", "1", 1.0),    # mother DK                     → 0, missing
        ("E", 5, "1", None, 1.0),   # father blank                  → 0, missing
        ("F", 17, "8", "2", 1.0),   # father dead, mother DK        → 1, missing
        ("G", 18, "2", "2", 9.0),   # adult                         → out
    )
    res = db.evaluate("lb_orphan_any")
    # Σw = 9; y: A(1) B(2) F(1) = 4/9; missing D E F = 3/9.
    assert res.units == {"A": (1, 0), "B": (1, 0), "C": (0, 0), "D": (0, 1), "E": (0, 1),
                         "F": (1, 1)}
    assert res.pct == pytest.approx(400 / 9)
    assert res.missing_pct == pytest.approx(300 / 9)


def test_contact_weekly(db):
    db.children(
        "unit hh_id line age HL15 HL19 hhweight",
        ("A", "H1", 2, 3, "1", None, 1.0),    # mother's record lists line 2, weekly   → 1
        ("B", "H1", 3, 6, "1", None, 1.0),    # same record lists line 3               → 1
        ("C", "H1", 4, 8, "1", None, 1.0),    # no record lists line 4                 → 0, missing
        ("D", "H2", 1, 2, "1", "1", 2.0),     # both abroad: mother daily, father DK   → 1
        ("E", "H2", 2, 9, "3", "1", 1.0),     # father DK; mother's daily record lists
                                              # line 2 but HL15 ≠ 1 (role must match)  → 0, missing
        ("F", "H3", 1, 12, None, "1", 1.0),   # father: not in the past month (5)     → 0
        ("G", "H3", 2, 15, None, "1", 1.0),   # father's record: frequency blank      → 0, missing
        ("H", "H3", 3, 10, None, "2", 1.0),   # no parent abroad                       → out
        ("I", "H3", 4, 18, "1", None, 1.0),   # adult                                  → out
    )
    db.migrants(
        "hh_id mig_role child_lines mig_contact_freq",
        ("H1", "1", [2, 3], "2"),
        ("H2", "1", [1, 2], "1"),
        ("H2", "2", [1, 2], "8"),
        ("H3", "2", [1], "5"),
        ("H3", "2", [2], None),
    )
    res = db.evaluate("lb_contact_weekly")
    # Σw = 1+1+1+2+1+1+1 = 8; y: A(1) B(1) D(2) = 4/8; missing C E G = 3/8.
    assert res.units == {"A": (1, 0), "B": (1, 0), "C": (0, 1), "D": (1, 0), "E": (0, 1),
                         "F": (0, 0), "G": (0, 1)}
    assert res.pct == pytest.approx(50.0)
    assert res.missing_pct == pytest.approx(37.5)


def test_remittance_3m(db):
    db.households(
        "unit hh_mig_status responded hhweight",
        ("H1", "mother_abroad", True, 2.0),   # one record, remit yes          → 1
        ("H2", "father_abroad", True, 1.0),   # remit no                       → 0
        ("H3", "both_abroad", True, 1.0),     # DK + yes                       → 1
        ("H4", "both_abroad", True, 1.0),     # DK only                        → 0, missing
        ("H5", "father_abroad", True, 1.0),   # no migrant record              → 0, missing
        ("H6", "none", True, 1.0),            # no parent abroad               → out
        ("H7", "unknown", True, 1.0),         # unknown                        → out
        ("H8", "mother_abroad", False, 0.0),  # did not respond                → out
    )
    db.migrants(
        "hh_id mig_role mig_remit_3m",
        ("H1", "1", "1"), ("H2", "2", "2"), ("H3", "1", "8"), ("H3", "2", "1"),
        ("H4", "1", "8"), ("H6", "2", "1"), ("H8", "1", "1"),
    )
    res = db.evaluate("lb_remittance_3m")
    # Σw = 2+1+1+1+1 = 6; y: H1(2) H3(1) = 3/6; missing H4 H5 = 2/6.
    assert res.units == {"H1": (1, 0), "H2": (0, 0), "H3": (1, 0), "H4": (0, 1), "H5": (0, 1)}
    assert res.pct == pytest.approx(50.0)
    assert res.missing_pct == pytest.approx(100 / 3)
    assert res.column("hh_mig") == {"H1": "mother_abroad", "H2": "father_abroad",
                                    "H3": "both_abroad", "H4": "both_abroad",
                                    "H5": "father_abroad"}


def test_child_disaggregations_of_parent_abroad(db):
    db.children(
        "unit age sex cg_type mig_status HL12 HL13 HL15 HL16 HL17",
        ("A", 0, "1", "grandparent", "mother_abroad", "1", "2", "1", "1", "1"),
        ("B", 4, "2", "mother", "none", "1", "1", None, "1", "1"),
        ("C", 5, "2", "unknown", "unknown", "8", None, None, "1", "1"),
        ("D", 15, None, "father", "none", "1", "1", None, "1", "1"),
        ("E", 17, "1", "other_relative", "none", "1", "1", None, "1", "1"),
    )
    res = db.evaluate("lb_parent_abroad")
    assert res.column("age") == {"A": "0-4", "B": "0-4", "C": "5-9", "D": "15-17", "E": "15-17"}
    assert res.column("sex") == {"A": "male", "B": "female", "C": "female", "D": None,
                                 "E": "male"}
    assert res.column("cg")["A"] == "grandparent"
    # mig is not a disaggregation of lb_parent_abroad (it would restate the numerator).
    assert set(res.column("mig").values()) == {None}
