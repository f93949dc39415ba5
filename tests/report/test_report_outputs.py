"""What the report files contain, checked against the warehouse they were made from."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from openpyxl import load_workbook
from report_helpers import TRICKY_NAME, ReportRun, parse_tables

from parenting_assessment.indicators.catalogue import load_catalogue

LANGS = ("id", "en")


def test_every_language_and_format_is_written(report_run: ReportRun) -> None:
    for lang in LANGS:
        for fmt in ("html", "pdf", "xlsx"):
            path = report_run.paths[(lang, fmt)]
            assert path.exists() and path.stat().st_size > 10_000, path
    with report_run.connect() as con:
        n = con.execute("select count(*) from estimates.estimates").fetchall()[0][0]
    assert len(pd.read_csv(report_run.paths[("all", "csv")])) == n
    assert len(pd.read_parquet(report_run.paths[("all", "parquet")])) == n


@pytest.mark.parametrize("lang", LANGS)
def test_html_is_self_contained(report_run: ReportRun, lang: str) -> None:
    html = report_run.paths[(lang, "html")].read_text(encoding="utf-8")
    assert f'<html lang="{lang}">' in html
    assert not re.search(r'(src|href)="(https?:)?//', html), "no external resource"
    assert "<link" not in html and "@import" not in html and "<script" not in html
    images = re.findall(r'<img src="([^"]{0,30})', html)
    assert images and all(src.startswith("data:image/png;base64,") for src in images)


@pytest.mark.parametrize("lang", LANGS)
def test_html_tables_match_the_warehouse(report_run: ReportRun, lang: str) -> None:
    """Every estimate cell of every MICS-style table is the warehouse's display value."""
    with report_run.connect() as con:
        est = con.execute("""select indicator_id, level, area_code, disagg_key, disagg_value,
                             display, n_unweighted from estimates.estimates""").df()
    want = {tuple(r[:5]): (r[5], r[6]) for r in est.itertuples(index=False)}
    doc = parse_tables(report_run.paths[(lang, "html")].read_text(encoding="utf-8"))
    checked = set()
    for table in doc.tables:
        ind = table.attrs.get("data-indicator")
        if not ind:
            continue
        for row in table.rows:
            if "data-level" not in row.attrs:
                continue
            key = (
                ind,
                row.attrs["data-level"],
                row.attrs["data-area"],
                row.attrs["data-key"],
                row.attrs["data-value"],
            )
            est_cell = next(c for c in row.cells if c.cls.split()[0] == "est")
            n_cell = next(c for c in row.cells if c.cls.split()[0] == "n")
            assert est_cell.text == want[key][0], key
            assert n_cell.text.replace("\u202f", "") == str(want[key][1]), key
            checked.add(key[:2])
    inds = {i.id for i in load_catalogue().indicators}
    assert {i for i, _ in checked} == inds
    assert {lv for _, lv in checked} == {"village", "district", "overall"}
    matrices = [t for t in doc.tables if t.attrs.get("data-table") == "matrix"]
    assert matrices
    for table in matrices:  # villages × indicators: column k+1 is the k-th indicator
        ids = table.attrs["data-indicators"].split()
        for row in table.rows:
            if "data-level" in row.attrs:
                for ind, cell in zip(ids, row.cells[1:], strict=True):
                    key = (ind, row.attrs["data-level"], row.attrs["data-area"], "total", "total")
                    assert cell.text == want[key][0], key


