"""Tables of the survey and data-quality chapters.

Sample and response per village, records received/accepted/quarantined, findings by rule,
and fieldwork completion against targets.
"""

from __future__ import annotations

import pandas as pd

from parenting_assessment.report import fmt
from parenting_assessment.report.data import ReportData
from parenting_assessment.report.strings import Strings
from parenting_assessment.report.tables import Row, Table


def by_village(data: ReportData) -> pd.DataFrame:
    """Frame villages with listed, target, selected, responded counts per stratum."""
    hh = data.households.pivot_table(index="village_code", columns="stratum_type",
                                     values=["selected", "responded"], aggfunc="sum",
                                     fill_value=0)
    hh.columns = [f"{a}_{b}" for a, b in hh.columns]
    v = data.villages.merge(hh, left_on="kode_kemendagri", right_index=True, how="left")
    for s in ("pmi", "non_pmi"):
        for c in ("selected", "responded"):
            col = f"{c}_{s}"
            v[col] = v[col].fillna(0).astype("int64") if col in v else 0
    v["selected"] = v["selected_pmi"] + v["selected_non_pmi"]
    v["responded"] = v["responded_pmi"] + v["responded_non_pmi"]
    v["target"] = v["target_pmi"] + v["target_non_pmi"]
    return v


def _rate(num: float, den: float) -> str:
    return fmt.f1(100 * num / den) if den else "-"


def sample_table(data: ReportData, t: Strings) -> Table:
    v = by_village(data)
    rows = []
    for r in v.itertuples():
        rows.append(Row([r.desa, r.kode_kemendagri, r.kabupaten, fmt.count(r.n_listed_pmi),
                         fmt.count(r.n_listed_non_pmi), fmt.count(r.target),
                         fmt.count(r.selected), fmt.count(r.responded),
                         _rate(r.responded, r.selected), _rate(r.responded, r.target)], "",
                        {"area": r.kode_kemendagri}))
    tot = v[["n_listed_pmi", "n_listed_non_pmi", "target", "selected", "responded"]].sum()
    rows.append(Row([t("all_villages"), "", "", fmt.count(tot.n_listed_pmi),
                     fmt.count(tot.n_listed_non_pmi), fmt.count(tot.target),
                     fmt.count(tot.selected), fmt.count(tot.responded),
                     _rate(tot.responded, tot.selected), _rate(tot.responded, tot.target)],
                    "overall"))
    return Table("sample", t("tab_sample"), [
        t("col_village"), t("col_code"), t("col_district"), t("col_listed_pmi"),
        t("col_listed_non_pmi"), t("col_target"), t("col_selected"), t("col_responded"),
        t("col_response_rate"), t("col_pct_target")], rows,
        ["l", "l", "l", "n", "n", "n", "n", "n", "num", "num"], caption=t("tab_sample_note"),
        sheet="Sample")


def completion_table(data: ReportData, t: Strings) -> Table:
    """Fieldwork completion by district and stratum, from the accepted households.

    The per-village figures are in the sample table and, when the run has one, in the
    fieldwork-monitoring table (`monitoring_table`).
    """
    v = by_village(data)
    cols = ["target_pmi", "responded_pmi", "target_non_pmi", "responded_non_pmi", "target",
            "selected", "responded"]
    g = v.groupby("kabupaten", sort=True)[cols].sum()
    g["villages"] = v.groupby("kabupaten", sort=True).size()
    g.loc[t("all_villages")] = [*v[cols].sum(), len(v)]

    def row(name: str, r: pd.Series, kind: str = "") -> Row:
        return Row([name, fmt.count(r.villages), fmt.count(r.target_pmi),
                    fmt.count(r.responded_pmi), fmt.count(r.target_non_pmi),
                    fmt.count(r.responded_non_pmi), _rate(r.responded, r.target),
                    _rate(r.responded, r.selected)], kind)

    rows = [row(str(k), r, "overall" if i == len(g) - 1 else "")
            for i, (k, r) in enumerate(g.iterrows())]
    return Table("completion", t("tab_completion"), [
        t("col_district"), t("col_villages"), t("col_target_pmi"), t("col_done_pmi"),
        t("col_target_non_pmi"), t("col_done_non_pmi"), t("col_pct_target"),
        t("col_response_rate")], rows, ["l", "n", "n", "n", "n", "n", "num", "num"],
        caption=t("tab_completion_note"), sheet="Fieldwork")


