"""One profile per village, for district offices reading a single page.

Each shows the village's indicators beside its district and all villages, its sample, and its
needs-index score, rank interval and component values with their flags.

District offices read these pages on their own, so each one is complete: it repeats the flag
footnotes and never shows a rank without its interval. In the PDF the numbers of a row are one
monospaced cell (``mono``): a profile page then costs WeasyPrint about a third of a table with
eight cells per row, which is what keeps a 400-village PDF within the time budget.
"""

from __future__ import annotations

import textwrap

from markupsafe import Markup, escape

from parenting_assessment.indicators.catalogue import Indicator
from parenting_assessment.report import fmt
from parenting_assessment.report.data import ReportData
from parenting_assessment.report.needs_section import components, index_rows, village_line
from parenting_assessment.report.strings import Strings
from parenting_assessment.report.tables_survey import by_village

WIDTHS = (7, 11, 5, 7, 7, 5, 7)
LABEL_WIDTH = 60


def mono(values: list[str]) -> str:
    """Right-aligned fixed-width columns; a longer value widens its column, never loses text."""
    return " ".join(v.rjust(w) for v, w in zip(values, WIDTHS, strict=True))


def columns(t: Strings) -> list[str]:
    return [t("col_indicator"), t("pcol_village"), t("col_ci"), t("pcol_n"),
            t("pcol_district"), t("pcol_all"), t("pcol_weight"), t("pcol_need")]


def profiles(data: ReportData, t: Strings,
             chapters: list[tuple[str, str, list[Indicator]]]) -> list[dict]:
    """Profile contexts in village order (district, then name)."""
    look = data.totals
    comps = components(data)
    index = index_rows(data)
    sample = by_village(data).set_index("kode_kemendagri")
    lang = t.lang
    out = []
    for v in data.villages.itertuples():
        code, dcode = v.kode_kemendagri, v.kode_kabupaten
        comp = comps.get(code, {})
        rows = []
        for _, title, inds in chapters:
            group = [i for i in inds if not i.supporting]
            if not group:
                continue
            rows.append({"group": title})
            for ind in group:
                cells = []
                for level, area in (("village", code), ("district", dcode), ("overall", "all")):
                    r = look.get((ind.id, level, area))
                    cells.append(r)
                vr, dr, orow = cells
                w, need = comp.get(ind.id, ("", ""))
                values = [vr["display"] if vr else "",
                          fmt.ci(vr["ci_low"], vr["ci_high"], vr["flag"]) if vr else "",
                          fmt.count(vr["n_unweighted"]) if vr else "",
                          dr["display"] if dr else "", orow["display"] if orow else "", w, need]
                rows.append({"label": ind.label[lang], "id": ind.id, "cells": values,
                             "mono": mono(values), "flag": vr["flag"] if vr else ""})
        s = sample.loc[code]
        rate = fmt.f1(100 * s.responded / s.selected) if s.selected else "-"
        out.append({
            "code": code, "name": v.desa, "anchor": f"v-{code}", "kecamatan": v.kecamatan,
            "district": v.kabupaten,
            "sample": t("profile_sample", responded=fmt.count(s.responded),
                        selected=fmt.count(s.selected), rate=rate,
                        pmi=fmt.count(v.n_listed_pmi), non=fmt.count(v.n_listed_non_pmi)),
            "needs": village_line(t, index, code), "rows": rows, "pre": pre_block(t, rows)})
    return out


def mono_header(t: Strings) -> str:
    return mono(columns(t)[1:])


def pre_block(t: Strings, rows: list[dict]) -> Markup:
    """The profile table of the PDF as one preformatted block (escaped; group lines bold).

    One ``<pre>`` instead of a table: WeasyPrint lays out a page of it about five times
    faster, which is what keeps 400 profile pages within the time budget.
    """
    head = columns(t)[0].ljust(LABEL_WIDTH)[:LABEL_WIDTH] + " " + mono_header(t)
    lines = [Markup("<b>") + escape(head) + Markup("</b>")]
    for r in rows:
        if "group" in r:
            lines.append(Markup("<b>") + escape(r["group"]) + Markup("</b>"))
            continue
        label = textwrap.wrap(r["label"], LABEL_WIDTH - 1, subsequent_indent="  ") or [""]
        lines.append(escape(label[0].ljust(LABEL_WIDTH) + " " + r["mono"]))
        lines.extend(escape(x) for x in label[1:])
    return Markup("\n").join(lines)
