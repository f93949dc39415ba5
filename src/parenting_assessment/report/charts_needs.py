"""Needs-index charts: score and rank intervals side by side, and a map of village centroids.

The ranking chart never shows a rank without its 95% rank interval, and puts the score with
its 95% CI next to it (INDICATORS.md §6). The map is a plain lon/lat scatter (no basemap, so it
renders offline), coloured with cividis, which stays readable for colour-blind readers and in
greyscale; villages without a score are hollow grey, never coloured as if they had one.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from parenting_assessment.report.charts import (
    GREY,
    OKABE_ITO,
    STYLE,
    WIDTH,
    dots,
    frame,
    png,
    ticks,
)

MAP_CMAP = "cividis"


def ranking_chart(spec: dict) -> bytes:
    rows = spec["rows"]
    if not rows:
        return b""
    ys = [-float(i) for i in range(len(rows))]
    names = [r["name"] for r in rows]
    with plt.rc_context(STYLE):
        fig, a1 = frame(0.19 * len(rows) + 0.3, labels=names, title=spec["title"],
                        notes=[spec["source"], spec["note"]])
        box = a1.get_position()
        a1.set_position((box.x0, box.y0, box.width * 0.54, box.height))
        a2 = fig.add_axes((box.x0 + box.width * 0.58, box.y0, box.width * 0.42, box.height),
                          sharey=a1)
        score = [{"est": r["score"], "lo": r["lo"], "hi": r["hi"],
                  "flag": "paren" if r["partial"] else ""} for r in rows]
        dots(a1, score, ys, color=OKABE_ITO[0])
        rank = [{"est": r["rank"], "lo": r["rlo"], "hi": r["rhi"], "flag": ""} for r in rows]
        dots(a2, rank, ys, color=OKABE_ITO[3])
        ticks(a1, ys, names)
        a1.set_ylim(ys[-1] - 0.7, 0.7)
        a2.tick_params(axis="y", length=0, labelleft=False)
        a1.set_xlabel(spec["score_label"])
        a2.set_xlabel(spec["rank_label"])
        a2.set_xlim(0.5, max(max(r["rhi"] for r in rows), spec["n_ranked"]) + 0.5)
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
        fig, ax = frame(4.6, labels=["-10.000 (°)  "], title=spec["title"],
                        notes=[spec["source"], spec["note"]], right=1.1)
        if (~has).any():
            ax.scatter(lon[~has], lat[~has], s=22, facecolors="white", edgecolors=GREY,
                       linewidths=0.8, label=spec["unranked_label"], zorder=2)
            ax.legend(loc="upper left", bbox_to_anchor=(0.0, 1.0), fontsize=7, frameon=True)
        if has.any():
            sc = ax.scatter(lon[has], lat[has], c=val[has], cmap=MAP_CMAP, s=30,
                            edgecolors="#333333", linewidths=0.4, zorder=3,
                            vmin=float(np.nanmin(val)), vmax=float(np.nanmax(val)))
            box = ax.get_position()
            cax = fig.add_axes((box.x1 + 0.25 / WIDTH, box.y0, 0.12 / WIDTH, box.height))
            fig.colorbar(sc, cax=cax).set_label(spec["colour_label"])
        for d in spec["districts"]:
            ax.annotate(d["name"], (d["lon"], d["lat"]), fontsize=7, ha="center",
                        va="bottom", xytext=(0, 8), textcoords="offset points", color="#222222",
                        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none",
                              "alpha": 0.7})
        ax.set_aspect(_aspect(lat), adjustable="datalim")
        ax.set_xlabel(spec["lon_label"])
        ax.set_ylabel(spec["lat_label"])
        return png(fig)