MONITORING = (("desa", "col_village", "l"), ("kabupaten", "col_district", "l"),
              ("target_pmi", "col_target_pmi", "n"), ("completed_pmi", "col_done_pmi", "n"),
              ("accepted_pmi", "col_accepted_pmi", "n"),
              ("target_non_pmi", "col_target_non_pmi", "n"),
              ("completed_non_pmi", "col_done_non_pmi", "n"),
              ("accepted_non_pmi", "col_accepted_non_pmi", "n"),
              ("response_rate", "col_response_rate", "num"), ("outliers", "col_outliers", "l"))


def monitoring_table(data: ReportData, t: Strings) -> Table | None:
    """Per village from the fieldwork-monitoring table, when this run has one."""
    mon = data.get("monitoring")
    if mon is None:
        return None
    cols = [c for c in MONITORING if c[0] in mon.columns]
    order = [c for c in ("kabupaten", "desa") if c in mon.columns]
    mon = mon.sort_values(order) if order else mon
    rows = []
    for r in mon.to_dict("records"):
        cells = []
        for col, _, kind in cols:
            v = r[col]
            if col == "response_rate":
                cells.append(fmt.f1(100 * float(v)) if fmt.finite(v) else "")
            else:
                cells.append(fmt.count(v) if kind == "n" else ("" if v is None else str(v)))
        rows.append(Row(cells, "", {"area": str(r.get("village", ""))}))
    return Table("monitoring", t("tab_monitoring"), [t(c[1]) for c in cols], rows,
                 [c[2] for c in cols], caption=t("tab_monitoring_note"),
                 sheet="Fieldwork by village")


def reconciliation_table(data: ReportData, t: Strings) -> Table | None:
    rec = data.get("reconciliation")
    if rec is None:
        return None
    cols = ["rows_read", "duplicates", "quarantined", "accepted"]
    rows = [Row([t.group("sections", r["section"]), *[fmt.count(r[c]) for c in cols]], "",
                {"section": r["section"]}) for _, r in rec.iterrows()]
    return Table("reconciliation", t("tab_reconciliation"),
                 [t("col_section"), t("col_rows_read"), t("col_duplicates"),
                  t("col_quarantined"), t("col_accepted")], rows, ["l", "n", "n", "n", "n"],
                 caption=t("tab_reconciliation_note"), sheet="Records")


def quarantine_table(data: ReportData, t: Strings) -> Table:
    q = data.quarantine
    rows = [Row([r.rule_id, t.group("severity", str(r.severity)), t.group("reason", str(r.kind)),
                 fmt.count(r.submissions), fmt.count(r.rows)]) for r in q.itertuples()]
    if not rows:
        rows = [Row([t("none_quarantined")], "group")]
    return Table("quarantine", t("tab_quarantine"), [
        t("col_rule"), t("col_severity"), t("col_reason"), t("col_submissions"),
        t("col_rows")], rows, ["l", "l", "l", "n", "n"], caption=t("tab_quarantine_note"),
        sheet="Quarantine by rule")


def findings_table(data: ReportData, t: Strings) -> Table:
    f = data.findings
    rows = [Row([r.rule_id, str(r.rule_family), t.group("severity", str(r.severity)),
                 t.group("sections", str(r.section)), fmt.count(r.findings),
                 fmt.count(r.submissions)]) for r in f.itertuples()]
    if not rows:
        rows = [Row([t("no_findings")], "group")]
    return Table("findings", t("tab_findings"), [
        t("col_rule"), t("col_family"), t("col_severity"), t("col_section"), t("col_findings"),
        t("col_submissions")], rows, ["l", "l", "l", "l", "n", "n"],
        caption=t("tab_findings_note"), sheet="Findings by rule")


def weights_text(data: ReportData, t: Strings) -> str:
    hh = data.households.dropna(subset=["w_min"])
    if hh.empty:
        return ""
    census = int((hh["responded"] == hh["listed"]).sum())
    return t("weights_range", lo=fmt.f1(hh["w_min"].min()), hi=fmt.f1(hh["w_max"].max()),
             census=census, strata=len(hh))