@pytest.mark.parametrize("lang", LANGS)
def test_every_village_has_a_profile_with_its_values(report_run: ReportRun, lang: str) -> None:
    with report_run.connect() as con:
        est = con.execute("""select indicator_id, area_code, display from estimates.estimates
                             where level = 'village' and disagg_key = 'total'""").df()
    want = {(r.indicator_id, r.area_code): r.display for r in est.itertuples()}
    html = report_run.paths[(lang, "html")].read_text(encoding="utf-8")
    doc = parse_tables(html)
    profiles = [t for t in doc.tables if "profile-table" in t.attrs.get("class", "")]
    frame = report_run.frame()
    assert sorted(t.attrs["data-area"] for t in profiles) == sorted(frame["kode_kemendagri"])
    for table in profiles:
        for row in table.rows:
            if "data-indicator" in row.attrs:
                key = (row.attrs["data-indicator"], table.attrs["data-area"])
                assert row.cells[1].text == want[key], key
    for code in frame["kode_kemendagri"]:
        assert f'id="v-{code}"' in html


@pytest.mark.parametrize("lang", LANGS)
def test_village_names_are_escaped(report_run: ReportRun, lang: str) -> None:
    html = report_run.paths[(lang, "html")].read_text(encoding="utf-8")
    assert "<Baru>" not in html
    assert "Desa &lt;Baru&gt; &amp; &#34;Jaya&#34;" in html
    assert TRICKY_NAME in "".join(parse_tables(html).text)


def test_reading_notes_and_index_presentation(report_run: ReportRun) -> None:
    """§3.6 notes are printed; TC.49b/c carry '% living with father/mother'; the index is
    shown with its interval and rank interval, never a rank alone."""
    html = report_run.paths[("en", "html")].read_text(encoding="utf-8")
    assert "% living with biological father" in html
    assert "% living with biological mother" in html
    assert "this is a lower bound" in html
    assert "95% rank interval" in html
    with report_run.connect() as con:
        ranked = con.execute("""select village_code from estimates.needs_index
                                where status = 'ranked'""").df()
    doc = parse_tables(html)
    ranking = next(t for t in doc.tables if t.rows and t.rows[0].cells[0].text == "Rank")
    rows = [r for r in ranking.rows if "data-area" in r.attrs]
    assert sorted(r.attrs["data-area"] for r in rows) == sorted(ranked["village_code"])
    for r in rows:  # score, CI, rank interval and P(top k) are all filled in
        assert all(c.text for c in r.cells[3:7]), r


@pytest.mark.parametrize("lang", LANGS)
def test_workbook_has_every_table(report_run: ReportRun, lang: str) -> None:
    wb = load_workbook(report_run.paths[(lang, "xlsx")], read_only=True)
    names = wb.sheetnames
    assert len(names) == len(set(n.lower() for n in names))
    assert all(len(n) <= 31 for n in names)
    html = report_run.paths[(lang, "html")].read_text(encoding="utf-8")
    n_tables = html.count('<div class="table-block')
    assert len(names) == n_tables + 2  # contents + village profiles
    footnote = (
        "(*) Figures that are based on fewer than 25 unweighted cases"
        if lang == "en"
        else "(*) Angka berdasarkan kurang dari 25 kasus tidak tertimbang"
    )
    texts = [
        str(c)
        for ws in (wb[n] for n in names[1:])
        for row in ws.iter_rows(values_only=True)
        for c in row
        if c is not None
    ]
    assert footnote in texts
    assert "(*)" in texts


def test_annexes_come_from_catalogue_and_form(report_run: ReportRun) -> None:
    html = report_run.paths[("en", "html")].read_text(encoding="utf-8")
    doc = parse_tables(html)
    items = {r.attrs["data-item"] for t in doc.tables for r in t.rows if "data-item" in r.attrs}
    assert {"HL15", "HL19", "EC3A", "CD2I", "BR1", "cp_interest"} <= items
    assert not {"resp_name", "resp_phone", "gps"} & items
    defs = {
        r.attrs["data-indicator"]
        for t in doc.tables
        for r in t.rows
        if "data-indicator" in r.attrs and "data-level" not in r.attrs
    }
    assert {i.id for i in load_catalogue().indicators} <= defs
    with report_run.connect() as con:
        sha = con.execute("select sha256 from meta.landed_files").df()["sha256"]
    assert all(s in html for s in sha)
