"""The report as data: numbered chapters made of blocks, for one language.

Blocks are paragraphs, lists, tables, figures and profiles. The HTML and the PDF render the
same blocks with one template; the Excel workbook takes the same Table objects. Chapter
content lives in ``sections`` and ``sections_results``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from parenting_assessment.report.data import ReportData
from parenting_assessment.report.strings import Strings
from parenting_assessment.report.tables import Table

PDF_VILLAGE_TABLE_MAX = 60  # village × indicator matrices in the PDF up to this many villages
PDF_VILLAGE_DETAIL_MAX = 15  # per-indicator village tables (CI, n) in the PDF up to this many


@dataclass
class Chapter:
    """A numbered chapter; tables and figures are numbered within it as they are added."""

    key: str
    number: str
    title: str
    t: Strings
    blocks: list[dict[str, Any]] = field(default_factory=list)
    entries: list[dict[str, str]] = field(default_factory=list)
    n_tables: int = 0
    n_figures: int = 0

    @property
    def wide(self) -> bool:
        """Annex chapters of long, many-column tables are printed on landscape pages."""
        return self.number.isalpha()

    @property
    def anchor(self) -> str:
        return f"ch-{self.key}"

    def p(self, text: str, cls: str = "") -> None:
        if text:
            self.blocks.append({"type": "p", "text": text, "cls": cls})

    def ul(self, items: list[str]) -> None:
        if items:
            self.blocks.append({"type": "ul", "items": items})

    def h3(self, text: str, anchor: str, toc: bool = True) -> None:
        self.blocks.append({"type": "h3", "text": text, "anchor": anchor})
        if toc:
            self.entries.append({"anchor": anchor, "title": text})

    def notice(self, text: str) -> None:
        self.blocks.append({"type": "p", "text": text, "cls": "notice"})

    def table(self, table: Table | None, *, missing: str = "", pdf_note: bool = True) -> None:
        if table is None:
            self.notice(missing or self.t("not_available"))
            return
        self.n_tables += 1
        table.number = f"{self.number}.{self.n_tables}"
        table.sheet = f"{table.number} {table.sheet or table.key}"[:31]
        note = self.t("pdf_table_in_html") if not table.pdf and pdf_note else ""
        self.blocks.append({"type": "table", "table": table, "pdf_note": note})

    def figure(self, charts: dict[str, str], name: str, caption: str, alt: str) -> None:
        if name not in charts:
            return
        self.n_figures += 1
        self.blocks.append({"type": "figure", "alt": alt, "caption": caption,
                            "number": f"{self.number}.{self.n_figures}", "name": name})


@dataclass
class Document:
    lang: str
    t: Strings
    data: ReportData
    charts: dict[str, str]
    run: dict[str, str]
    chapters: list[Chapter] = field(default_factory=list)

    def chapter(self, key: str, title: str, *, annex: bool = False) -> Chapter:
        if annex:
            n = sum(1 for c in self.chapters if c.number.isalpha())
            number = "ABCDEFGH"[n]
        else:
            number = str(sum(1 for c in self.chapters if c.number.isdigit()) + 1)
        ch = Chapter(key, number, title, self.t)
        self.chapters.append(ch)
        return ch

    @property
    def tables(self) -> list[Table]:
        return [b["table"] for c in self.chapters for b in c.blocks if b["type"] == "table"]

    @property
    def many_villages(self) -> bool:
        return len(self.data.frame) > PDF_VILLAGE_TABLE_MAX

    @property
    def detail_in_pdf(self) -> bool:
        """Whether the per-indicator village tables go in the PDF (small runs only).

        With more villages they are in the HTML, the workbook and the profiles, and the PDF
        has the village × indicator matrices.
        """
        return len(self.data.frame) <= PDF_VILLAGE_DETAIL_MAX


def build_document(data: ReportData, lang: str, charts: dict[str, str],
                   run: dict[str, str]) -> Document:
    """All chapters of the report in one language.

    `charts` maps the name of each drawn chart to its image source; the source actually used
    is chosen at rendering (a data URI in the HTML, the PNG file for the PDF).
    """
    from parenting_assessment.report import sections, sections_results

    t = Strings(lang)
    doc = Document(lang, t, data, charts, run)
    sections.summary(doc)
    sections.about(doc)
    sections.quality(doc)
    sections_results.domains(doc)
    sections_results.needs(doc)
    sections_results.models(doc)
    sections_results.village_profiles(doc)
    sections_results.annexes(doc)
    return doc
