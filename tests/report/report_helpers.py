"""Helpers of the report tests: HTML table parsing (stdlib only) and system tools."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest


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
