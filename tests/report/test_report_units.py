"""Report building blocks: rounding, strings, chapters, optional tables, chart rules."""

from __future__ import annotations

import copy

import pytest
from report_helpers import ReportRun

from parenting_assessment.indicators.catalogue import load_catalogue
from parenting_assessment.report import fmt
from parenting_assessment.report.chapters import chapter_indicators
from parenting_assessment.report.charts import disagg_chart, indicator_chart
from parenting_assessment.report.data import load_report_data
from parenting_assessment.report.document import build_document
from parenting_assessment.report.render import render_html
from parenting_assessment.report.strings import LANGS, Strings, _load


def test_rounding_is_half_up_as_the_display_column() -> None:
    assert fmt.f1(34.25) == "34.3"
    assert fmt.f1(0.05) == "0.1"
    assert fmt.flagged(34.25, "paren") == "(34.3)"
    assert fmt.flagged(34.25, "suppressed") == "(*)"
    assert fmt.flagged(float("nan"), "zero") == "-"
    assert fmt.ci(1.25, 9.95, "") == "1.3–10.0"
    assert fmt.ci(1.25, 9.95, "suppressed") == ""
    assert fmt.count(12345) == "12\u202f345"


def _keys(d: dict, prefix: str = "") -> set[str]:
    out = set()
    for k, v in d.items():
        out.add(prefix + str(k))
        if isinstance(v, dict):
            out |= _keys(v, f"{prefix}{k}.")
    return out


def test_both_languages_have_the_same_strings() -> None:
    data = _load("strings.yaml")
    assert _keys(data["id"]) == _keys(data["en"])


def test_every_indicator_has_a_denominator_and_a_chapter() -> None:
    cat = load_catalogue()
    for lang in LANGS:
        t = Strings(lang)
        assert all(t.denominator(i.id) for i in cat.indicators)
    placed = [i.id for _, inds in chapter_indicators(cat) for i in inds]
    assert sorted(placed) == sorted(i.id for i in cat.indicators)


def _spec(villages: list[dict]) -> dict:
    return {
        "title": "t",
        "xlabel": "x",
        "source": "s",
        "legend_solid": "a",
        "legend_paren": "b",
        "legend_ci": "c",
        "suppressed_label": "hidden",
        "district_title": "d",
        "compact_label": "v",
        "districts": [{"name": "All", "est": 40.0, "lo": 30.0, "hi": 50.0, "flag": ""}],
        "villages": villages,
    }


def test_suppressed_values_are_never_drawn() -> None:
    """A (*) village's stored estimate does not change a single pixel of the chart."""
    base = [
        {"name": "A", "est": 20.0, "lo": 10.0, "hi": 30.0, "flag": ""},
        {"name": "B", "est": 60.0, "lo": 50.0, "hi": 70.0, "flag": "paren"},
    ]
    one = [*base, {"name": "C", "est": 5.0, "lo": 1.0, "hi": 9.0, "flag": "suppressed"}]
    two = [*base, {"name": "C", "est": 95.0, "lo": 90.0, "hi": 99.0, "flag": "suppressed"}]
    assert indicator_chart(_spec(one)) == indicator_chart(_spec(two))
    solid = copy.deepcopy(base)
    solid[1]["flag"] = ""
    assert indicator_chart(_spec(base)) != indicator_chart(_spec(solid))  # ( ) is visible
    panel = {"title": "p", "rows": one}
    bars = {
        "title": "t",
        "xlabel": "x",
        "source": "s",
        "legend_note": "n",
        "suppressed_label": "hidden",
        "panels": [panel],
    }
    other = copy.deepcopy(bars)
    other["panels"][0]["rows"] = two
    assert disagg_chart(bars) == disagg_chart(other)


def test_missing_optional_tables_give_a_note_not_an_error(report_run: ReportRun) -> None:
    with report_run.connect() as con:
        data = load_report_data(
            con, frame=report_run.frame(), catalogue=load_catalogue(), instrument_path=None
        )
    for name in (
        "needs_index",
        "needs_components",
        "needs_sensitivity",
        "models",
        "reconciliation",
        "landed",
        "monitoring",
    ):
        data.optional[name] = None
    run = {"run_id": "x", "code_version": "x", "time": "x", "data_time": data.data_time}
    for lang in LANGS:
        html = render_html(build_document(data, lang, {}, run), "html")
        t = Strings(lang)
        assert t("needs_not_available") in html
        assert t("models_not_available") in html
        assert t("questionnaire_not_available") in html


@pytest.mark.parametrize("bad", [{"langs": ["fr"]}, {"formats": ["docx"]}])
def test_render_report_rejects_unknown_language_or_format(
    report_run: ReportRun, tmp_path, bad: dict
) -> None:
    from report_helpers import render

    with pytest.raises(ValueError):
        render(report_run, tmp_path, **bad)


def test_dagster_config_selects_languages_and_formats() -> None:
    from pipelines.assets.report import ReportConfig

    assert ReportConfig().langs == ["id", "en"]
    assert {"html", "pdf", "xlsx", "csv", "parquet"} == set(ReportConfig().formats)
    assert ReportConfig(langs=["en"]).langs == ["en"]
