"""Render the mapping report (HTML, self-contained) from the warehouse estimates."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path

import duckdb
import pandas as pd
import yaml
from jinja2 import Environment, PackageLoader, select_autoescape

from parenting_assessment.estimation import FOOTNOTES
from parenting_assessment.indicators.catalogue import Catalogue
from parenting_assessment.report.charts import village_dot_plot

REPORT_INDICATORS = ("lb_parent_abroad", "care_supervision_inadequate")


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    code_version: str
    time: str = ""


@cache
def strings() -> dict[str, dict[str, str]]:
    text = resources.files("parenting_assessment.report").joinpath("strings.yaml").read_text(
        encoding="utf-8")
    return yaml.safe_load(text)


def _env() -> Environment:
    return Environment(loader=PackageLoader("parenting_assessment.report", "templates"),
                       autoescape=select_autoescape(["html", "j2"]))


def _ci(row: pd.Series) -> str:
    if row["flag"] not in ("", "paren") or pd.isna(row["ci_low"]):
        return ""
    return f"{row['ci_low']:.1f}–{row['ci_high']:.1f}"


def render_html(con: duckdb.DuckDBPyConnection, cat: Catalogue, frame: pd.DataFrame,
                out_dir: Path, run: RunInfo, lang: str = "id") -> Path:
    t = strings()[lang]
    est = con.execute("select * from estimates.estimates where disagg_key = 'total'").df()
    district = dict(zip(frame["kode_kemendagri"], frame["kabupaten"], strict=True))
    counts = {
        "households": con.execute(
            "select count(*) from core.households where responded").fetchall()[0][0],
        "children": con.execute("select count(*) from core.children").fetchall()[0][0],
    }
    overall, blocks = [], []
    for ind_id in REPORT_INDICATORS:
        ind = cat.get(ind_id)
        rows = est[est["indicator_id"] == ind_id]
        o = rows[rows["level"] == "overall"].iloc[0]
        overall.append({"label": ind.label[lang], "display": o["display"], "ci": _ci(o),
                        "n_unweighted": int(o["n_unweighted"])})
        vil = rows[rows["level"] == "village"].copy()
        vil["district"] = vil["area_code"].map(district)
        vil = vil.sort_values(["district", "area_name"])
        chart = village_dot_plot(vil, title=ind.label[lang], xlabel=t["chart_x"],
                                 source=t["source"], suppressed_note=t["suppressed_note"])
        blocks.append({
            "id": ind_id, "label": ind.label[lang],
            "code_note": t["code_note"].format(code=ind.mics6_code or t["no_code"],
                                               universe=ind.universe),
            "chart": base64.b64encode(chart).decode(),
            "rows": [{"area_name": r.area_name, "area_code": r.area_code,
                      "district": r.district, "display": r.display, "ci": _ci(pd.Series(
                          r._asdict())), "flag": r.flag, "n_unweighted": int(r.n_unweighted),
                      "N_weighted": f"{r.N_weighted:,.0f}"} for r in vil.itertuples()],
        })
    html = _env().get_template("report.html.j2").render(
        lang=lang, t=t, run={"run_id": run.run_id, "time": run.time or datetime.now(UTC)
                              .strftime("%Y-%m-%d %H:%M UTC"),
                              "catalogue_version": cat.version, "code_version": run.code_version},
        villages=frame["kode_kemendagri"].tolist(), counts=counts, overall=overall,
        indicators=blocks, footnotes=[FOOTNOTES[k] for k in ("paren", "suppressed", "zero")])
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"report_{lang}.html"
    path.write_text(html, encoding="utf-8")
    return path
