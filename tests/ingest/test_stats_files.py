"""SPSS and Stata: mangled variable names and coded values mapped back through the form."""

from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from parenting_assessment.ingest.errors import IngestError
from parenting_assessment.ingest.stats_files import (
    kobo_headers,
    read_spss_sav,
    read_stata_dta,
    sanitised,
)
from parenting_assessment.instrument import load_instrument

FIX = Path(__file__).resolve().parents[1] / "fixtures"
REF = FIX / "kobo_reference"
SC = FIX / "scenarios"


@pytest.fixture(scope="module")
def ref():
    return load_instrument(REF / "form.xlsx")


def test_sanitised_names_cover_spss_and_stata_rules():
    assert "assets_1" in sanitised("assets/1", 32)
    assert "uuid" in sanitised("_uuid", 64)  # SPSS names cannot start with '_'
    assert "meta_rootUuid" in sanitised("meta/rootUuid", 32)
    long = "hh/reads_books_with_child_every_day_q"
    assert "hh_reads_books_with_child_every_" in sanitised(long, 32)


def test_headers_cover_group_paths_and_meta(ref):
    headers = kobo_headers(ref)
    assert {"hh/hh_size", "hh_size", "hh/assets/1", "_gps_latitude", "_uuid"} <= set(headers)


def test_spss_value_labels_in_indonesian_become_choice_names(ref):
    export = read_spss_sav(SC / "reference_formats" / "kobo_main.sav", ref, batch="b",
                           sha256="0")
    hh = export.sections["household"]
    assert hh["village"].tolist() == ["sukamaju", "mekarsari", "tanjungsari", "sukamaju",
                                      "mekarsari"]
    assert hh["hh_size"].tolist() == ["4", "3", "2", "5", "1"]  # not '4.0'
    assert hh["_submission_id"].tolist()[0] == "301844201"
    assert export.unknown_columns == {}


def test_stata_truncated_names_without_labels_are_found(tmp_path):
    nested = load_instrument(SC / "nested" / "form.xlsx")
    _, meta = pyreadstat.read_dta(str(SC / "nested" / "main.dta"), metadataonly=True)
    assert "rt_reads_books_with_child_every_" in meta.column_names  # cut at 32
    hh = read_stata_dta(SC / "nested" / "main.dta", nested, batch="b",
                        sha256="0").sections["household"]
    assert hh["reads_books_with_child_every_day_q"].tolist() == ["1", "2", "1"]
    assert hh["desa"].tolist() == ["d01", "d02", "d01"]
    assert hh["lokasi_lat"].tolist() == ["-6.2", None, "-6.25"]


def test_english_value_labels_and_numbers(tmp_path, ref):
    df = pd.DataFrame({"_uuid": ["u1", "u2"], "village": [2.0, 9.0], "hh_size": [4.0, 2.5],
                       "resp_name": ["A", ""], "assets": ["1 2", ""]})
    path = tmp_path / "x.dta"
    pyreadstat.write_dta(df, str(path), variable_value_labels={
        "village": {2: "Mekarsari village", 9: "Somewhere else"}})
    hh = read_stata_dta(path, ref, batch="b", sha256="0").sections["household"]
    assert hh["village"].tolist() == ["mekarsari", "Somewhere else"]  # unknown label kept
    assert hh["hh_size"].tolist() == ["4", "2.5"]
    assert hh["resp_name"].tolist() == ["A", None]
    assert hh["assets/2"].tolist() == ["1", None]


def test_truncated_sav_is_refused(tmp_path, ref):
    data = (SC / "reference_formats" / "kobo_main.sav").read_bytes()
    path = tmp_path / "cut.sav"
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(IngestError, match=r"cut.sav: not a readable SPSS file, possibly truncated"):
        read_spss_sav(path, ref, batch="b", sha256="0")
