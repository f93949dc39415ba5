"""The regression chapter: one odds-ratio table per model and a plain-language reading.

The reading is generated only from the interval: "above 1", "below 1" or "includes 1 (no clear
difference)". It never says "effect": the models give adjusted associations, not causes (see
``parenting_assessment.models.logistic``), and the report says so before the tables.
"""

from __future__ import annotations

import pandas as pd

from parenting_assessment.indicators.catalogue import Catalogue
from parenting_assessment.report import fmt
from parenting_assessment.report.data import ReportData
from parenting_assessment.report.strings import Strings
from parenting_assessment.report.tables import Row, Table, category_label

TERM_ORDER = ("mig", "cg", "sex", "age", "pcg_age", "hh_size")
READ_TERMS = ("mig", "cg")


def _family(term: str) -> str:
    return term.split("[", 1)[0]


def _or(x: object) -> str:
    return f"{float(x):.2f}" if fmt.finite(x) else ""  # type: ignore[arg-type]


def _p(x: object) -> str:
    if not fmt.finite(x):
        return ""
    return "<0.001" if float(x) < 0.001 else f"{float(x):.3f}"  # type: ignore[arg-type]


def _ref(t: Strings, cat: Catalogue, model: str, term: str, ref: str) -> str:
    fam = _family(term)
    if not ref or ref in ("nan", "None"):
        return ""
    key = {"pcg_age": "cg_age"}.get(fam, fam)
    ind = cat.get(model) if model in {i.id for i in cat.indicators} else None
    return category_label(t, ind, key, ref)


def _sorted(m: pd.DataFrame) -> pd.DataFrame:
    rank = {f: i for i, f in enumerate(TERM_ORDER)}
    return m.assign(_f=m["term"].map(lambda s: rank.get(_family(s), len(rank)))).sort_values(
        ["_f", "term"], kind="stable")


def model_tables(data: ReportData, t: Strings, cat: Catalogue) -> list[tuple[str, Table,
                                                                              list[str]]]:
    """[(model id, odds-ratio table, plain-language lines)] in catalogue order."""
    res = data.get("models")
    if res is None:
        return []
    order = {i.id: n for n, i in enumerate(cat.indicators)}
    lang = t.lang
    out = []
    for model in sorted(res["model"].unique(), key=lambda m: (order.get(m, 99), m)):
        m = _sorted(res[res["model"] == model])
        outcome = cat.get(model).label[lang] if model in order else model
        label_col = f"term_label_{lang}"
        rows, lines = [], []
        for _, r in m.iterrows():
            term = str(r[label_col]) if label_col in r and str(r[label_col]) else r["term"]
            ref = _ref(t, cat, model, r["term"], str(r.get("reference", "")))
            ok = bool(r.get("estimable", True)) and fmt.finite(r["odds_ratio"])
            rows.append(Row([term, ref, _or(r["odds_ratio"]) if ok else t("not_estimable"),
                             f"{_or(r['ci_low'])}–{_or(r['ci_high'])}" if ok else "",
                             _p(r["p_value"]) if ok else ""], "", {"term": r["term"]}))
            if _family(r["term"]) in READ_TERMS:
                lines.append(_reading(t, term, ref, outcome, r, ok))
        first = m.iloc[0]
        info = t("model_info", n=fmt.count(first.get("n")), events=fmt.count(
            first.get("n_events")), clusters=fmt.count(first.get("n_clusters")),
            converged=t.group("yes_no", str(bool(first.get("converged", True)))))
        notes = sorted({str(x) for x in m.get("note", pd.Series(dtype=str)).dropna() if str(x)})
        table = Table(f"model-{model}", t("tab_model", outcome=outcome),
                      [t("col_term"), t("col_reference"), t("col_or"), t("col_ci"), t("col_p")],
                      rows, ["l", "l", "num", "ci", "num"], caption=info,
                      footnotes=[t("model_notes_label") + " " + n for n in notes],
                      attrs={"model": model}, sheet=f"Model {model}")
        out.append((model, table, lines))
    return out


def _reading(t: Strings, term: str, ref: str, outcome: str, r: pd.Series, ok: bool) -> str:
    if not ok:
        return t("model_not_estimable", term=term)
    args = {"term": term, "ref": ref, "outcome": outcome, "or": _or(r["odds_ratio"]),
            "lo": _or(r["ci_low"]), "hi": _or(r["ci_high"])}
    if float(r["ci_low"]) > 1:
        return t("model_higher", **args)
    if float(r["ci_high"]) < 1:
        return t("model_lower", **args)
    return t("model_unclear", **args)
