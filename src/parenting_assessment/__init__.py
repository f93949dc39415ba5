"""parenting-assessment: household survey exports to a village mapping of caregiving needs.

The library never imports Dagster; the code location in ``pipelines/`` wraps it. Public
functions are imported lazily so that ``import parenting_assessment`` stays cheap for the CLI
and for Dagster's code-location loading.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
# The analysts' API (api.py). `api.estimates` is not lifted: `parenting_assessment.estimates`
# is the estimation-stage subpackage; use `from parenting_assessment import api`.
_API = ("catalogue", "design", "needs_index", "open_warehouse", "plot_disaggregation",
        "plot_villages", "unit_values")
__all__ = ["estimate", *_API]


def __getattr__(name: str) -> Any:
    if name == "estimate":
        from parenting_assessment.estimation import estimate

        return estimate
    if name in _API:
        from parenting_assessment import api

        return getattr(api, name)
    raise AttributeError(name)
