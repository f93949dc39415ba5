"""One profile per village: its indicators beside its district and all villages, its sample,
and its needs-index score, rank interval and component values with their flags.

District offices read these pages on their own, so each one is complete: it repeats the flag
footnotes and never shows a rank without its interval. In the PDF the numbers of a row are one
monospaced cell (``mono``): a profile page then costs WeasyPrint about a third of a table with
eight cells per row, which is what keeps a 400-village PDF within the time budget.
"""

from __future__ import annotations

import pandas as pd

from parenting_assessment.indicators.catalogue import Indicator
from parenting_assessment.report import fmt
from parenting_assessment.report.data import ReportData
from parenting_assessment.report.needs_section import components, village_line
from parenting_assessment.report.strings import Strings
from parenting_assessment.report.tables_survey import by_village

WIDTHS = (7, 11, 5, 7, 7, 4, 7)


def mono(values: list[str]) -> str:
    return " ".join(v[:w].rjust(w) for v, w in zip(values, WIDTHS, strict=True))


def _lookup(est: pd.DataFrame) -> dict[tuple[str, str, str], pd.Series]:
    tot = est[est["disagg_key"] == "total"]
    return {(r.indicator_id, r.level, r.area_code): r for r in tot.itertuples()}


def columns(t: Strings) -> list[str]:
    return [t("col_indicator"), t("pcol_village"), t("col_ci"), t("col_n"), t("pcol_district"),
            t("pcol_all"), t("pcol_weight"), t("pcol_need")]


def profiles(data: ReportData, t: Strings,
             chapters: list[tuple[str, str, list[Indicator]]]) -> list[dict]:
    """Profile contexts in village order (district, then name)."""
    look = _lookup(data.estimates)
    sample = by_village(data).set_index("kode_kemendagri")
    lang = t.lang
    out = []
    for v in data.villages.itertuples():
        code, dcode = v.kode_kemendagri, v.kode_kabupaten
        comp = components(data, code)
        rows = []
        flags: set[str] = set()
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
                vr = cells[0]
                flags |= {c.flag for c in cells if c is not None}
                w, need = comp.get(ind.id, ("", ""))
                values = [vr.display if vr is not None else "",
                          fmt.ci(vr.ci_low, vr.ci_high, vr.flag) if vr is not None else "",
                          fmt.count(vr.n_unweighted) if vr is not None else "",
                          cells[1].display if cells[1] is not None else "",
                          cells[2].display if cells[2] is not None else "", w, need]
                rows.append({"label": ind.label[lang], "id": ind.id, "cells": values,
                             "mono": mono(values), "flag": vr.flag if vr is not None else ""})
        s = sample.loc[code]
        rate = fmt.f1(100 * s.responded / s.selected) if s.selected else "-"
        out.append({
            "code": code, "name": v.desa, "anchor": f"v-{code}", "kecamatan": v.kecamatan,
            "district": v.kabupaten,
            "sample": t("profile_sample", responded=fmt.count(s.responded),
                        selected=fmt.count(s.selected), rate=rate,
                        pmi=fmt.count(v.n_listed_pmi), non=fmt.count(v.n_listed_non_pmi)),
            "needs": village_line(data, t, code), "rows": rows,
            "footnotes": [t.group("footnotes", f) for f in ("paren", "suppressed", "zero")
                          if f in flags]})
    return out


def mono_header(t: Strings) -> str:
    return mono(columns(t)[1:])
