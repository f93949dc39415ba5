"""Derived columns of the core model (core/sql/*.sql) on a tiny hand-made validated layer.

One village, seven households (labels u1-u7 = listing numbers 1-7), built once by
``build_core``. Weights (SAMPLING.md §2, INDICATORS.md §2.2):

* pmi stratum: 12 listed, 4 responding (u1 u2 u6 u7) → hhweight 12/4 = 3;
* non_pmi stratum: 30 listed, 2 responding (u3 u5) + u4 refused → hhweight 30/2 = 15, u4 0.

Roster codes are those of INDICATORS.md §4.1; the expected values of the derived columns are
written next to the rows they come from.
"""

import math

import pandas as pd
import pytest

from parenting_assessment.core.build import pseudonymise
from parenting_assessment.indicators.engine import build_unit_values

VILLAGE = "32.12.16.2001"
FRAME = pd.DataFrame({
    "kode_kemendagri": [VILLAGE], "kode_kabupaten": ["32.12"],
    "n_listed_pmi": [12], "n_listed_non_pmi": [30], "target_pmi": [4], "target_non_pmi": [2]})
LABELS = ("u1", "u2", "u3", "u4", "u5", "u6", "u7")

ROSTER = "hh HL1 HL4 HL6 HL12 HL13 HL15 HL16 HL17 HL19 pcg_ln pcg_rel pcg_age"
N6 = (None,) * 6          # parental items of an adult (not asked)
ALIVE_HOME = ("1", "1", None, "1", "1", None)
ROSTER_ROWS = (
    # u1: grandparents + father; mother abroad for lines 3-4, father of line 4 abroad
    ("u1", "1", "2", 62, *N6, None, None, None),
    ("u1", "2", "1", 67, *N6, None, None, None),
    ("u1", "3", "1", 3, "1", "2", "1", "1", "1", None, 1, "3", None),     # mother_abroad
    ("u1", "4", "2", 9, "1", "2", "1", "1", "2", "1", 1, "3", None),      # both_abroad
    ("u1", "5", "1", 38, *N6, None, None, None),
    ("u1", "6", "2", 12, "2", None, None, "1", "1", None, 5, "2", None),  # none (mother dead)
    ("u1", "7", "1", 16, "1", "1", None, "8", None, None, 5, "2", None),  # unknown (HL16 = 8)
    # u2: one child with mother abroad, another with father abroad → household both_abroad
    ("u2", "1", "2", 45, *N6, None, None, None),
    ("u2", "2", "1", 4, "1", "2", "1", "1", "2", "2", 1, "5", None),      # mother_abroad
    ("u2", "3", "2", 7, "1", "2", "3", "1", "2", "1", 0, "8", 98),        # father_abroad
    ("u2", "4", "1", 5, *ALIVE_HOME, 0, None, 61),                        # none
    # u3: mother with seven children under 5, nobody abroad → none
    ("u3", "1", "2", 29, *N6, None, None, None),
    *(("u3", str(line), "1", 3, *ALIVE_HOME, 1, "1", None) for line in range(2, 9)),
    # u4: refused the interview → no core rows
    ("u4", "1", "2", 8, "1", "2", "1", "1", "1", None, None, None, None),
    # u5: no parent abroad, one child unknown → household unknown
    ("u5", "1", "2", 50, *N6, None, None, None),
    ("u5", "2", "1", 10, "1", "2", None, "1", "1", None, 1, "98", None),  # unknown (HL15 blank)
    ("u5", "3", "2", 11, *ALIVE_HOME, 4, "4", None),                      # none
    ("u5", "4", "1", 58, *N6, None, None, None),
    # u6: father abroad (mother's place DK); the 18-year-old does not count
    ("u6", "1", "2", 30, *N6, None, None, None),
    ("u6", "2", "1", 6, "1", "2", "8", "1", "2", "1", 1, "6", None),      # father_abroad
    ("u6", "3", "1", 18, "1", "2", "1", "1", "1", None, None, None, None),
    # u7: mother abroad + an unknown child → household mother_abroad
    ("u7", "1", "1", 70, *N6, None, None, None),
    ("u7", "2", "2", 14, "1", "2", "1", "1", "1", None, 1, "7", None),    # mother_abroad
    ("u7", "3", "2", 15, None, None, None, "1", "1", None, 1, "7", None),  # unknown (HL12 blank)
)

