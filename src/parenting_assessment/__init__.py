"""parenting-assessment: household survey exports to a village mapping of caregiving needs.

The library never imports Dagster; the code location in ``pipelines/`` wraps it. Public
functions are imported lazily so that ``import parenting_assessment`` stays cheap for the CLI
and for Dagster's code-location loading.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["estimate"]


def __getattr__(name: str) -> Any:
    if name == "estimate":
        from parenting_assessment.estimation import estimate

        return estimate
    raise AttributeError(name)
