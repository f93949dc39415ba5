"""The questionnaire: deployable (pyxform), complete for the catalogue, bilingual, rebuildable."""

from pathlib import Path

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from parenting_assessment.instrument import load_instrument
from parenting_assessment.instrument.build import build_xlsform

ROOT = Path(__file__).resolve().parents[2]
FORM = ROOT / "data" / "instrument" / "pemetaan_pengasuhan.xlsx"
LANGS = ("Indonesian (id)", "English (en)")

# Item names of INDICATORS.md §4 that the catalogue reads.
CATALOGUE_ITEMS = [
    "HL4", "HL6", "HL12", "HL13", "HL14", "HL15", "HL16", "HL17", "HL18", "HL19", "pcg_ln",
    "pcg_rel", "pcg_age", "pcg_sex", "sch_attend", "sch_level", "mig_role", "mig_children",
    "mig_country", "mig_years_away", "mig_contact_freq", "mig_remit_3m", "UB2", "CB3", "UF17",
    "FS17", "EC1", "EC2A", "EC2B", "EC2C", "EC3A", "EC3B", "EC5A", "EC5B", "EC5C", "EC5D",
    "EC5E", "EC5F", "UB8", "paud_type", "BR1", "BR2", "BR3", "CD2A", "CD2B", "CD2C", "CD2D",
    "CD2E", "CD2F", "CD2G", "CD2H", "CD2I", "CD2J", "CD2K", "CL1A", "CL3", "CL7", "CL8", "CL9",
    "CL10", "CL11A", "CL13", "cp_interest", "cp_time", "cp_topics", "cp_barriers",
    "ecdi_walk_uneven", "ecdi_sad", "ecdi_hit", "cg_age", "cg_sex", "cg_rel", "cg_edu",
]


@pytest.fixture(scope="module")
def ins():
    return load_instrument(FORM)


def test_form_converts_with_pyxform_without_warnings():
    result = convert(xlsform=str(FORM), validate=False)
    assert "<h:title>Pemetaan Pengasuhan" in result.xform
    assert result.warnings == []


def test_committed_workbook_matches_its_csv_source(tmp_path):
    rebuilt = build_xlsform(ROOT / "data" / "instrument" / "source",
                            ROOT / "data" / "frame" / "frame.csv", tmp_path / "f.xlsx")
    a, b = load_workbook(FORM), load_workbook(rebuilt)
    assert a.sheetnames == b.sheetnames
    for name in a.sheetnames:
        assert list(a[name].values) == list(b[name].values), f"sheet {name} is out of date"


def test_every_catalogue_item_is_in_the_form(ins):
    names = {f.name for f in ins.fields}
    assert [i for i in CATALOGUE_ITEMS if i not in names] == []
    assert set(ins.sections) == {"household", "roster", "migrant", "child", "caregiver"}


def test_every_question_and_choice_is_bilingual(ins):
    unlabelled = [f.name for f in ins.fields
                  if f.type not in ("calculate", "start", "end", "today", "deviceid")
                  and not all(f.labels.get(lang) for lang in LANGS)]
    assert unlabelled == []
    for list_name, choices in ins.choices.items():
        for c in choices:
            assert all(c.labels.get(lang) for lang in LANGS), (list_name, c.name)


def test_villages_come_from_the_frame(ins):
    import csv

    with open(ROOT / "data" / "frame" / "frame.csv", encoding="utf-8") as f:
        codes = [r["kode_kemendagri"] for r in csv.DictReader(f)]
    assert ins.choice_names("desa") == codes


def test_relevance_chains_include_enclosing_groups(ins):
    ec5a = ins.field("EC5A")
    assert ec5a.section == "child"
    assert ec5a.relevant == ("${ch_type} = '1' and ${UF17} = '1'", "${UB2} >= 2")
    assert ins.field("HL15").relevant == ("${HL13} = '2'",)
    assert ins.sections["roster"].repeat_relevant == ("${consent} = '1'",)
