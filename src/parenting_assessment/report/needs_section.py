"""The caregiving-needs index in the report (INDICATORS.md §6).

Components and weights, the ranking with score intervals and rank intervals, villages not
ranked, sensitivity, and the plain-words lines used by the summary and the village profiles.

A village is never presented by its rank alone: every mention carries the score with its 95%
interval and the 95% rank interval (and, in tables, the chance of being in the top k).
"""

from __future__ import annotations

import pandas as pd

from parenting_assessment.indicators.catalogue import Catalogue
from parenting_assessment.report import fmt
from parenting_assessment.report.data import ReportData, records
from parenting_assessment.report.strings import Strings
from parenting_assessment.report.tables import Row, Table


def ranked(data: ReportData) -> pd.DataFrame:
    idx = data.get("needs_index")
    if idx is None:
        return pd.DataFrame()
    r = idx[idx["status"] == "ranked"]
    return r.sort_values(["rank", "village_code"]).reset_index(drop=True)


def _district(data: ReportData) -> dict[str, str]:
    return dict(zip(data.frame["kode_kemendagri"], data.frame["kabupaten"], strict=True))


def _score(r: pd.Series) -> str:
    return fmt.f1(r["index"]) + ("\u2021" if bool(r.get("partial", False)) else "") + (
        "\u00a7" if bool(r.get("census", False)) else "")


def index_rows(data: ReportData) -> dict[str, dict] | None:
    """village code → its needs-index row, or None when the run has no index table."""
    idx = data.get("needs_index")
    return None if idx is None else {r["village_code"]: r for r in records(idx)}


def village_line(t: Strings, rows: dict[str, dict] | None, code: str) -> str:
    """One sentence on a village's index for its profile (or why there is none)."""
    if rows is None:
        return t("needs_not_available")
    r = rows.get(code)
    if r is None:
        return t("needs_not_in_table")
    if r["status"] != "ranked":
        return t("needs_village_unranked", components=str(r.get("unavailable_components", "")))
    line = t("needs_village_ranked", score=fmt.f1(r["index"]),
             ci=fmt.ci(r["ci_low"], r["ci_high"]), rank=fmt.whole(r["rank"]),
             n=fmt.whole(r["n_ranked"]), ri=fmt.rank_interval(r["rank_low"], r["rank_high"]),
             k=fmt.whole(r["top_k"]), p=fmt.percent0(r["p_top_k"]))
    if fmt.finite(r.get("index_low")) and fmt.finite(r.get("index_high")):
        line += " " + t("needs_missing_bounds", lo=fmt.f1(r["index_low"]),
                        hi=fmt.f1(r["index_high"]))
    if bool(r.get("partial", False)):
        line += " " + t("needs_partial_note")
    if bool(r.get("census", False)):
        line += " " + t("needs_census_note")
    return line


def components(data: ReportData) -> dict[str, dict[str, tuple[str, str]]]:
    """village → indicator id → (weight text, need value under the component's flag)."""
    comp = data.get("needs_components")
    if comp is None:
        return {}
    out: dict[str, dict[str, tuple[str, str]]] = {}
    for r in records(comp):
        out.setdefault(r["village_code"], {})[r["indicator_id"]] = (
            fmt.f1(r["weight"]).removesuffix(".0"), fmt.flagged(r["need_value"], r["flag"]))
    return out


def components_table(data: ReportData, t: Strings, cat: Catalogue) -> Table | None:
    comp = data.get("needs_components")
    if comp is None:
        return None
    order = {i.id: n for n, i in enumerate(cat.indicators)}
    g = comp.groupby("indicator_id").agg(direction=("direction", "first"),
                                         weight=("weight", "first"),
                                         available=("available", "sum")).reset_index()
    g = g.assign(_o=g["indicator_id"].map(order)).sort_values(["_o", "indicator_id"])
    lang = t.lang
    rows = [Row([cat.get(r.indicator_id).label[lang] if r.indicator_id in order
                 else r.indicator_id, r.indicator_id, t.group("direction", str(r.direction)),
                 fmt.f1(r.weight).removesuffix(".0"), fmt.count(r.available)])
            for r in g.itertuples()]
    version = str(comp["config_version"].iloc[0]) if "config_version" in comp else ""
    return Table("needs-components", t("tab_needs_components"),
                 [t("col_indicator"), t("col_id"), t("col_direction"), t("col_weight"),
                  t("col_available")], rows, ["l", "l", "l", "num", "n"],
                 caption=t("tab_needs_components_note", version=version),
                 sheet="Index components")


