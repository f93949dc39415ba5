"""The result chapters, the village profiles and the annexes.

One chapter per indicator domain (charts and MICS-style tables), then the needs index, the
models, the village profiles and the annexes.
"""

from __future__ import annotations

from parenting_assessment.indicators.catalogue import Indicator
from parenting_assessment.report import annex, needs_section
from parenting_assessment.report.chapters import chapter_indicators
from parenting_assessment.report.document import Chapter, Document
from parenting_assessment.report.model_section import model_tables
from parenting_assessment.report.profiles import profiles
from parenting_assessment.report.supporting import BESIDE
from parenting_assessment.report.tables import EstimateTables, Table, flag_notes, matrix_table


def _caption(doc: Document, ind: Indicator) -> str:
    t = doc.t
    code = ind.mics6_code or t("no_code")
    if ind.instrument:
        code += f" ({ind.instrument})"
    return t("ind_caption", id=ind.id, code=code, denominator=t.denominator(ind.id))


def _indicator(doc: Document, ch: Chapter, ind: Indicator, names: dict[str, str]) -> None:
    t, data = doc.t, doc.data
    est = data.cells.get(ind.id, [])
    label = ind.label[t.lang]
    ch.h3(label, f"ind-{ind.id}")
    caption = _caption(doc, ind)
    ch.p(caption, "caption")
    ch.p(t.group("notes", ind.id, ""), "reading")
    if not est:
        ch.notice(t("no_estimates"))
        return
    ch.figure(doc.charts, f"ind_{ind.id}", t("fig_villages", label=label),
              t("fig_villages_alt", label=label))
    ch.figure(doc.charts, f"dis_{ind.id}", t("fig_groups", label=label),
              t("fig_groups_alt", label=label))
    et = EstimateTables(t, est, data.supporting, names, BESIDE.get(ind.id))
    parts = [("district", t("tab_by_district", label=label), et.by_district(), True),
             ("groups", t("tab_by_group", label=label), et.by_group(ind), True),
             ("villages", t("tab_by_village", label=label), et.by_village(data.villages),
              doc.detail_in_pdf)]
    short = {"district": "district", "groups": "groups", "villages": "villages"}
    for kind, title, (cols, rows, classes), pdf in parts:
        ch.table(Table(f"{ind.id}-{kind}", title, cols, rows, classes, caption=caption,
                       footnotes=flag_notes(t, et.flags, et.missing_marked),
                       attrs={"indicator": ind.id, "table": kind}, pdf=pdf,
                       sheet=f"{ind.id[:18]} {short[kind]}"), pdf_note=False)


def domains(doc: Document) -> None:
    t = doc.t
    names = dict(zip(doc.data.frame["kode_kabupaten"], doc.data.frame["kabupaten"],
                     strict=False))
    for key, inds in chapter_indicators(doc.data.catalogue):
        ch = doc.chapter(key, t.group("chapters", key))
        ch.p(t.group("chapter_intros", key, ""))
        if not doc.detail_in_pdf:
            ch.p(t("pdf_village_tables"), "pdf-only note")
        for ind in inds:
            _indicator(doc, ch, ind, names)
        main = [i for i in inds if not i.supporting]
        if main:
            ch.h3(t("h_matrix"), f"matrix-{key}", toc=False)
            table = matrix_table(doc, key, main, names)
            table.pdf = not doc.many_villages
            ch.table(table)


def needs(doc: Document) -> None:
    t, data = doc.t, doc.data
    ch = doc.chapter("needs", t("ch_needs"))
    for key in ("needs_intro", "needs_method", "needs_uncertainty"):
        ch.p(t(key))
    if data.get("needs_index") is None:
        ch.notice(t("needs_not_available"))
        return
    ch.h3(t("h_needs_components"), "needs-components")
    ch.table(needs_section.components_table(data, t, data.catalogue))
    ch.h3(t("h_needs_ranking"), "needs-ranking")
    ch.ul(needs_section.summary_lines(data, t))
    ch.figure(doc.charts, "needs_ranking", t("fig_ranking"), t("fig_ranking"))
    ch.figure(doc.charts, "needs_map", t("fig_map"), t("fig_map"))
    ch.table(needs_section.ranking_table(data, t))
    ch.p(needs_section.unranked_line(data, t))
    ch.h3(t("h_needs_sensitivity"), "needs-sensitivity")
    ch.p(t("needs_sensitivity_text"))
    ch.table(needs_section.sensitivity_table(data, t))


def models(doc: Document) -> None:
    t = doc.t
    ch = doc.chapter("models", t("ch_models"))
    for key in ("models_intro", "models_can", "models_cannot"):
        ch.p(t(key))
    results = model_tables(doc.data, t, doc.data.catalogue)
    if not results:
        ch.notice(t("models_not_available"))
        return
    for model, table, lines in results:
        ch.h3(table.title, f"model-{model}")
        ch.ul(lines)
        ch.table(table)


def village_profiles(doc: Document) -> None:
    t = doc.t
    ch = doc.chapter("profiles", t("ch_profiles"))
    ch.p(t("profiles_intro"))
    chapters = [(key, t.group("chapters", key), inds)
                for key, inds in chapter_indicators(doc.data.catalogue)]
    items = profiles(doc.data, t, chapters)
    ch.blocks.append({"type": "village_index", "items": items})
    ch.blocks.append({"type": "profiles", "items": items})


def annexes(doc: Document) -> None:
    t, data = doc.t, doc.data
    a = doc.chapter("definitions", t("ch_definitions"), annex=True)
    a.p(t("definitions_intro"))
    a.table(annex.definitions_table(data.catalogue, data.instrument, t))
    b = doc.chapter("questionnaire", t("ch_questionnaire"), annex=True)
    b.table(annex.questionnaire_table(data.catalogue, data.instrument, t),
            missing=t("questionnaire_not_available"))
    c = doc.chapter("provenance", t("ch_provenance"), annex=True)
    c.p(t("provenance_intro"))
    c.table(annex.run_table(data, t, doc.run))
    c.table(annex.files_table(data, t))
