"""Needs-index charts: score and rank intervals side by side, and a map of village centroids.

The ranking chart never shows a rank without its 95% rank interval, and puts the score with
its 95% CI next to it (INDICATORS.md §6). The map is a plain lon/lat scatter (no basemap, so it
renders offline), coloured with cividis, which stays readable for colour-blind readers and in
greyscale; villages without a score are hollow grey, never coloured as if they had one.
"""

from __future__ import annotations

import math
import textwrap

import matplotlib.pyplot as plt
import numpy as np

from parenting_assessment.report.charts import GREY, OKABE_ITO, STYLE, dots, figure, png, ticks

MAP_CMAP = "cividis"


def ranking_chart(spec: dict) -> bytes:
    rows = spec["rows"]
    if not rows:
        return b""
    h = 0.19 * len(rows) + 0.9
    with plt.rc_context(STYLE):
        fig, (a1, a2) = figure(h, [spec["source"], spec["note"]], ncols=2, sharey=True,
                               gridspec_kw={"width_ratios": [1.2, 1]})
        score = [{"name": r["name"], "est": r["score"], "lo": r["lo"], "hi": r["hi"],
                  "flag": "paren" if r["partial"] else ""} for r in rows]
        ys = [-float(i) for i in range(len(rows))]
        dots(a1, score, ys, color=OKABE_ITO[0])
        ticks(a1, ys, [r["name"] for r in rows])
        a1.set_ylim(ys[-1] - 0.7, 0.7)
        rank = [{"name": r["name"], "est": r["rank"], "lo": r["rlo"], "hi": r["rhi"],
                 "flag": ""} for r in rows]
        dots(a2, rank, ys, color=OKABE_ITO[3])
        a2.tick_params(axis="y", length=0, labelleft=False)
        a1.set_xlabel(spec["score_label"])
        a2.set_xlabel(spec["rank_label"])
        n = max(r["rhi"] for r in rows)
        a2.set_xlim(0.5, max(n, spec["n_ranked"]) + 0.5)
        fig.suptitle(textwrap.fill(spec["title"], 95), x=0.01, ha="left", fontsize=9,
                     fontweight="bold")
        return png(fig)


def _aspect(lat: np.ndarray) -> float:
    return 1.0 / max(math.cos(math.radians(float(np.nanmean(lat)))), 0.2)


def map_chart(spec: dict) -> bytes:
    pts = [p for p in spec["points"] if p["lat"] is not None and p["lon"] is not None]
    if not pts:
        return b""
    lon = np.array([p["lon"] for p in pts], dtype=float)
    lat = np.array([p["lat"] for p in pts], dtype=float)
    val = np.array([np.nan if p["index"] is None else p["index"] for p in pts], dtype=float)
    has = ~np.isnan(val)
    with plt.rc_context(STYLE | {"axes.grid": False}):
        fig, ax = figure(5.2, [spec["source"], spec["note"]])
        if (~has).any():
            ax.scatter(lon[~has], lat[~has], s=22, facecolors="white", edgecolors=GREY,
                       linewidths=0.8, label=spec["unranked_label"], zorder=2)
        if has.any():
            sc = ax.scatter(lon[has], lat[has], c=val[has], cmap=MAP_CMAP, s=30,
                            edgecolors="#333333", linewidths=0.4, zorder=3,
                            vmin=float(np.nanmin(val)), vmax=float(np.nanmax(val)))
            bar = fig.colorbar(sc, ax=ax, shrink=0.8, pad=0.02)
            bar.set_label(spec["colour_label"])
        for d in spec["districts"]:
            ax.annotate(d["name"], (d["lon"], d["lat"]), fontsize=7, ha="center",
                        va="bottom", xytext=(0, 8), textcoords="offset points", color="#222222",
                        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none",
                              "alpha": 0.7})
        ax.set_aspect(_aspect(lat), adjustable="datalim")
        ax.set_xlabel(spec["lon_label"])
        ax.set_ylabel(spec["lat_label"])
        ax.set_title(textwrap.fill(spec["title"], 90), loc="left", fontweight="bold")
        if (~has).any():
            ax.legend(loc="best", fontsize=7, frameon=True)
        return png(fig)