def ranking_table(data: ReportData, t: Strings) -> Table | None:
    idx = data.get("needs_index")
    if idx is None:
        return None
    dist = _district(data)
    rows, notes = [], set()
    for _, r in ranked(data).iterrows():
        notes |= {"partial"} if bool(r.get("partial", False)) else set()
        notes |= {"census"} if bool(r.get("census", False)) else set()
        bounds = fmt.ci(r.get("index_low"), r.get("index_high"))
        rows.append(Row([fmt.whole(r["rank"]), str(r["village_name"]),
                         dist.get(r["village_code"], ""), _score(r),
                         fmt.ci(r["ci_low"], r["ci_high"]),
                         fmt.rank_interval(r["rank_low"], r["rank_high"]),
                         fmt.percent0(r["p_top_k"]), bounds, str(r.get("readiness_display", ""))],
                        "", {"area": r["village_code"]}))
    k = fmt.whole(idx["top_k"].iloc[0]) if "top_k" in idx else "k"
    foot = [t("needs_foot_rank", k=k)] + [t("needs_foot_" + n) for n in sorted(notes)]
    return Table("needs-ranking", t("tab_needs_ranking"), [
        t("col_rank"), t("col_village"), t("col_district"), t("col_score"), t("col_ci"),
        t("col_rank_interval"), t("col_p_top", k=k), t("col_missing_bounds"),
        t("col_readiness")], rows, ["n", "l", "l", "num", "ci", "ci", "num", "ci", "est"],
        footnotes=foot, sheet="Needs index ranking")


def unranked_line(data: ReportData, t: Strings) -> str:
    """The villages not ranked, as one sentence (a 400-row table of blanks helps no one)."""
    idx = data.get("needs_index")
    if idx is None:
        return ""
    rest = idx[idx["status"] != "ranked"].sort_values(["village_name", "village_code"])
    if rest.empty:
        return ""
    dist = _district(data)
    names = ", ".join(f"{r.village_name} ({dist.get(r.village_code, '')})"
                      for r in rest.itertuples())
    return t("needs_unranked_list", n=len(rest), names=names)


def sensitivity_table(data: ReportData, t: Strings) -> Table | None:
    sens = data.get("needs_sensitivity")
    if sens is None:
        return None
    rows = []
    for scen, g in sens.groupby("scenario", sort=False):
        ch = g["rank_change"].abs().dropna()
        rows.append(Row([t.group("scenarios", str(scen)), t.group("scenario_kinds",
                                                                  str(g["kind"].iloc[0])),
                         fmt.count((g["status"] == "ranked").sum()),
                         fmt.count(g["in_top_k"].fillna(False).astype(bool).sum()),
                         fmt.count(g["top_k_changed"].fillna(0).astype(float).sum()),
                         fmt.f1(ch.median()) if len(ch) else "",
                         fmt.whole(ch.max()) if len(ch) else ""]))
    return Table("needs-sensitivity", t("tab_needs_sensitivity"), [
        t("col_scenario"), t("col_kind"), t("col_n_ranked"), t("col_in_top"),
        t("col_top_changed"), t("col_median_change"), t("col_max_change")], rows,
        ["l", "l", "n", "n", "n", "num", "num"], caption=t("tab_needs_sensitivity_note"),
        sheet="Index sensitivity")


def summary_lines(data: ReportData, t: Strings, limit: int = 10) -> list[str]:
    """Plain words for the summary: the villages most likely to be among the top k."""
    idx = data.get("needs_index")
    if idx is None:
        return [t("needs_not_available")]
    r = ranked(data)
    if r.empty:
        return [t("needs_none_ranked", n=len(idx))]
    dist = _district(data)
    k = fmt.whole(r["top_k"].iloc[0])
    lines = [t("needs_summary_intro", n=len(idx), ranked=len(r), k=k)]
    top = r.sort_values(["p_top_k", "rank"], ascending=[False, True]).head(
        min(limit, int(r["top_k"].iloc[0])))
    for _, v in top.sort_values("rank").iterrows():
        lines.append(t("needs_summary_village", village=v["village_name"],
                       district=dist.get(v["village_code"], ""), score=fmt.f1(v["index"]),
                       ci=fmt.ci(v["ci_low"], v["ci_high"]), rank=fmt.whole(v["rank"]),
                       rlo=fmt.whole(v["rank_low"]), rhi=fmt.whole(v["rank_high"]), k=k,
                       p=fmt.percent0(v["p_top_k"])))
    return lines