YES18 = {f"ecdi_{i}": "1" for i in (
    "walk_uneven", "jump", "dress", "buttons", "words10", "sent3", "sent5", "pronouns",
    "name_object", "letters5", "write_name", "numbers1_5", "give3", "count10", "persist",
    "ask_absent", "offer_help", "get_along")}
# u3 lines 2-8: the 18 yes/no items achieved; ecdi_sad (1 daily … 5 never, 8 DK) achieved for
# 2-5, ecdi_hit (1 not at all … 5 a lot more, 8 DK) achieved for 1-3.
SAD_HIT = {2: ("1", "1", 19, False), 3: ("2", "2", 20, False), 4: ("5", "3", 20, False),
           5: ("8", "4", 18, True), 6: ("3", "5", 19, False), 7: ("4", "8", 19, True),
           8: (None, None, 18, True)}

CHILD = ("hh ch_ln ch_type UF17 FS17 cage UB2 CB3 CL1A CL1B CL3 CL7 CL8 CL9 CL10 CL11A CL11C "
         "CL11X CL13")
CHILD_ROWS = (
    # u1 line 6, aged 12: works 20 h; chores: water DK (98 → 0) + cleaning 25 h
    #   → econ_active, chores_any, chore_hours 25, chore_hours_dk; fsweight 3 × K(3) = 9
    ("u1", 6, "2", None, "1", None, None, 12, "2", "1", 20, "1", 98, "2", None, None, "1",
     None, 25),
    # u2 line 4, aged 5: module partly done (FS17 4) → not complete; fsweight 3 × 2 = 6
    ("u2", 4, "2", None, "4", None, None, 5, *(None,) * 11),
    # u6 line 2, aged 6: hours DK (97), chores hours 99 → econ_active, chores_any, 0 h, DK;
    #   fsweight 3 × 1 (the 18-year-old is not 5-17) = 3
    ("u6", 2, "2", None, "1", None, None, 6, "1", None, 97, "2", None, None, None, "1", None,
     None, 99),
    # u7 line 3, aged 15: chores 10 + 6 + 5 = 21 h, no work; fsweight 3 × 2 = 6
    ("u7", 3, "2", None, "1", None, None, 15, "2", "2", None, "1", 10, "1", 6, None, None,
     "1", 5),
)


def hh_id(label: str) -> str:
    """The pseudonymised household id of u1 … u7 (village | listing number)."""
    return pseudonymise(pd.Series([f"{VILLAGE}|{label[1:]}"]), b"test-key").iloc[0]


LABEL = {hh_id(u): u for u in LABELS}


