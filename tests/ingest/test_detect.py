"""Format detection from content, and one clear line for every input that is not an export."""

from pathlib import Path

import pytest

from parenting_assessment.ingest.detect import detect, detect_format
from parenting_assessment.ingest.errors import IngestError
from parenting_assessment.ingest.run import READERS
from parenting_assessment.instrument import load_instrument

FIX = Path(__file__).resolve().parents[1] / "fixtures"
REF = FIX / "kobo_reference"
SC = FIX / "scenarios"


@pytest.fixture(scope="module")
def ins():
    return load_instrument(REF / "form.xlsx")


@pytest.mark.parametrize(("path", "fmt", "name"), [
    (REF / "kobo_xml_values.xlsx", "kobo_xlsx", "KoboToolbox XLSX"),
    (REF / "kobo_labels_id.xlsx", "kobo_xlsx_labels", "KoboToolbox XLSX (label headers)"),
    (REF / "kobo_xml_values.csv", "kobo_csv", "KoboToolbox CSV"),
    (REF / "kobo_labels_en.csv", "kobo_csv", "KoboToolbox CSV (label headers)"),
    (SC / "reference_formats/kobo_legacy.csv", "kobo_legacy_csv", "KoboToolbox legacy CSV"),
    (SC / "reference_formats/submissions.csv.zip", "odk_zip", "ODK Central CSV zip"),
    (SC / "reference_formats/submissions.csv", "odk_csv", "ODK Central CSV (root table only)"),
    (SC / "reference_formats/kobo_main.sav", "spss_sav", "SPSS .sav"),
    (SC / "reference_formats/kobo_main.dta", "stata_dta", "Stata .dta"),
    (SC / "encodings/utf8_bom.csv", "kobo_csv", "KoboToolbox CSV"),
    (SC / "encodings/cp1252.csv", "kobo_csv", "KoboToolbox CSV"),
    (SC / "kobo_csv_variants/hxl_row.csv", "kobo_csv", "KoboToolbox CSV"),
])
def test_detects_every_format_from_content(path, fmt, name, tmp_path):
    renamed = tmp_path / "download.bin"  # the name must not matter
    renamed.write_bytes(path.read_bytes())
    found = detect(renamed)
    assert (found.format, found.name) == (fmt, name)
    assert detect_format(renamed) == fmt
    assert fmt in READERS


def test_encodings_are_reported(tmp_path):
    assert detect(SC / "encodings/utf8_bom.csv").encoding == "utf-8-sig"
    assert detect(SC / "encodings/cp1252.csv").encoding == "cp1252"
    assert detect(SC / "encodings/utf8.csv").encoding == "utf-8"


BAD = [
    ("not_survey/empty.csv", "the file is empty"),
    ("not_survey/blank.csv", "the file is empty (only blank lines)"),
    ("not_survey/document.pdf", "not a survey export: it is a PDF document"),
    ("not_survey/random.csv", "not a survey export: the header has none of the key columns "
     "_uuid, _index, meta/rootUuid, meta/instanceID, KEY (first columns: age, city, name)"),
    ("not_survey/xlsform.xlsx", "an XLSForm (the form definition), not a data export"),
    ("not_survey/odk_repeat_only.csv", "an ODK Central repeat table on its own (it has "
     "'PARENT_KEY'); land the whole submissions.csv.zip"),
    ("wrong_delimiter/comma_resaved.csv", "wrong delimiter: columns are separated by ',', but a "
     "KoboToolbox CSV uses ';'; the file was re-saved, e.g. in Excel - land the original "
     "download"),
    ("wrong_delimiter/legacy_semicolon.csv", "wrong delimiter: columns are separated by ';', "
     "but a KoboToolbox legacy CSV uses ','; the file was re-saved, e.g. in Excel - land the "
     "original download"),
    ("wrong_delimiter/one_column.csv", "wrong delimiter: the header is a single column holding "
     "';'-separated names (found delimiter: nothing (one column), expected ';' for a "
     "KoboToolbox CSV); the file was re-saved, e.g. in Excel - land the original download"),
    ("truncated/truncated.xlsx", "a damaged or truncated XLSX workbook (File is not a zip file)"),
    ("truncated/truncated.zip", "a damaged or truncated zip archive (File is not a zip file)"),
    ("zip_slip/parent_dir.zip", "refused: the archive entry '../../evil.csv' points outside the "
     "archive (zip slip)"),
    ("zip_slip/absolute.zip", "refused: the archive entry '/tmp/evil.csv' points outside the "
     "archive (zip slip)"),
    ("zip_bomb/ratio.zip", "refused: the archive entry 'bomb.csv' would expand"),
    ("zip_bomb/total.zip", "refused: the archive would expand to 3.0 GiB, more than 2 GiB "
     "(zip bomb)"),
]


