"""Properties: any text survives the Kobo CSV reader; any label selection maps back to names."""

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parenting_assessment.ingest.kobo_csv import read_kobo_csv
from parenting_assessment.ingest.labels import to_xml_names
from parenting_assessment.instrument import load_instrument

REF = Path(__file__).resolve().parents[1] / "fixtures" / "kobo_reference"
INS = load_instrument(REF / "form.xlsx")
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(
    ['"', ";", ",", "\n", "\r", "é", "ñ", "#"]), min_size=1, max_size=40).filter(
    lambda t: t.strip() != "")


def _field(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(notes=TEXT, name=TEXT)
def test_any_text_survives_the_kobo_csv_reader(notes, name, tmp_path):
    header, *rows = (REF / "kobo_xml_values.csv").read_bytes().decode().split("\r\n")[:2]
    cols = header.split(";")
    first = rows[0].split(";")
    first[cols.index('"enum_notes"')] = _field(notes)
    first[cols.index('"resp_name"')] = _field(name)
    path = tmp_path / "x.csv"
    path.write_bytes((header + "\r\n" + ";".join(first) + "\r\n").encode("utf-8"))
    hh = read_kobo_csv(path, INS, batch="b", sha256="0").sections["household"]
    assert hh.loc[0, "enum_notes"] == notes
    assert hh.loc[0, "resp_name"] == name


@pytest.mark.parametrize("lang", ["English (en)", "Indonesian (id)"])
@given(picks=st.lists(st.sampled_from(["1", "2", "3", "4"]), unique=True, max_size=4))
@settings(max_examples=30, deadline=None)
def test_any_label_selection_maps_back_to_names(lang, picks):
    labels = {c.name: c.labels[lang] for c in INS.choices["assets"]}
    headers = [_label(n, lang) for n in ("village", "resp_name", "enum_notes", "assets")]
    df = pd.DataFrame([["x", "y", "z", " ".join(labels[p] for p in picks)]], columns=headers,
                      dtype=object)
    out, found = to_xml_names(df, INS, "household", Path("x.csv"))
    assert found == lang
    assert out["assets"].tolist() == [" ".join(picks)]


def _label(name: str, lang: str) -> str:
    return INS.field(name).labels[lang]
