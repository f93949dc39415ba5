"""The catalogue against the indicator table of INDICATORS.md §3, copied here as literals.

For every indicator: unit table and weight, MICS6 code, need direction, disaggregation keys and
age-band labels. The age bands are also evaluated in SQL at their boundaries.
"""

import duckdb
import pytest

# id → (core table, weight column, mics6_code, direction, disaggregations, age-band labels)
CHILD_AGE = ["0-4", "5-9", "10-14", "15-17"]
U5_MONTHS = ["0-11", "12-23", "24-35", "36-47", "48-59"]
U5_TWO = ["0-23", "24-59"]
M24_59 = ["24-35", "36-47", "48-59"]
DISC_AGE = ["1-2", "3-4", "5-9", "10-14"]
SAC = {"sex", "age", "cg"}
SAMC = {"sex", "age", "mig", "cg"}
CARE = {"cg", "cg_sex", "cg_age", "hh_mig"}
CH, CM, CG, HH = "core.children", "core.child_modules", "core.caregivers", "core.households"

SPEC = {
    # §3.1
    "lb_parent_abroad": (CH, "hhweight", "SR.20", "+", SAC, CHILD_AGE),
    "lb_parent_abroad_mother_only": (CH, "hhweight", "", "+", SAC, CHILD_AGE),
    "lb_parent_abroad_father_only": (CH, "hhweight", "", "+", SAC, CHILD_AGE),
    "lb_parent_abroad_both": (CH, "hhweight", "", "+", SAC, CHILD_AGE),
    "lb_neither_parent": (CH, "hhweight", "SR.18", "+", SAMC, CHILD_AGE),
    "lb_orphan_any": (CH, "hhweight", "SR.19", "+", SAMC, CHILD_AGE),
    "lb_contact_weekly": (CH, "hhweight", "", "-", SAMC, CHILD_AGE),
    "lb_remittance_3m": (HH, "hhweight", "", "-", {"hh_mig"}, None),
    # §3.2
    "care_grandparent_primary": (CH, "hhweight", "", "+", {"sex", "age", "mig"}, CHILD_AGE),
    "care_primary_age60plus": (CH, "hhweight", "", "+", SAMC, CHILD_AGE),
    "care_supervision_inadequate": (CM, "weight", "TC.52", "+", SAMC, U5_MONTHS),
    "care_burden_high": (CG, "weight", "", "+", CARE, None),
    "care_interest_parenting_group": (CG, "weight", "", "0", CARE, None),
    # §3.3
    "ecd_support_learning_any": (CM, "weight", "TC.49a", "-", SAMC, M24_59),
    "ecd_support_learning_father": (CM, "weight", "TC.49b", "-", SAMC, M24_59),
    "ecd_support_learning_mother": (CM, "weight", "TC.49c", "-", SAMC, M24_59),
    "ecd_books_3plus": (CM, "weight", "TC.50", "-", SAMC, U5_TWO),
    "ecd_playthings_2plus": (CM, "weight", "TC.51", "-", SAMC, U5_TWO),
    "ecd_ecdi2030_on_track": (CM, "weight", "TC.53", "-", SAMC, M24_59),
    # §3.4
    "edu_ece_attendance": (CM, "weight", "LN.1", "-", SAMC, ["36-47", "48-59"]),
    "edu_school_attendance": (CH, "hhweight", "", "-", SAMC, ["7-12", "13-15", "16-17"]),
    # §3.5
    "prot_birth_registered": (CM, "weight", "PR.1", "-", SAMC, U5_MONTHS),
    "prot_discipline_violent": (CM, "weight", "PR.2", "+", SAMC, DISC_AGE),
    "prot_discipline_severe": (CM, "weight", "", "+", SAMC, DISC_AGE),
    "prot_child_labour": (CM, "weight", "PR.3", "+", SAMC, ["5-11", "12-14", "15-17"]),
}
# §3.5 supporting columns (table PR.2.1) and the "maybe" share of §3.2, published beside the
# indicators: no index role.
SUPPORTING = {
    "prot_discipline_nonviolent_only": DISC_AGE,
    "prot_discipline_psych": DISC_AGE,
    "prot_discipline_physical_any": DISC_AGE,
    "care_interest_parenting_group_maybe": None,
}