@pytest.mark.parametrize(("name", "message"), BAD)
def test_bad_inputs_fail_with_one_line_naming_the_file(name, message):
    path = SC / name
    with pytest.raises(IngestError) as err:
        detect(path)
    text = str(err.value)
    assert "\n" not in text
    assert text.startswith(f"{path}: ")
    assert text[len(f"{path}: "):].startswith(message)


def test_zip_bomb_message_names_ratio_and_size():
    with pytest.raises(IngestError, match=r"expand \d+ times to 600 MiB \(zip bomb\)$"):
        detect(SC / "zip_bomb/ratio.zip")


def test_old_binary_xls_and_unknown_binary(tmp_path):
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    with pytest.raises(IngestError, match="old binary .xls workbook"):
        detect(xls)
    blob = tmp_path / "blob.csv"
    blob.write_bytes(b"abc\x00def")
    with pytest.raises(IngestError, match="binary content of an unknown kind"):
        detect(blob)


def test_zip_without_exports_and_xlsx_without_keys(tmp_path):
    import zipfile

    path = tmp_path / "photos.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.jpg", b"x")
    with pytest.raises(IngestError, match="holds neither an XLSX workbook nor CSV exports"):
        detect(path)
    import xlsxwriter

    book = tmp_path / "budget.xlsx"
    wb = xlsxwriter.Workbook(str(book))
    wb.add_worksheet("Budget").write_row(0, 0, ["item", "cost"])
    wb.close()
    with pytest.raises(IngestError, match="not a survey export: sheet 'Budget' has none of"):
        detect(book)


@pytest.mark.parametrize(("name", "message"), [
    ("missing_keys/kobo_no_uuid.csv", "required key column missing: none of _uuid, "
     "meta/instanceID, meta/rootUuid is in the header"),
    ("missing_keys/kobo_blank_uuid.csv", "line 4: the submission has no uuid (columns _uuid, "
     "meta/rootUuid)"),
    ("missing_keys/odk_no_parent_key.zip", "'aHk3sP9mQx2Wn7VtRz5LdE-roster.csv': required key "
     "column(s) PARENT_KEY missing"),
    ("form_mismatch/nested_kobo.csv", "does not look like an export of the form "
     "'aHk3sP9mQx2Wn7VtRz5LdE': only 0 of 7 of its main-table questions are present"),
])
def test_readers_refuse_missing_keys_and_other_forms(name, message, ins):
    path = SC / name
    reader = READERS[detect_format(path)]
    with pytest.raises(IngestError) as err:
        reader(path, ins, batch="b1", sha256="0" * 64)
    assert str(err.value) == f"{path}: {message}"


def test_reader_refuses_ragged_rows(tmp_path, ins):
    lines = (REF / "kobo_xml_values.csv").read_bytes().split(b"\r\n")
    lines[1] = lines[1] + b';"extra"'
    path = tmp_path / "ragged.csv"
    path.write_bytes(b"\r\n".join(lines))
    with pytest.raises(IngestError) as err:
        READERS["kobo_csv"](path, ins, batch="b1", sha256="0" * 64)
    assert str(err.value) == f"{path}: line 2: 29 fields, but the header has 28 (delimiter ';')"


def test_readers_check_the_delimiter_themselves(ins):
    """Readers may be called without detect(); they refuse a re-saved file the same way."""
    path = SC / "wrong_delimiter" / "comma_resaved.csv"
    with pytest.raises(IngestError) as err:
        READERS["kobo_csv"](path, ins, batch="b1", sha256="0" * 64)
    assert str(err.value) == f"{path}: " + dict(BAD)["wrong_delimiter/comma_resaved.csv"]
    path = SC / "wrong_delimiter" / "legacy_semicolon.csv"
    with pytest.raises(IngestError, match="separated by ';', but a KoboToolbox legacy CSV"):
        READERS["kobo_legacy_csv"](path, ins, batch="b1", sha256="0" * 64)
