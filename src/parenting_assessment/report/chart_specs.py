"""Chart specifications (plain dicts) for one language, and the loop that draws them.

Keeping the data selection here and the drawing in ``charts`` lets the tests check what is
plotted (e.g. that no suppressed cell is passed as an estimate).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from parenting_assessment.indicators.catalogue import Indicator
from parenting_assessment.report import fmt
from parenting_assessment.report.charts import disagg_chart, indicator_chart
from parenting_assessment.report.charts_needs import map_chart, ranking_chart
from parenting_assessment.report.data import ReportData
from parenting_assessment.report.needs_section import ranked
from parenting_assessment.report.strings import Strings
from parenting_assessment.report.tables import category_label, sort_values

PANEL_KEYS = (("mig", "hh_mig"), ("cg",), ("sex", "cg_sex"))
RANK_CHART_MAX = 40
DRAW: dict[str, Callable[[dict], bytes]] = {
    "indicator": indicator_chart, "disagg": disagg_chart, "ranking": ranking_chart,
    "map": map_chart}


def point(name: str, r: dict) -> dict:
    est = float(r["estimate"]) if fmt.finite(r["estimate"]) else None
    return {"name": name, "est": est, "lo": float(r["ci_low"]) if est is not None else None,
            "hi": float(r["ci_high"]) if est is not None else None, "flag": str(r["flag"])}


def _common(t: Strings) -> dict:
    return {"xlabel": t("chart_x"), "source": t("chart_source"),
            "legend_solid": t("legend_solid"), "legend_paren": t("legend_paren"),
            "legend_ci": t("legend_ci"), "suppressed_label": t("chart_suppressed")}


def indicator_spec(data: ReportData, t: Strings, ind: Indicator, rows: list[dict],
                   names: dict[str, str]) -> dict:
    tot = [r for r in rows if r["disagg_key"] == "total"]
    top = [point(t("all_villages"), r) for r in tot if r["level"] == "overall"]
    dist = sorted((names.get(r["area_code"], r["area_code"]), r) for r in tot
                  if r["level"] == "district")
    top += [point(n, r) for n, r in dist]
    vil = {r["area_code"]: r for r in tot if r["level"] == "village"}
    villages = [point(name, vil[code]) for code, name in
                zip(data.villages["kode_kemendagri"], data.villages["desa"], strict=True)
                if code in vil]
    return _common(t) | {
        "title": f"{ind.label[t.lang]} ({ind.id})", "districts": top, "villages": villages,
        "district_title": t("chart_districts"),
        "compact_label": t("chart_villages_compact", n=len(villages))}


def disagg_spec(t: Strings, ind: Indicator, rows: list[dict]) -> dict | None:
    panels = []
    for keys in PANEL_KEYS:
        present = {r["disagg_key"] for r in rows if r["level"] == "overall"}
        key = next((k for k in keys if k in present), None)
        if key is None:
            continue
        part = {r["disagg_value"]: r for r in rows
                if r["level"] == "overall" and r["disagg_key"] == key}
        pts = [point(category_label(t, ind, key, v), part[v]) for v in sort_values(key, list(part))]
        panels.append({"title": t.group("disagg_keys", key), "rows": pts})
    if not panels:
        return None
    return _common(t) | {"title": f"{ind.label[t.lang]} ({ind.id})", "panels": panels,
                         "legend_note": t("chart_bar_legend")}


def ranking_spec(data: ReportData, t: Strings) -> dict | None:
    r = ranked(data)
    if r.empty:
        return None
    top = r.head(RANK_CHART_MAX)
    dist = dict(zip(data.frame["kode_kemendagri"], data.frame["kabupaten"], strict=True))
    rows = [{"name": f"{v.village_name} ({dist.get(v.village_code, '')})", "score": v.index,
             "lo": v.ci_low, "hi": v.ci_high, "rank": v.rank, "rlo": v.rank_low,
             "rhi": v.rank_high, "partial": bool(getattr(v, "partial", False))}
            for v in top.itertuples()]
    extra = t("chart_rank_more", shown=len(top), n=len(r)) if len(r) > len(top) else ""
    return {"rows": rows, "n_ranked": len(r), "title": t("chart_rank_title"),
            "score_label": t("chart_score_x"), "rank_label": t("chart_rank_x"),
            "source": t("chart_source"), "note": " ".join(x for x in (
                t("chart_rank_note"), extra) if x)}


def map_spec(data: ReportData, t: Strings) -> dict | None:
    f = data.villages
    if f[["centroid_lat", "centroid_lon"]].isna().all().all():
        return None
    idx = data.get("needs_index")
    score = {}
    if idx is not None:
        score = {r.village_code: float(r.index) for r in idx.itertuples()
                 if r.status == "ranked" and fmt.finite(r.index)}
    pts = [{"lat": None if pd.isna(v.centroid_lat) else float(v.centroid_lat),
            "lon": None if pd.isna(v.centroid_lon) else float(v.centroid_lon),
            "index": score.get(v.kode_kemendagri)} for v in f.itertuples()]
    g = f.dropna(subset=["centroid_lat", "centroid_lon"]).groupby("kabupaten")
    districts = [{"name": k, "lat": float(v["centroid_lat"].max()),
                  "lon": float(v["centroid_lon"].mean())} for k, v in g]
    title = t("chart_map_title") if idx is not None else t("chart_map_title_plain")
    return {"points": pts, "districts": districts, "title": title,
            "colour_label": t("chart_map_colour"), "unranked_label": t("chart_map_unranked"),
            "lon_label": t("chart_lon"), "lat_label": t("chart_lat"),
            "source": t("chart_source"), "note": t("chart_map_note")}


def build_specs(data: ReportData, t: Strings,
                indicators: list[Indicator]) -> list[tuple[str, str, dict]]:
    """[(file stem, kind, spec)] for one language, in report order."""
    names = dict(zip(data.frame["kode_kabupaten"], data.frame["kabupaten"], strict=False))
    by_ind = data.cells
    specs: list[tuple[str, str, dict]] = []
    for ind in indicators:
        est = by_ind.get(ind.id)
        if not est or ind.supporting:
            continue
        specs.append((f"ind_{ind.id}", "indicator", indicator_spec(data, t, ind, est, names)))
        dis = disagg_spec(t, ind, est)
        if dis is not None:
            specs.append((f"dis_{ind.id}", "disagg", dis))
    for name, kind, spec in (("needs_ranking", "ranking", ranking_spec(data, t)),
                             ("needs_map", "map", map_spec(data, t))):
        if spec is not None:
            specs.append((name, kind, spec))
    return specs


def draw_all(specs: list[tuple[str, str, dict]]) -> dict[str, bytes]:
    """Draw every spec; an empty result (nothing drawable) is left out."""
    out = {}
    for name, kind, spec in specs:
        data = DRAW[kind](spec)
        if data:
            out[name] = data
    return out