@pytest.fixture(scope="module")
def core(new_survey):
    s = new_survey()
    s.table("household", "hh hh_listing_no hh_stratum visit_result consent",
            *((u, int(u[1:]), "non_pmi" if u in ("u3", "u4", "u5") else "pmi",
               "4" if u == "u4" else "1", None if u == "u4" else "1") for u in LABELS))
    s.table("roster", ROSTER, *ROSTER_ROWS)
    u5 = [
        # u1 line 3: cage 40; jump DK, letters5 blank, sad daily, hit "more" → 16, missing
        {"hh": "u1", "ch_ln": 3, "ch_type": "1", "UF17": "1", "cage": "40", "UB2": 3,
         **YES18, "ecdi_jump": "8", "ecdi_letters5": None, "ecdi_sad": "1", "ecdi_hit": "4"},
        # u2 line 2: cage 59; all achieved → 20
        {"hh": "u2", "ch_ln": 2, "ch_type": "1", "UF17": "1", "cage": "59", "UB2": 4,
         **YES18, "ecdi_sad": "2", "ecdi_hit": "3"},
        *({"hh": "u3", "ch_ln": line, "ch_type": "1", "UF17": "1", "cage": "30", "UB2": 2,
           **YES18, "ecdi_sad": sad, "ecdi_hit": hit}
          for line, (sad, hit, _, _) in SAD_HIT.items()),
    ]
    s5_17 = [dict(zip(CHILD.split(), r, strict=True)) for r in CHILD_ROWS]
    s.table_dicts("child", u5 + s5_17)
    s.table(
        "caregiver", "hh cg_ln cg_result cg_age cg_sex cg_rel cb_stress cb_tired cb_money_daily "
        "cb_money_school cb_health cb_social",
        ("u1", 1, "1", 62, "2", "3", "3", "3", "3", "3", "3", "3"),       # n 6, sum 18
        ("u1", 5, "1", 38, "1", "2", "2", "2", "8", None, "1", "0"),      # n 4, sum 5
        ("u1", 2, "1", 67, "1", "4", "1", "1", "1", "1", "1", "1"),       # nobody's pcg
        ("u2", 1, "1", 45, "2", "5", "1", "1", "1", "1", "1", "8"),       # n 5, sum 5
        ("u5", 1, "1", 50, "2", "98", None, None, None, None, None, None),  # n 0, sum 0
        ("u5", 4, "1", 58, "1", "4", "0", "0", "0", "0", "0", "0"),       # n 6, sum 0
        ("u7", 1, "3", 70, "1", None, None, None, None, None, None, None),  # refused
    )
    s.table(
        "migrant", "hh mig_role mig_children__list mig_contact_freq mig_remit_3m",
        ("u1", "1", ["3", "4"], "2", "1"),
        ("u1", "2", ["4"], "8", "8"),
        ("u2", "1", ["2"], "5", "2"),
        ("u2", "2", ["3"], "1", "1"),
        ("u4", "1", ["1"], "1", "1"),
    )
    counts = s.build(FRAME)
    yield s.con, counts
    s.con.close()


def rows(con, sql: str) -> list[tuple]:
    """Query rows with the household id replaced by its label, sorted."""
    out = [(LABEL.get(r[0], r[0]), *r[1:]) for r in con.execute(sql).fetchall()]
    return sorted(out, key=lambda r: tuple((x is None, str(x)) for x in r))


def test_core_counts(core):
    _, counts = core
    # persons: responding households only (7+4+8+4+3+3); children: those aged 0-17 among them;
    # migrants: u4's record is dropped with its household.
    assert counts == {"households": 7, "persons": 29, "children": 19, "child_modules": 13,
                      "caregivers": 7, "migrants": 4}


def test_household_weights_and_migration_status(core):
    con, _ = core
    got = rows(con, "select hh_id, responded, hhweight, hh_mig_status from core.households")
    assert got == [
        ("u1", True, 3.0, "both_abroad"),      # a child with both parents abroad
        ("u2", True, 3.0, "both_abroad"),      # mother abroad for one child, father for another
        ("u3", True, 15.0, "none"),
        ("u4", False, 0.0, None),              # refused: no children
        ("u5", True, 15.0, "unknown"),         # nobody abroad, one child unknown
        ("u6", True, 3.0, "father_abroad"),    # the 18-year-old's mother abroad is ignored
        ("u7", True, 3.0, "mother_abroad"),    # abroad beats unknown
    ]


def test_children_mig_status_cg_type_and_caregiver_age(core):
    con, _ = core
    got = rows(con, f"""select hh_id, line, mig_status, cg_type, pcg_age_years, hh_mig_status
                        from core.children where hh_id <> '{hh_id("u3")}'""")
    assert got == [
        ("u1", 3, "mother_abroad", "grandparent", 62, "both_abroad"),   # pcg line 1 (HL6 62)
        ("u1", 4, "both_abroad", "grandparent", 62, "both_abroad"),
        ("u1", 6, "none", "father", 38, "both_abroad"),                 # pcg line 5
        ("u1", 7, "unknown", "father", 38, "both_abroad"),
        ("u2", 2, "mother_abroad", "other_relative", 45, "both_abroad"),
        ("u2", 3, "father_abroad", "non_relative", None, "both_abroad"),  # pcg_ln 0, age 98
        ("u2", 4, "none", "unknown", 61, "both_abroad"),                # pcg_ln 0, pcg_age 61
        ("u5", 2, "unknown", "unknown", 50, "unknown"),                 # pcg_rel 98
        ("u5", 3, "none", "grandparent", 58, "unknown"),                # pcg_rel 4
        ("u6", 2, "father_abroad", "other_relative", 30, "father_abroad"),  # HL15 DK
        ("u7", 2, "mother_abroad", "other_relative", 70, "mother_abroad"),
        ("u7", 3, "unknown", "other_relative", 70, "mother_abroad"),
    ]
    u3 = rows(con, f"select mig_status, cg_type, pcg_age_years from core.children "
                   f"where hh_id = '{hh_id('u3')}'")
    assert u3 == [("none", "mother", 29)] * 7
    # Adults (u6 line 3, aged 18) and children of non-responding households are not children.
    assert con.execute("select count(*) from core.children where age > 17").fetchone()[0] == 0


