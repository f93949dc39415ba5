"""Helpers of the report tests: the rendered run, HTML table parsing (stdlib only), system tools."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from generated_survey import WAREHOUSE_STAGES
from parenting_assessment.frame import load_frame
from parenting_assessment.report import RunInfo, render_report


@dataclass
class Cell:
    cls: str
    text: str = ""


@dataclass
class TableRow:
    attrs: dict[str, str]
    cells: list[Cell] = field(default_factory=list)


@dataclass
class ParsedTable:
    attrs: dict[str, str]
    rows: list[TableRow] = field(default_factory=list)


class Tables(HTMLParser):
    """Every <table> of a document, with its attributes, rows (attributes) and cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[ParsedTable] = []
        self._cell: Cell | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "table":
            self.tables.append(ParsedTable(a))
        elif tag == "tr" and self.tables:
            self.tables[-1].rows.append(TableRow(a))
        elif tag in ("td", "th") and self.tables and self.tables[-1].rows:
            self._cell = Cell(a.get("class", ""))
            self.tables[-1].rows[-1].cells.append(self._cell)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.text += data


def parse_tables(html: str) -> Tables:
    p = Tables()
    p.feed(html)
    return p


def require_tool(name: str) -> str:
    """Path of a system tool; skip when absent, but fail in CI (PA_REQUIRE_BROWSER=1)."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (apt-get install chromium poppler-utils)"
        if os.environ.get("PA_REQUIRE_BROWSER") == "1":
            pytest.fail(message + "; PA_REQUIRE_BROWSER=1 requires the browser/PDF tests")
        pytest.skip(message)
    return path


ROOT = Path(__file__).resolve().parents[2]
INSTRUMENT = ROOT / "data" / "instrument" / "pemetaan_pengasuhan.xlsx"
TRICKY_NAME = 'Desa <Baru> & "Jaya"'
RUN_INFO = RunInfo(run_id="test-run", code_version="test", time="2026-11-27 00:00 UTC")
STAGES = WAREHOUSE_STAGES


@dataclass(frozen=True)
class ReportRun:
    warehouse: Path
    frame_path: Path
    out: Path
    paths: dict[tuple[str, str], Path]

    def frame(self) -> pd.DataFrame:
        return load_frame(self.frame_path)

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.warehouse), read_only=True)


def render(run: ReportRun, out: Path, **kwargs: object) -> dict[tuple[str, str], Path]:
    with run.connect() as con:
        return render_report(
            con,
            out_dir=out,
            run_info=RUN_INFO,
            frame=run.frame(),
            instrument_path=INSTRUMENT,
            **kwargs,
        )  # type: ignore[arg-type]
