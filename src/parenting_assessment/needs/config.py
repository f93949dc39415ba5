"""The needs-index configuration (``needs_index.yaml``) as a validated, immutable object.

Why validate at load time: the index is configuration, not code (INDICATORS.md §6), so every
rule that keeps it honest — components exist in the catalogue and have a need direction, the
parent-abroad indicator is never weighted together with its sub-indicators, weights are
non-negative — is checked once here, before any number is computed from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from parenting_assessment.indicators.catalogue import Catalogue, load_catalogue

UNAVAILABLE_RULES = ("exclude", "renormalise")
RESCALE_RULES = ("none",)
# §6: "use either this or its three sub-indicators, never both" — per weight set.
EXCLUSIVE = (
    frozenset({"lb_parent_abroad"}),
    frozenset({"lb_parent_abroad_mother_only", "lb_parent_abroad_father_only",
               "lb_parent_abroad_both"}),
)
# §6: TC.49b/c are never components — they restate parental absence (INDICATORS.md §3.6).
NOT_COMPONENTS = frozenset({"ecd_support_learning_father", "ecd_support_learning_mother"})


@dataclass(frozen=True)
class NeedsConfig:
    """Everything the index, the ranking and the sensitivity analysis read.

    `components` maps indicator id → weight (zero weights allowed: listed, not used);
    `directions` maps every indicator of any weight set to '+' or '-' (from the catalogue).
    """

    version: str
    components: dict[str, float]
    directions: dict[str, str]
    index_id: str = "idx_caregiving_need"
    min_n_component: int = 25
    unavailable: str = "exclude"
    rescale: str = "none"
    top_k: int = 10
    draws: int = 10000
    seed: int = 0
    level: float = 0.95
    readiness_indicator: str | None = None
    alternative_weight_sets: dict[str, dict[str, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.unavailable not in UNAVAILABLE_RULES:
            raise ValueError(f"unavailable must be one of {UNAVAILABLE_RULES}, "
                             f"got {self.unavailable!r}")
        if self.rescale not in RESCALE_RULES:
            raise ValueError(f"rescale must be one of {RESCALE_RULES} (no rescaling is "
                             f"implemented), got {self.rescale!r}")
        if self.min_n_component < 1:
            raise ValueError("min_n_component must be at least 1")
        if self.top_k < 1 or self.draws < 100:
            raise ValueError("top_k must be ≥ 1 and draws ≥ 100")
        if not 0.0 < self.level < 1.0:
            raise ValueError("level must be strictly between 0 and 1")
        check_weights("components", self.components, self.directions)
        for name, ws in self.alternative_weight_sets.items():
            check_weights(f"alternative weight set {name!r}", ws, self.directions)

    @property
    def active(self) -> dict[str, float]:
        """The components with a positive weight, in configuration order."""
        return {k: w for k, w in self.components.items() if w > 0}


def check_weights(what: str, weights: dict[str, float], directions: dict[str, str]) -> None:
    """Raise on a weight set that the index cannot use (see module docstring)."""
    unknown = [k for k in weights if directions.get(k) not in ("+", "-")]
    if unknown:
        raise ValueError(f"{what}: no need direction ('+' or '-') for {unknown}")
    barred = sorted(NOT_COMPONENTS & {k for k, w in weights.items() if w > 0})
    if barred:
        raise ValueError(f"{what}: {barred} restate parental absence and are not index "
                         "components (INDICATORS.md §6)")
    if any(w < 0 for w in weights.values()):
        raise ValueError(f"{what}: weights must be non-negative")
    used = {k for k, w in weights.items() if w > 0}
    if not used:
        raise ValueError(f"{what}: at least one weight must be positive")
    if all(used & group for group in EXCLUSIVE):
        raise ValueError(f"{what}: lb_parent_abroad and its sub-indicators are weighted "
                         "together (INDICATORS.md §6 allows one or the other)")


def parse_needs_config(data: dict[str, Any], catalogue: Catalogue | None = None) -> NeedsConfig:
    """Build a `NeedsConfig` from the parsed YAML; directions are looked up in the catalogue."""
    cat = catalogue or load_catalogue()
    components: dict[str, float] = {}
    for item in data["components"]:
        iid = str(item["indicator_id"])
        if iid in components:
            raise ValueError(f"component {iid!r} listed twice")
        components[iid] = float(item["weight"])
    alternatives = {str(name): {str(k): float(v) for k, v in (ws or {}).items()}
                    for name, ws in (data.get("alternative_weight_sets") or {}).items()}
    ids = set(components).union(*alternatives.values()) if alternatives else set(components)
    directions: dict[str, str] = {}
    for iid in sorted(ids):
        try:
            directions[iid] = cat.get(iid).direction
        except KeyError:
            raise ValueError(f"needs index: {iid!r} is not in the indicator catalogue") from None
    return NeedsConfig(
        version=str(data["version"]),
        components=components,
        directions=directions,
        index_id=str(data.get("index_id", "idx_caregiving_need")),
        min_n_component=int(data.get("min_n_component", 25)),
        unavailable=str(data.get("unavailable", "exclude")),
        rescale=str(data.get("rescale", "none")),
        top_k=int(data.get("top_k", 10)),
        draws=int(data.get("draws", 10000)),
        seed=int(data.get("seed", 0)),
        level=float(data.get("level", 0.95)),
        readiness_indicator=data.get("readiness_indicator"),
        alternative_weight_sets=alternatives,
    )


def load_needs_config(path: str | Path | None = None,
                      catalogue: Catalogue | None = None) -> NeedsConfig:
    """Read ``needs_index.yaml`` (the packaged one by default) and validate it."""
    if path is None:
        text = resources.files("parenting_assessment.needs").joinpath(
            "needs_index.yaml").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    return parse_needs_config(yaml.safe_load(text), catalogue)