def test_caregiver_weight_pi(core):
    con, _ = core
    got = rows(con, """select hh_id, line, complete, cg_type, pi, hhweight, weight
                       from core.caregivers""")
    assert got == [
        ("u1", 1, True, "grandparent", 1.0, 3.0, 3.0),    # pcg of a child under 5 → π = 1
        ("u1", 2, True, "grandparent", None, 3.0, None),  # nobody's pcg → π NULL (no weight)
        ("u1", 5, True, "father", pytest.approx(2 / 3), 3.0, pytest.approx(4.5)),  # k/K = 2/3
        ("u2", 1, True, "other_relative", 1.0, 3.0, 3.0),
        ("u5", 1, True, "unknown", 0.5, 15.0, 30.0),       # k/K = 1/2 (cg_rel 98)
        ("u5", 4, True, "grandparent", 0.5, 15.0, 30.0),   # k/K = 1/2
        ("u7", 1, False, "unknown", 1.0, 3.0, 3.0),        # refused → not complete
    ]


def test_burden_count_and_sum(core):
    con, _ = core
    got = rows(con, "select hh_id, line, burden_n_answered, burden_sum from core.caregivers")
    assert got == [
        ("u1", 1, 6, 18),
        ("u1", 2, 6, 6),
        ("u1", 5, 4, 5),     # 8 (DK) and blank are not answered
        ("u2", 1, 5, 5),
        ("u5", 1, 0, 0),     # all blank: 0 answered, never NULL
        ("u5", 4, 6, 0),
        ("u7", 1, 0, 0),
    ]


def test_child_module_weights_and_completion(core):
    con, _ = core
    got = rows(con, f"""select hh_id, line, ch_type, complete, age_years, weight
                        from core.child_modules where hh_id <> '{hh_id("u3")}'""")
    assert got == [
        ("u1", 3, "1", True, 3, 3.0),     # chweight = hhweight
        ("u1", 6, "2", True, 12, 9.0),    # fsweight = 3 × K (3 children 5-17)
        ("u2", 2, "1", True, 4, 3.0),
        ("u2", 4, "2", False, 5, 6.0),    # FS17 = 4 (partly) → incomplete; 3 × 2
        ("u6", 2, "2", True, 6, 3.0),     # 3 × 1
        ("u7", 3, "2", True, 15, 6.0),    # 3 × 2
    ]


def test_ecdi_score_and_missing(core):
    con, _ = core
    got = rows(con, "select hh_id, line, cage_months, ecdi_score, ecdi_missing "
                    "from core.child_modules where ch_type = '1'")
    expected = [("u1", 3, 40, 16, True), ("u2", 2, 59, 20, False)]
    expected += [("u3", line, 30, score, miss) for line, (_, _, score, miss) in SAD_HIT.items()]
    assert got == sorted(expected, key=lambda r: tuple(str(x) for x in r))


def test_child_labour_inputs(core):
    con, _ = core
    got = rows(con, """select hh_id, line, econ_active, chores_any, chore_hours, chore_hours_dk
                       from core.child_modules where ch_type = '2'""")
    assert got == [
        ("u1", 6, True, True, 25, True),     # 98 + blank + 25 → 25; DK flagged
        ("u2", 4, False, False, 0, False),   # nothing answered
        ("u6", 2, True, True, 0, True),      # 99 → 0; DK flagged
        ("u7", 3, False, True, 21, False),   # 10 + 6 + 5
    ]


def test_migrant_child_lines(core):
    con, _ = core
    assert con.execute("select typeof(child_lines) from core.migrants limit 1").fetchone()[0] \
        == "INTEGER[]"
    got = rows(con, "select hh_id, mig_role, child_lines from core.migrants")
    assert got == [("u1", "1", [3, 4]), ("u1", "2", [4]), ("u2", "1", [2]), ("u2", "2", [3])]


