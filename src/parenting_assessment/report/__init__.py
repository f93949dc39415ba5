"""The bilingual mapping report: HTML, PDF, Excel tables, charts (``render_report``).

The renderer pulls in matplotlib, WeasyPrint and jinja2; it is imported on first use so that
the CLI (which only needs the language and format lists) starts instantly.
"""

from typing import Any

from parenting_assessment.report.formats import FORMATS, LANGS

__all__ = ["FORMATS", "LANGS", "RunInfo", "render_report"]


def __getattr__(name: str) -> Any:
    if name in ("RunInfo", "render_report"):
        from parenting_assessment.report import render

        return getattr(render, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
