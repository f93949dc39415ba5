"""Export options must not change the table: labels, group names, select_multiple layout, HXL,
encodings."""

from pathlib import Path

import pandas as pd
import pytest

from parenting_assessment.ingest.detect import detect_format
from parenting_assessment.ingest.errors import IngestError
from parenting_assessment.ingest.labels import complete_select_multiple
from parenting_assessment.ingest.run import READERS
from parenting_assessment.instrument import load_instrument

FIX = Path(__file__).resolve().parents[1] / "fixtures"
REF = FIX / "kobo_reference"
VAR = FIX / "scenarios" / "kobo_csv_variants"
AMB = FIX / "scenarios" / "labels_ambiguous"
ENC = FIX / "scenarios" / "encodings"
LOCATION = ["_source_file", "_source_sheet", "_source_row", "_parent_row"]


def read(path: Path, ins):
    return READERS[detect_format(path)](path, ins, batch="b1", sha256="f" * 64)


def normal(df: pd.DataFrame) -> pd.DataFrame:
    out = df.astype(object)
    return out.where(out.notna() & (out != ""), None).reset_index(drop=True)


def in_list_order(df: pd.DataFrame, ins, column: str, list_name: str) -> pd.DataFrame:
    order = ins.choice_names(list_name)
    out = df.copy()
    out[column] = pd.Series([None if v is None else " ".join(sorted(v.split(), key=order.index))
                             for v in out[column]], index=out.index, dtype=object)
    return out


@pytest.fixture(scope="module")
def ins():
    return load_instrument(REF / "form.xlsx")


@pytest.fixture(scope="module")
def xml_main(ins):
    return read(REF / "kobo_xml_values.csv", ins).sections["household"].drop(columns=LOCATION)


@pytest.mark.parametrize("name", ["groups.csv", "hxl_row.csv", "summary_only.csv",
                                  "labels_id_groups.csv", "labels_en_summary_only.csv"])
def test_csv_variants_read_identically(name, ins, xml_main):
    main = read(VAR / name, ins).sections["household"].drop(columns=LOCATION)
    pd.testing.assert_frame_equal(main, xml_main)


@pytest.mark.parametrize("name", ["split_only.csv", "labels_id_split_only.csv"])
def test_split_only_rebuilds_the_summary_in_choice_list_order(name, ins, xml_main):
    main = read(VAR / name, ins).sections["household"].drop(columns=LOCATION)
    assert main["assets"].tolist() == ["1 4", "1 2 3 4", None, "2 4", "4"]
    pd.testing.assert_frame_equal(main, in_list_order(xml_main, ins, "assets", "assets"))


def test_real_label_exports_match_xml_exports(ins):
    """formpack's own label files: Indonesian XLSX (with repeats) and English CSV."""
    xml = read(REF / "kobo_xml_values.xlsx", ins)
    labels = read(REF / "kobo_labels_id.xlsx", ins)
    assert labels.format == "kobo_xlsx_labels"
    assert any("Indonesian (id)" in n for n in labels.notes)
    for section in xml.sections:
        pd.testing.assert_frame_equal(normal(labels.sections[section]).drop(columns=LOCATION),
                                      normal(xml.sections[section]).drop(columns=LOCATION))
    english = read(REF / "kobo_labels_en.csv", ins).sections["household"]
    assert english["village"].tolist() == xml.sections["household"]["village"].tolist()
    assert english["_validation_status"].tolist()[:2] == ["validation_status_approved"] * 2


def test_ambiguous_label_summary_is_settled_by_split_columns():
    ins = load_instrument(AMB / "form.xlsx")
    main = read(AMB / "ambiguous_both.csv", ins).sections["household"]
    assert main["media"].tolist() == ["radio tv", "radiotv", "tv"]
    assert main["media/radiotv"].tolist() == ["0", "1", "0"]


def test_ambiguous_label_summary_without_split_columns_fails_on_its_row():
    ins = load_instrument(AMB / "form.xlsx")
    path = AMB / "ambiguous_summary_only.csv"
    with pytest.raises(IngestError) as err:
        read(path, ins)
    assert str(err.value) == (
        f"{path}: line 2, column 'media': 'Radio TV' can be read as more than one set of "
        "choices; export with multiple_select=both (split columns) or with XML values")


def test_accented_names_survive_every_encoding(ins):
    tables = [read(ENC / n, ins).sections["household"].drop(columns=LOCATION)
              for n in ("utf8.csv", "utf8_bom.csv", "cp1252.csv")]
    assert tables[0]["resp_name"].tolist()[0] == "Dédé Rusmana"
    assert tables[0]["resp_name"].tolist()[4] == "Nyoman Suàrdana"
    assert tables[0]["enum_notes"].tolist()[2] == "Responden di café; wawancara lanjut."
    for other in tables[1:]:
        pd.testing.assert_frame_equal(other, tables[0])
    assert tables[0].columns[0] == "start"  # the BOM is not part of the first header


def test_flags_from_summary_are_blank_when_the_summary_is_blank(ins):
    out = pd.DataFrame({"assets": ["1 4", None, "3"]}, dtype=object)
    for c in ins.choice_names("assets"):
        out[f"assets/{c}"] = ["0", "0", "0"]  # ODK writes 0 even when unanswered
    complete_select_multiple(out, ins, "household", {"assets", "assets/1"},
                             flags_from_summary=True)
    assert out.loc[0, ["assets/1", "assets/4"]].tolist() == ["1", "1"]
    assert out.loc[1, ["assets/1", "assets/2", "assets/3", "assets/4"]].isna().all()
    assert out.loc[2, "assets/3"] == "1"


def test_label_xlsx_errors_name_the_users_file(tmp_path, ins):
    """The label reader reads a mapped temporary copy; its errors must still name the input."""
    import xlsxwriter

    path = tmp_path / "labels.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    main = wb.add_worksheet("Survei")
    main.write_row(0, 0, ["Desa", "Nama responden", "Jumlah anggota rumah tangga",
                          "Catatan pencacah", "_uuid", "_index"])
    main.write_row(1, 0, ["Desa Sukamaju", "Ani", "2", "", "u1", "1"])
    wb.add_worksheet("roster").write_row(0, 0, ["Nama anggota", "_index"])
    wb.close()
    with pytest.raises(IngestError) as err:
        read(path, ins)
    assert str(err.value) == (f"{path}: sheet 'roster' lacks the key column(s) "
                              "_parent_index, _parent_table_name")