def test_full_catalogue_on_the_built_core(core, cat):
    """Every catalogue fragment runs on real core tables; a few end-to-end values."""
    con, _ = core
    n = build_unit_values(con, cat)
    assert n > 0
    uv = con.execute("select * from indicators.unit_values").df()
    assert set(uv["indicator_id"]) >= {"lb_parent_abroad", "care_burden_high",
                                       "ecd_ecdi2030_on_track", "prot_child_labour"}
    assert not uv["weight"].isna().any()      # the caregiver nobody names is out
    assert not any(math.isnan(w) for w in uv["weight"])

    def values(indicator: str) -> list[tuple]:
        sub = uv[uv["indicator_id"] == indicator]
        return sorted((LABEL[h], w, y, m) for h, w, y, m in zip(
            sub["hh_id"], sub["weight"], sub["y"], sub["missing"], strict=True))

    # Burden, threshold 9, one missing item allowed: u1 line 1 (18) → 1; u1 line 5 (two
    # missing) → missing; u2 line 1 (5 × 6/5 = 6) → 0; u5 line 1 (none answered) → missing;
    # u5 line 4 (0) → 0.
    assert values("care_burden_high") == [("u1", 3.0, 1, 0), ("u1", 4.5, 0, 1),
                                          ("u2", 3.0, 0, 0), ("u5", 30.0, 0, 0),
                                          ("u5", 30.0, 0, 1)]
    # ECDI: u1 (40 months, cut 11, score 16, an item DK) → on track, missing; u2 (59, 20) → 1;
    # u3 (30 months, cut 9, scores 18-20) → all on track, 3 with a DK/blank item.
    ecdi = values("ecd_ecdi2030_on_track")
    assert ecdi[:2] == [("u1", 3.0, 1, 1), ("u2", 3.0, 1, 0)]
    assert sorted(ecdi[2:]) == [("u3", 15.0, 1, 0)] * 4 + [("u3", 15.0, 1, 1)] * 3
    # Child labour: u1 (12, 20 h ≥ 14) → 1, chores DK → missing; u6 (6, hours 97) → 0,
    # missing; u7 (15, chores 21 h do not count at 15) → 0; u2 incomplete → out.
    assert values("prot_child_labour") == [("u1", 9.0, 1, 1), ("u6", 3.0, 0, 1),
                                           ("u7", 6.0, 0, 0)]
    # Weekly contact: u1 lines 3 and 4 via the mother's record (weekly); u2 line 2 (mother:
    # not in the past month) → 0; u2 line 3 (father daily) → 1; u6 line 2: no record → missing;
    # u7 line 2: no record → missing.
    assert values("lb_contact_weekly") == [("u1", 3.0, 1, 0), ("u1", 3.0, 1, 0),
                                           ("u2", 3.0, 0, 0), ("u2", 3.0, 1, 0),
                                           ("u6", 3.0, 0, 1), ("u7", 3.0, 0, 1)]
    # Remittances by household: u1 (yes) u2 (yes) → 1; u6, u7 (no record) → 0, missing.
    assert values("lb_remittance_3m") == [("u1", 3.0, 1, 0), ("u2", 3.0, 1, 0),
                                          ("u6", 3.0, 0, 1), ("u7", 3.0, 0, 1)]
    # Primary caregiver aged 60+: u1 lines 3-4 (62) → 1; u2 line 3 (age DK) → missing;
    # u2 line 4 (61) → 1; u7 (70) → 1, 1.
    age60 = values("care_primary_age60plus")
    assert [v for v in age60 if v[0] != "u3"] == [
        ("u1", 3.0, 0, 0), ("u1", 3.0, 0, 0), ("u1", 3.0, 1, 0), ("u1", 3.0, 1, 0),
        ("u2", 3.0, 0, 0), ("u2", 3.0, 0, 1), ("u2", 3.0, 1, 0),
        ("u5", 15.0, 0, 0), ("u5", 15.0, 0, 0), ("u6", 3.0, 0, 0),
        ("u7", 3.0, 1, 0), ("u7", 3.0, 1, 0)]
