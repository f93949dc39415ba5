"""The analysts' API on a generated warehouse: its doctests, and the numbers it promises."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from matplotlib.figure import Figure

import parenting_assessment
from parenting_assessment import api


def test_docstring_examples_run(default_warehouse):
    result = doctest.testmod(api, optionflags=doctest.NORMALIZE_WHITESPACE, report=True)
    assert result.attempted >= 25
    assert result.failed == 0


def test_package_exports_the_api_lazily():
    assert parenting_assessment.open_warehouse is api.open_warehouse
    assert parenting_assessment.estimate is api.estimate
    assert set(parenting_assessment.__all__) <= set(api.__all__)


@pytest.mark.parametrize("indicator", ["lb_parent_abroad", "ecd_books_3plus", "care_burden_high",
                                       "lb_remittance_3m"])
@pytest.mark.parametrize(("by", "level"), [("village_code", "village"),
                                           ("district_code", "district")])
def test_estimate_on_unit_values_reproduces_the_report(default_warehouse, indicator, by, level):
    uv = api.unit_values(indicator)
    # Village intervals are Jeffreys on n/deff with the district's deff (docs/statistics.md).
    interval = {"ci_method": "jeffreys",
                "deff_by": {"village_code": "district_code"}} if level == "village" else {}
    mine = api.estimate(uv, "y", weight="weight", strata="stratum", psu="psu", fpc="fpc", by=by,
                        stat="proportion", **interval).set_index(by)
    report = api.estimates(indicator, level=level).set_index("area_code")
    report = report[report["n_unweighted"] > 0].loc[mine.index]
    for col in ("estimate", "se", "ci_low", "ci_high"):
        assert np.allclose(100 * mine[col], report[col], atol=1e-9, equal_nan=True), col
    assert (mine["n_unweighted"] == report["n_unweighted"]).all()
    assert np.allclose(mine["N_weighted"], report["N_weighted"])


@pytest.mark.parametrize("key", ["sex", "cg"])
def test_village_cells_by_disaggregation_reproduce_the_report(default_warehouse, key):
    """Village × key cells: the Jeffreys interval takes the district × key design effect."""
    uv = api.unit_values("lb_parent_abroad")
    mine = api.estimate(uv, "y", weight="weight", strata="stratum", psu="psu", fpc="fpc",
                        by=["village_code", key], stat="proportion", ci_method="jeffreys",
                        deff_by={"village_code": "district_code"})
    report = api.estimates("lb_parent_abroad", level="village", by=key)
    both = report.merge(mine.rename(columns={"village_code": "area_code", key: "disagg_value"}),
                        on=["area_code", "disagg_value"], suffixes=("", "_mine"))
    assert len(both) == len(mine) == (report["n_unweighted"] > 0).sum() >= 10
    for col in ("estimate", "se", "ci_low", "ci_high"):
        assert np.allclose(100 * both[f"{col}_mine"], both[col], atol=1e-9), col


def test_padding_keeps_every_household_in_the_design(default_warehouse):
    """Under-5 units cover only some households; without padding n_h (and the SE) change."""
    padded = api.unit_values("ecd_books_3plus")
    bare = api.unit_values("ecd_books_3plus", pad_design=False)
    design = api.design()
    assert padded["hh_id"].nunique() == design["n_psu"].sum()
    assert (~padded["in_universe"]).sum() == padded["hh_id"].nunique() - bare["hh_id"].nunique()
    assert padded.loc[~padded["in_universe"], "y"].isna().all()
    kw = {"weight": "weight", "strata": "stratum", "psu": "psu", "fpc": "fpc",
          "by": "village_code", "stat": "proportion"}
    se_pad = api.estimate(padded, "y", **kw)["se"].to_numpy()
    se_bare = api.estimate(bare, "y", **kw)["se"].to_numpy()
    assert not np.allclose(se_pad, se_bare)


def test_estimates_filters(default_warehouse):
    est = api.estimates(["lb_parent_abroad", "lb_neither_parent"], level=None, by=["total", "sex"])
    assert set(est["level"]) == {"village", "district", "overall"}
    assert set(est["disagg_key"]) == {"total", "sex"}
    assert list(est["indicator_id"].drop_duplicates()) == ["lb_parent_abroad",
                                                           "lb_neither_parent"]
    one = est[est["level"] == "village"].iloc[0]
    by_code = api.estimates("lb_parent_abroad", area=one["area_code"])
    by_name = api.estimates("lb_parent_abroad", area=one["area_name"].upper())
    assert by_code.equals(by_name) and len(by_code) == 1
    with pytest.raises(ValueError, match="unknown indicator"):
        api.estimates("lb_parents_abroad")
    with pytest.raises(ValueError, match="unknown disaggregation"):
        api.estimates("lb_parent_abroad", by="religion")


def test_needs_index_main_equals_the_pipeline(default_warehouse):
    mine = api.needs_index().set_index("village_code")
    stored = api.open_warehouse().sql("select * from estimates.needs_index").df()
    stored = stored.set_index("village_code").loc[mine.index]
    for col in ("index", "se", "rank", "rank_low", "rank_high", "p_top_k"):
        assert np.allclose(mine[col], stored[col], equal_nan=True), col
    assert (mine["weight_set"] == "main").all()


def test_needs_index_weight_sets(default_warehouse):
    equal = api.needs_index("equal", top_k=2)
    assert (equal["weight_set"] == "equal").all() and (equal["top_k"] == 2).all()
    custom = api.needs_index({"care_primary_age60plus": 1, "prot_discipline_violent": 1})
    assert (custom["weight_set"] == "custom").all()
    with pytest.raises(ValueError, match="restate parental absence"):
        api.needs_index({"ecd_support_learning_father": 1})
    with pytest.raises(ValueError, match="sub-indicators"):
        api.needs_index({"lb_parent_abroad": 1, "lb_parent_abroad_both": 1})


def test_plots_return_figures_and_hide_suppressed_cells(default_warehouse):
    for lang in ("id", "en"):
        fig = api.plot_villages("care_burden_high", lang=lang)
        assert isinstance(fig, Figure)
    est = api.estimates("lb_parent_abroad", level=None)
    drawable = est["flag"].isin(["", "paren"]).sum()
    fig = api.plot_villages("lb_parent_abroad")
    ticks = sum(len(ax.get_yticks()) for ax in fig.axes)
    assert ticks == drawable
    fig = api.plot_disaggregation("lb_parent_abroad", level="district",
                                  area=est.loc[est["level"] == "district", "area_code"].iat[0])
    assert isinstance(fig, Figure)
    with pytest.raises(ValueError, match="needs an area"):
        api.plot_disaggregation("lb_parent_abroad", level="village")


def test_catalogue_lists_every_indicator():
    cat = api.catalogue()
    assert cat["indicator_id"].is_unique
    assert {"lb_parent_abroad", "ecd_ecdi2030_on_track"} <= set(cat["indicator_id"])
