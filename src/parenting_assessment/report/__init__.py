"""The bilingual mapping report: HTML, PDF, Excel tables, charts (``render_report``)."""

from parenting_assessment.report.render import FORMATS, RunInfo, render_report

__all__ = ["FORMATS", "RunInfo", "render_report"]
