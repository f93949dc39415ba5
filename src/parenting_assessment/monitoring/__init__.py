"""Fieldwork monitoring after each batch: enumerator and village indicators with outliers.

Supervisors act on fieldwork while teams are still in the field: who interviews implausibly
fast, who records many "don't know" answers or skips modules, whose GPS points are far from the
village, which villages fall behind their targets. ``metrics`` computes the tables in DuckDB;
``render`` writes the HTML page with charts.
"""

from parenting_assessment.monitoring.metrics import build_monitoring
from parenting_assessment.monitoring.render import render_monitoring

__all__ = ["build_monitoring", "render_monitoring"]
