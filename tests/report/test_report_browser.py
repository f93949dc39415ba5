"""The report as a person sees it: opened in headless Chromium, and the PDF page by page.

Skipped with a reason when chromium / pdftoppm are missing, except in CI where
``PA_REQUIRE_BROWSER=1`` turns the skip into a failure.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageStat
from report_helpers import ReportRun, require_tool

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
]


def open_in_chromium(html: Path, shot: Path, profile: Path) -> list[str]:
    """Screenshot `html`; return the browser console lines (errors, uncaught exceptions)."""
    chromium = require_tool("chromium")
    cmd = [
        chromium,
        *CHROMIUM_FLAGS,
        f"--user-data-dir={profile}",
        f"--screenshot={shot}",
        "--window-size=1280,2000",
        html.resolve().as_uri(),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    return [ln for ln in out.stderr.splitlines() if ":CONSOLE" in ln or "Uncaught" in ln]


def not_blank(png: Path) -> bool:
    """More than a page number: some pixel variance and at least 0.1% of non-white pixels."""
    img = Image.open(png).convert("L")
    stat = ImageStat.Stat(img)
    dark = sum(img.histogram()[:200])
    return stat.stddev[0] > 2 and dark / (img.width * img.height) > 0.001


@pytest.mark.browser
def test_console_check_catches_a_script_error(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text("<html><body><h1>x</h1><script>throw new Error('x')</script></body></html>")
    lines = open_in_chromium(page, tmp_path / "broken.png", tmp_path / "profile")
    assert any("Uncaught Error: x" in ln for ln in lines), lines


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["id", "en"])
def test_html_opens_without_console_errors(
    report_run: ReportRun, lang: str, tmp_path: Path
) -> None:
    shot = tmp_path / f"{lang}.png"
    lines = open_in_chromium(report_run.paths[(lang, "html")], shot, tmp_path / "profile")
    assert lines == []
    assert shot.exists() and not_blank(shot)


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["id", "en"])
def test_pdf_pages_are_all_printed(report_run: ReportRun, lang: str, tmp_path: Path) -> None:
    pdftoppm = require_tool("pdftoppm")
    subprocess.run(
        [pdftoppm, "-r", "40", "-png", str(report_run.paths[(lang, "pdf")]), str(tmp_path / "p")],
        check=True,
        timeout=300,
    )
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) >= len(report_run.frame()) + 20  # a profile per village + chapters
    blank = [p.name for p in pages if not not_blank(p)]
    assert blank == []


@pytest.mark.browser
def test_pdf_text_carries_the_escaped_name_and_page_numbers(report_run: ReportRun) -> None:
    pdftotext = require_tool("pdftotext")
    text = subprocess.run(
        [pdftotext, "-layout", str(report_run.paths[("en", "pdf")]), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert 'Desa <Baru> & "Jaya"' in text
    assert "Contents" in text and "Village profiles" in text
