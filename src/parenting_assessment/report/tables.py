"""A table model shared by the HTML, the PDF and the Excel workbook; MICS estimate tables.

The estimate tables are by district, by background characteristics and by village.

One model for three outputs keeps the numbers identical everywhere: a cell's text is made once,
here, from the warehouse's ``display`` column and the interval bounds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from parenting_assessment.indicators.catalogue import Indicator
from parenting_assessment.report import fmt
from parenting_assessment.report.strings import Strings

if TYPE_CHECKING:
    from parenting_assessment.report.document import Document

MISSING_NOTE_PCT = 10.0
KEY_ORDER = ("sex", "age", "mig", "cg", "cg_sex", "cg_age", "hh_mig")
VALUE_ORDER = ("male", "female", "none", "father_abroad", "mother_abroad", "both_abroad",
               "mother", "father", "grandparent", "other_relative", "non_relative", "other",
               "<30", "30-44", "45-59", "60+", "unknown")


@dataclass
class Row:
    """One table row; a ``group`` row has a single cell spanning the table."""

    cells: list[str]
    kind: str = ""
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class Table:
    """A published table: header, rows, per-column classes, caption and footnotes."""

    key: str
    title: str
    columns: list[str]
    rows: list[Row]
    classes: list[str]
    caption: str = ""
    footnotes: list[str] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)
    number: str = ""
    pdf: bool = True
    sheet: str = ""

    def col_widths(self) -> list[float]:
        """Column widths (% of the table) from the text of each column.

        The PDF lays tables out with ``table-layout: fixed``: WeasyPrint's automatic layout
        measures every cell twice and was a third of the PDF time. A column gets room for its
        typical (mean) text, at least its header word and never more than 60 characters.
        """
        n = len(self.columns)
        lengths: list[list[int]] = [[] for _ in range(n)]
        for r in self.rows:
            if r.kind != "group":
                for j, c in enumerate(r.cells[:n]):
                    lengths[j].append(len(c))
        raw = []
        for j, head in enumerate(self.columns):
            mean = sum(lengths[j]) / len(lengths[j]) if lengths[j] else 0
            longest = max(lengths[j], default=0)
            word = max((len(w) for w in head.split()), default=4)
            raw.append(min(max(mean * 1.15, min(longest, 14), word), 60) + 2)
        total = sum(raw)
        return [round(100 * x / total, 1) for x in raw]


def flag_notes(t: Strings, flags: set[str], missing_marked: bool = False) -> list[str]:
    """The MICS footnotes for the flags that occur in a table (in the MICS order)."""
    notes = [t.group("footnotes", f) for f in ("paren", "suppressed", "zero") if f in flags]
    if missing_marked:
        notes.append(t("missing_note", pct=fmt.whole(MISSING_NOTE_PCT)))
    return notes


def category_label(t: Strings, ind: Indicator | None, key: str, value: str) -> str:
    if key == "age" and ind is not None and ind.age is not None:
        return f"{value.replace('-', '–')} {t.group('units', ind.age.unit)}"
    return t.group("disagg_values", value)


def sort_values(key: str, values: list[str]) -> list[str]:
    if key == "age":
        return sorted(values, key=lambda v: float(v.split("-")[0].lstrip("<").rstrip("+")))
    rank = {v: i for i, v in enumerate(VALUE_ORDER)}
    return sorted(values, key=lambda v: (rank.get(v, len(rank)), v))


class EstimateTables:
    """The three estimate tables of one indicator, in one language.

    Built from the indicator's estimate rows (plain dicts, see ``ReportData.cells``).
    """

    def __init__(self, t: Strings, rows: list[dict], supporting: pd.DataFrame,
                 district_names: dict[str, str], beside: str | None) -> None:
        self.t, self.rows, self.names = t, rows, district_names
        self.beside_id = beside or ""
        self.beside: dict[tuple, str] | None = None
        if beside is not None and not supporting.empty:
            sup = supporting[supporting["indicator_id"] == beside]
            self.beside = {(r.level, r.area_code, r.disagg_key, r.disagg_value): r.display
                           for r in sup.itertuples()}
        self.flags: set[str] = set()
        self.missing_marked = False

    def _cells(self, r: dict, *, deff: bool = False, missing: bool = True) -> list[str]:
        flag = r["flag"]
        self.flags.add(flag)
        cells = [r["display"] or "", fmt.ci(r["ci_low"], r["ci_high"], flag)]
        if self.beside is not None:
            key = (r["level"], r["area_code"], r["disagg_key"], r["disagg_value"])
            cells.append(self.beside.get(key, ""))
        if deff:
            cells.append(fmt.f1(r["deff"]) if flag in fmt.SHOWN else "")
        cells += [fmt.count(r["n_unweighted"]), fmt.count(r["N_weighted"])]
        if missing:
            m = fmt.f1(r["missing_pct"]) if flag in fmt.SHOWN else ""
            if m and float(r["missing_pct"]) > MISSING_NOTE_PCT:
                m += "\u2020"
                self.missing_marked = True
            cells.append(m)
        return cells

    def _head(self, first: list[str], *, deff: bool = False, missing: bool = True) -> list[str]:
        t = self.t
        cols = [*first, t("col_pct"), t("col_ci")]
        if self.beside is not None:
            cols.append(t.group("col_beside", self.beside_id))
        if deff:
            cols.append(t("col_deff"))
        return cols + [t("col_n"), t("col_N")] + ([t("col_missing")] if missing else [])

    @staticmethod
    def _attrs(r: dict) -> dict[str, str]:
        return {"level": r["level"], "area": r["area_code"], "key": r["disagg_key"],
                "value": r["disagg_value"]}

    def _classes(self, n_text: int, *, deff: bool = False, missing: bool = True) -> list[str]:
        cls = ["l"] * n_text + ["est", "ci"] + (["est-beside"] if self.beside is not None else [])
        return cls + (["num"] if deff else []) + ["n", "num"] + (["num"] if missing else [])

    def _pick(self, level: str, key: str = "total") -> list[dict]:
        return [r for r in self.rows if r["level"] == level and r["disagg_key"] == key]

    def by_district(self) -> tuple[list[str], list[Row], list[str]]:
        rows = [Row([self.t("all_villages"), *self._cells(o, deff=True)], "overall",
                    self._attrs(o)) for o in self._pick("overall")]
        named = sorted(((self.names.get(r["area_code"], r["area_code"]), r)
                        for r in self._pick("district")), key=lambda x: (x[0], x[1]["area_code"]))
        rows += [Row([name, *self._cells(r, deff=True)], "district", self._attrs(r))
                 for name, r in named]
        return self._head([self.t("col_district")], deff=True), rows, self._classes(1, deff=True)

    def by_group(self, ind: Indicator) -> tuple[list[str], list[Row], list[str]]:
        t = self.t
        rows = [Row([t("total"), *self._cells(r, missing=False)], "overall", self._attrs(r))
                for r in self._pick("overall")]
        for key in KEY_ORDER:
            part = {r["disagg_value"]: r for r in self._pick("overall", key)}
            if not part:
                continue
            rows.append(Row([t.group("disagg_keys", key)], "group"))
            for value in sort_values(key, list(part)):
                r = part[value]
                rows.append(Row([category_label(t, ind, key, value),
                                 *self._cells(r, missing=False)], "", self._attrs(r)))
        return (self._head([t("col_characteristic")], missing=False), rows,
                self._classes(1, missing=False))

    def by_village(self, villages: pd.DataFrame) -> tuple[list[str], list[Row], list[str]]:
        t = self.t
        at = {(r["level"], r["area_code"]): r for r in self.rows if r["disagg_key"] == "total"}
        rows = [Row([t("all_villages"), "", *self._cells(o)], "overall", self._attrs(o))
                for o in self._pick("overall")]
        for dcode, vs in villages.groupby("kode_kabupaten", sort=False):
            r = at.get(("district", dcode))
            if r is not None:
                rows.append(Row([self.names.get(dcode, dcode), dcode, *self._cells(r)],
                                "district", self._attrs(r)))
            for code, name in zip(vs["kode_kemendagri"], vs["desa"], strict=True):
                r = at.get(("village", code))
                if r is not None:
                    rows.append(Row([name, code, *self._cells(r)], "", self._attrs(r)))
        return self._head([t("col_village"), t("col_code")]), rows, self._classes(2)


def matrix_table(doc: Document, key: str, inds: list[Indicator],
                 names: dict[str, str]) -> Table:
    """Villages × indicators of one chapter: the published values (with flags) side by side.

    Indicators are numbered columns, named in the footnotes as MICS tables do; the interval and
    the number of cases of every cell are in the per-indicator tables and the profiles.
    """
    t, data = doc.t, doc.data
    totals = data.totals
    flags: set[str] = set()

    def cells(level: str, area: str) -> list[str]:
        out = []
        for ind in inds:
            r = totals.get((ind.id, level, area))
            flags.add(r["flag"] if r else "")
            out.append(r["display"] if r else "")
        return out

    rows = [Row([t("all_villages"), *cells("overall", "all")], "overall",
                {"level": "overall", "area": "all"})]
    for dcode, vs in data.villages.groupby("kode_kabupaten", sort=False):
        rows.append(Row([names.get(dcode, dcode), *cells("district", dcode)], "district",
                        {"level": "district", "area": dcode}))
        rows += [Row([name, *cells("village", code)], "", {"level": "village", "area": code})
                 for code, name in zip(vs["kode_kemendagri"], vs["desa"], strict=True)]
    cols = [t("col_village")] + [f"[{k}]" + (f" {i.mics6_code}" if i.mics6_code else "")
                                  for k, i in enumerate(inds, start=1)]
    legend = [f"[{k}] {i.label[t.lang]} ({i.id}). {t('col_denominator')}: "
              f"{t.denominator(i.id)}." for k, i in enumerate(inds, start=1)]
    return Table(f"matrix-{key}", t("tab_matrix", chapter=t.group("chapters", key)), cols, rows,
                 ["l"] + ["est"] * len(inds), caption=t("tab_matrix_note"),
                 footnotes=legend + flag_notes(t, flags),
                 attrs={"table": "matrix", "indicators": " ".join(i.id for i in inds)},
                 sheet=f"{key} villages")
