"""The packaged configuration follows INDICATORS.md §6, and bad configurations are refused."""

from __future__ import annotations

import pytest
import yaml

from parenting_assessment.indicators.catalogue import load_catalogue
from parenting_assessment.needs import load_needs_config, parse_needs_config
from parenting_assessment.needs.config import EXCLUSIVE

SECTION_6 = {
    "lb_parent_abroad": "+", "lb_neither_parent": "+", "lb_contact_weekly": "-",
    "lb_remittance_3m": "-", "care_grandparent_primary": "+", "care_primary_age60plus": "+",
    "care_supervision_inadequate": "+", "care_burden_high": "+", "ecd_support_learning_any": "-",
    "ecd_ecdi2030_on_track": "-", "edu_ece_attendance": "-", "edu_school_attendance": "-",
    "prot_birth_registered": "-", "prot_discipline_violent": "+",
}
OVERLAP = {"care_grandparent_primary", "care_primary_age60plus"}


def test_packaged_defaults():
    cfg = load_needs_config()
    assert set(cfg.components) == set(SECTION_6)
    assert {i: cfg.directions[i] for i in SECTION_6} == SECTION_6
    # The project config renormalises (see needs_index.yaml): village samples are small.
    assert cfg.min_n_component == 25 and cfg.unavailable == "renormalise"
    assert cfg.rescale == "none" and cfg.top_k == 10 and cfg.draws == 10000
    assert cfg.index_id == "idx_caregiving_need" and cfg.version
    assert len(cfg.alternative_weight_sets) >= 3
    assert cfg.readiness_indicator == "care_interest_parenting_group"
    assert cfg.readiness_indicator not in cfg.active


def test_every_weight_set_weights_one_overlapping_indicator_and_no_sub_indicators():
    cfg = load_needs_config()
    for ws in [cfg.components, *cfg.alternative_weight_sets.values()]:
        used = {k for k, w in ws.items() if w > 0}
        assert len(used & OVERLAP) <= 1
        assert not used & EXCLUSIVE[1]
        assert not used & {"ecd_support_learning_father", "ecd_support_learning_mother"}


def _base() -> dict:
    return {"version": "x", "components": [{"indicator_id": "lb_parent_abroad", "weight": 1}]}


@pytest.mark.parametrize("change, message", [
    ({"components": [{"indicator_id": "lb_parent_abroad", "weight": 1},
                     {"indicator_id": "lb_parent_abroad_both", "weight": 1}]}, "sub-indicators"),
    ({"components": [{"indicator_id": "ecd_support_learning_father", "weight": 1}]},
     "parental absence"),
    ({"components": [{"indicator_id": "care_interest_parenting_group", "weight": 1}]},
     "need direction"),
    ({"components": [{"indicator_id": "no_such_indicator", "weight": 1}]}, "catalogue"),
    ({"components": [{"indicator_id": "lb_parent_abroad", "weight": -1}]}, "non-negative"),
    ({"components": [{"indicator_id": "lb_parent_abroad", "weight": 0}]}, "positive"),
    ({"unavailable": "impute"}, "unavailable"),
    ({"rescale": "minmax"}, "rescale"),
    ({"alternative_weight_sets": {"bad": {"lb_parent_abroad": 1,
                                          "lb_parent_abroad_mother_only": 2}}}, "bad"),
])
def test_invalid_configurations_are_refused(change, message):
    data = _base() | change
    with pytest.raises(ValueError, match=message):
        parse_needs_config(data, load_catalogue())


def test_load_from_path(tmp_path):
    path = tmp_path / "n.yaml"
    path.write_text(yaml.safe_dump(_base() | {"top_k": 3, "seed": 5}), encoding="utf-8")
    cfg = load_needs_config(path)
    assert cfg.top_k == 3 and cfg.seed == 5 and cfg.components == {"lb_parent_abroad": 1.0}
