"""PDF through WeasyPrint: A4, page numbers and table of contents come from the print CSS.

The document's created/modified dates are the ``dcterms`` meta tags of the HTML, which the
template fills from the data (newest landing time), never from the clock, so the same warehouse
gives the same PDF bytes. WeasyPrint is imported here only, because importing it costs time.
"""

from __future__ import annotations

import logging
from pathlib import Path


def write_pdf(html: str, path: Path) -> Path:
    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    # base_url: chart PNGs are referenced relative to the output folder (figures/<lang>/).
    weasyprint.HTML(string=html, base_url=str(path.parent) + "/").write_pdf(path)
    return path
