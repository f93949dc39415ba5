"""Same warehouse, same run information → the same charts and the same HTML, byte for byte."""

from __future__ import annotations

import re
import subprocess

from report_helpers import ReportRun, render, require_tool


def test_a_second_render_is_identical(report_run: ReportRun, tmp_path) -> None:
    again = render(report_run, tmp_path, langs=("id",), formats=("html",))
    first = report_run.out
    assert again[("id", "html")].read_bytes() == first.joinpath("report_id.html").read_bytes()
    pngs = sorted((first / "figures" / "id").glob("*.png"))
    assert len(pngs) > 20
    for png in pngs:
        assert (tmp_path / "figures" / "id" / png.name).read_bytes() == png.read_bytes(), png
    for png in pngs[:3]:  # no timestamp or software tag in the PNG text chunks
        assert b"tIME" not in png.read_bytes() and b"Software" not in png.read_bytes()


def test_pdf_dates_come_from_the_data_not_the_clock(report_run: ReportRun) -> None:
    pdfinfo = require_tool("pdfinfo")
    with report_run.connect() as con:
        newest = con.execute("select max(landed_at) from meta.landed_files").fetchall()[0][0]
    info = subprocess.run(
        [pdfinfo, "-isodates", str(report_run.paths[("id", "pdf")])],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    created = re.search(r"CreationDate:\s+(\S+)", info).group(1)
    assert created.startswith(newest.strftime("%Y-%m-%dT%H:%M:%S")), (created, newest)