def test_every_indicator_of_section_3_is_in_the_catalogue(cat):
    ids = [i.id for i in cat.indicators]
    assert set(SPEC) <= set(ids), sorted(set(SPEC) - set(ids))
    assert set(SUPPORTING) <= set(ids), sorted(set(SUPPORTING) - set(ids))
    assert len(ids) == len(set(ids))


def test_indicators_not_in_the_section_3_tables_are_supporting(cat):
    extra = [i for i in cat.indicators if i.id not in SPEC]
    assert all(i.supporting for i in extra), [i.id for i in extra if not i.supporting]
    assert not any(cat.get(i).supporting for i in SPEC)


@pytest.mark.parametrize("indicator_id", list(SPEC))
def test_definition_fields_match_section_3(cat, indicator_id):
    table, weight, code, direction, disaggs, bands = SPEC[indicator_id]
    ind = cat.get(indicator_id)
    assert cat.units[ind.unit]["table"] == table
    assert cat.weights[ind.unit] == weight
    assert ind.mics6_code == code
    assert ind.direction == direction
    assert set(ind.disaggregations) == disaggs
    labels = None if ind.age is None else [f"{lo}-{hi}" for lo, hi in ind.age.bands]
    assert labels == bands
    assert ind.label["id"] and ind.label["en"]


def test_ecdi_records_its_instrument(cat):
    assert cat.get("ecd_ecdi2030_on_track").instrument == "ECDI2030"


def test_supporting_age_bands(cat):
    for indicator_id, bands in SUPPORTING.items():
        ind = cat.get(indicator_id)
        assert (None if ind.age is None else [f"{lo}-{hi}" for lo, hi in ind.age.bands]) == bands


# Boundary values of each age-band variable → the label the SQL gives (None: no band).
BOUNDARIES = {
    "lb_parent_abroad": ("age", {0: "0-4", 4: "0-4", 5: "5-9", 9: "5-9", 10: "10-14",
                                 14: "10-14", 15: "15-17", 17: "15-17", 18: None}),
    "care_supervision_inadequate": ("cage_months", {0: "0-11", 11: "0-11", 12: "12-23",
                                                    23: "12-23", 24: "24-35", 35: "24-35",
                                                    36: "36-47", 47: "36-47", 48: "48-59",
                                                    59: "48-59", 60: None}),
    "ecd_books_3plus": ("cage_months", {0: "0-23", 23: "0-23", 24: "24-59", 59: "24-59"}),
    # UB2 (completed years) 2, 3, 4 → the month bands of TC.10.1.
    "ecd_support_learning_any": ("age_years", {1: None, 2: "24-35", 3: "36-47", 4: "48-59",
                                               5: None}),
    "ecd_ecdi2030_on_track": ("cage_months", {24: "24-35", 35: "24-35", 36: "36-47",
                                              47: "36-47", 48: "48-59", 59: "48-59"}),
    "edu_ece_attendance": ("cage_months", {35: None, 36: "36-47", 47: "36-47", 48: "48-59",
                                           59: "48-59"}),
    "edu_school_attendance": ("age", {6: None, 7: "7-12", 12: "7-12", 13: "13-15", 15: "13-15",
                                      16: "16-17", 17: "16-17"}),
    "prot_discipline_violent": ("age_years", {0: None, 1: "1-2", 2: "1-2", 3: "3-4", 4: "3-4",
                                              5: "5-9", 9: "5-9", 10: "10-14", 14: "10-14",
                                              15: None}),
    "prot_child_labour": ("age_years", {5: "5-11", 11: "5-11", 12: "12-14", 14: "12-14",
                                        15: "15-17", 17: "15-17"}),
}


@pytest.mark.parametrize("indicator_id", list(BOUNDARIES))
def test_age_band_sql_at_boundaries(cat, indicator_id):
    column, expected = BOUNDARIES[indicator_id]
    sql = cat.get(indicator_id).age.sql()
    con = duckdb.connect()
    values = ", ".join(f"({v})" for v in expected)
    got = con.execute(f"select v, {sql} from (select v, v as {column} from (values {values}) "
                      f"as t(v))").fetchall()
    assert dict(got) == expected
