"""The opening chapters: summary, about the survey, data quality.

The summary has the headline figures, districts and villages most in need; "about" the
design, weights, estimation, flags and sample per village.
"""

from __future__ import annotations

from parenting_assessment.indicators.catalogue import Indicator
from parenting_assessment.report import fmt, tables_survey
from parenting_assessment.report.chapters import DISTRICT_HEADLINE, headline
from parenting_assessment.report.data import ReportData
from parenting_assessment.report.document import Document
from parenting_assessment.report.needs_section import summary_lines
from parenting_assessment.report.strings import Strings
from parenting_assessment.report.tables import Row, Table, flag_notes


def _total(data: ReportData, ind: str, level: str, area: str) -> dict | None:
    return data.totals.get((ind, level, area))


def _sentence(t: Strings, ind: Indicator, r: dict | None) -> str:
    label = ind.label[t.lang]
    if r is None or r["flag"] not in fmt.SHOWN:
        return t("headline_too_few", label=label)
    return t("headline_line", label=label, est=fmt.f1(r["estimate"]),
             ci=fmt.ci(r["ci_low"], r["ci_high"]), n=fmt.count(r["n_unweighted"]),
             unit=t.group("unit_words", ind.unit))


def _headline_table(doc: Document, inds: list[Indicator]) -> Table:
    t = doc.t
    rows, flags = [], set()
    for ind in inds:
        r = _total(doc.data, ind.id, "overall", "all")
        if r is None:
            continue
        flags.add(r["flag"])
        rows.append(Row([ind.label[t.lang], ind.id, r["display"],
                         fmt.ci(r["ci_low"], r["ci_high"], r["flag"]),
                         fmt.count(r["n_unweighted"]), fmt.count(r["N_weighted"])], "",
                        {"indicator": ind.id, "level": "overall", "area": "all", "key": "total",
                         "value": "total"}))
    return Table("headline", t("tab_headline"), [
        t("col_indicator"), t("col_id"), t("col_pct"), t("col_ci"), t("col_n"), t("col_N")],
        rows, ["l", "l code", "est", "ci", "n", "num"], footnotes=flag_notes(t, flags),
        sheet="Headline")


def _district_table(doc: Document) -> Table:
    t, f = doc.t, doc.data.frame
    inds = headline(doc.data.catalogue, DISTRICT_HEADLINE)
    districts = f[["kode_kabupaten", "kabupaten"]].drop_duplicates().sort_values("kabupaten")
    areas = [("overall", "all", t("all_villages"))] + [
        ("district", d.kode_kabupaten, d.kabupaten) for d in districts.itertuples()]
    rows, flags = [], set()
    for level, code, name in areas:
        cells = [name]
        for ind in inds:
            r = _total(doc.data, ind.id, level, code)
            flags.add("" if r is None else r["flag"])
            cells += ["" if r is None else r["display"],
                      "" if r is None else fmt.count(r["n_unweighted"])]
        rows.append(Row(cells, "overall" if level == "overall" else "", {"area": code}))
    cols = [t("col_district")]
    for ind in inds:
        short = t.group("short_labels", ind.id, ind.id)
        cols += [f"{short} (%)", "n"]
    return Table("headline-districts", t("tab_headline_districts"), cols, rows,
                 ["l"] + ["est", "n"] * len(inds), caption=t("tab_headline_districts_note"),
                 footnotes=flag_notes(t, flags), sheet="Headline by district")


def summary(doc: Document) -> None:
    t, data = doc.t, doc.data
    ch = doc.chapter("summary", t("ch_summary"))
    ch.p(t("summary_intro", villages=len(data.frame),
           districts=data.frame["kode_kabupaten"].nunique(),
           households=fmt.count(data.counts["households"]),
           children=fmt.count(data.counts["children"])))
    inds = headline(data.catalogue)
    ch.h3(t("h_key_figures"), "sum-key")
    ch.ul([_sentence(t, i, _total(data, i.id, "overall", "all")) for i in inds])
    ch.table(_headline_table(doc, inds))
    ch.h3(t("h_by_district"), "sum-districts")
    ch.table(_district_table(doc))
    ch.h3(t("h_most_need"), "sum-needs")
    ch.ul(summary_lines(data, t))
    ch.p(t("needs_summary_caution"), "note")
    ch.h3(t("h_reading"), "sum-reading")
    ch.ul([t.group("footnotes", f) for f in ("paren", "suppressed", "zero")])
    ch.p(t("reading_ci"))
    ch.p(t("decimal_note"), "note")


def about(doc: Document) -> None:
    t, data = doc.t, doc.data
    ch = doc.chapter("about", t("ch_about"))
    for key in ("about_purpose", "about_design", "about_modules"):
        ch.p(t(key, villages=len(data.frame)))
    ch.h3(t("h_weights"), "about-weights")
    ch.p(t("about_weights"))
    ch.p(tables_survey.weights_text(data, t))
    ch.h3(t("h_estimation"), "about-estimation")
    for key in ("about_estimation", "about_intervals", "about_domains", "about_missing"):
        ch.p(t(key))
    ch.h3(t("h_flags"), "about-flags")
    ch.p(t("about_flags"))
    ch.ul([t.group("footnotes", f) for f in ("paren", "suppressed", "zero")])
    ch.h3(t("h_sample"), "about-sample")
    sample = tables_survey.sample_table(data, t)
    sample.pdf = not doc.many_villages
    ch.table(sample)


def quality(doc: Document) -> None:
    t, data = doc.t, doc.data
    ch = doc.chapter("quality", t("ch_quality"))
    ch.p(t("quality_intro"))
    ch.h3(t("h_records"), "q-records")
    ch.table(tables_survey.reconciliation_table(data, t))
    ch.h3(t("h_quarantine"), "q-quarantine")
    ch.p(t("quality_quarantine"))
    ch.table(tables_survey.quarantine_table(data, t))
    ch.table(tables_survey.findings_table(data, t))
    ch.h3(t("h_fieldwork"), "q-fieldwork")
    ch.table(tables_survey.completion_table(data, t))
    monitoring = tables_survey.monitoring_table(data, t)
    if monitoring is None:
        ch.p(t("fieldwork_not_available"), "note")
    else:
        monitoring.pdf = not doc.many_villages
        ch.table(monitoring)
