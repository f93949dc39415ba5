"""Survey-weighted logistic models of caregiving outcomes (see `logistic` and docs/models.md).

Adjusted associations with parental migration status, not causal effects.
"""

from parenting_assessment.models.logistic import (
    DEFAULT_OUTCOMES,
    TIDY_COLUMNS,
    design_matrix,
    fit_logistic,
    fit_models,
    model_frame,
)

__all__ = [
    "DEFAULT_OUTCOMES",
    "TIDY_COLUMNS",
    "design_matrix",
    "fit_logistic",
    "fit_models",
    "model_frame",
]
