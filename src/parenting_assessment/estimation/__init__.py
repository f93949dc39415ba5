"""Design-based estimation (Taylor linearisation, as R `survey`) and MICS display flags.

* `estimate()` — one call per indicator on unit-level data (DataFrame or DuckDB relation);
* `design_table()` + `taylor_by()` — the vectorised engine for long tables whose rows cover only
  part of the sample but share the household design;
* `mics_flag()`, `display_value()` — the MICS rule for publishing a cell.
"""

from parenting_assessment.estimation.api import estimate
from parenting_assessment.estimation.design import design_table
from parenting_assessment.estimation.flags import FOOTNOTES, display_value, mics_flag
from parenting_assessment.estimation.taylor import RESULT_COLUMNS, STATS, taylor_by

__all__ = [
    "FOOTNOTES",
    "RESULT_COLUMNS",
    "STATS",
    "design_table",
    "display_value",
    "estimate",
    "mics_flag",
    "taylor_by",
]
