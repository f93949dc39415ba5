"""The composite caregiving-needs index `idx_caregiving_need` (INDICATORS.md §6).

* `load_needs_config()` — the versioned configuration (``needs_index.yaml``);
* `compute_needs_index()` — score, design-based SE and CI per village, availability rules;
* `needs_components()` — the component values with their MICS flags (village profile);
* `rank_villages()` — simulated rank intervals and top-k probabilities;
* `sensitivity()` — missing-data bounds and the ranking under alternative weight sets;
* `needs_tables()` — all of the above from the warehouse.
"""

from parenting_assessment.needs.config import NeedsConfig, load_needs_config, parse_needs_config
from parenting_assessment.needs.index import (
    COMPONENT_COLUMNS,
    INDEX_COLUMNS,
    compute_needs_index,
    needs_components,
)
from parenting_assessment.needs.ranking import (
    RANK_COLUMNS,
    SENSITIVITY_COLUMNS,
    missing_bounds,
    needs_tables,
    rank_villages,
    sensitivity,
)

__all__ = [
    "COMPONENT_COLUMNS",
    "INDEX_COLUMNS",
    "RANK_COLUMNS",
    "SENSITIVITY_COLUMNS",
    "NeedsConfig",
    "compute_needs_index",
    "load_needs_config",
    "missing_bounds",
    "needs_components",
    "needs_tables",
    "parse_needs_config",
    "rank_villages",
    "sensitivity",
]
