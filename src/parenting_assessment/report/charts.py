"""Charts in one style: Okabe–Ito colours, DejaVu Sans, titles, labelled axes, source notes.

Rules every chart follows (SAMPLING.md §4, INDICATORS.md §5):

* a suppressed ``(*)`` or empty ``-`` cell is never drawn as an estimate: it is named in the
  note under the chart instead;
* a ``( )`` cell (25–49 cases) is drawn with a hollow marker or a hatched bar, with a legend;
* every interval is the 95% CI of the warehouse.

Deterministic: fixed font, no mathtext (a "$" in a village name stays text), PNG metadata
without software or time, inputs drawn in a sorted order, so the same data give the same bytes.
Specs are plain dicts so they can be built in one process and drawn in another.
"""

from __future__ import annotations

import io
import textwrap
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
             "#000000"]
STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans", "font.size": 8, "axes.titlesize": 9,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True,
    "axes.grid.axis": "x", "grid.color": "#dddddd", "grid.linewidth": 0.6,
    "axes.prop_cycle": matplotlib.cycler(color=OKABE_ITO), "svg.hashsalt": "parenting-assessment",
    "text.parse_math": False, "figure.dpi": 100, "savefig.dpi": 100,
    "path.simplify": True, "axes.axisbelow": True,
}
WIDTH = 7.0
LABEL_MAX = 60
NOTE_WIDTH = 120
GREY = "#6f6f6f"
TICKS = [0, 20, 40, 60, 80, 100]


def png(fig: plt.Figure) -> bytes:
    """PNG bytes with no timestamp or software tag; closes the figure.

    No ``bbox_inches="tight"``: it draws the figure twice. Constrained layout (one draw) and
    a bottom band reserved for the note (see `figure`) keep everything inside the canvas.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def figure(height: float, note_parts: list[str], **kwargs: Any) -> tuple[plt.Figure, Any]:
    """A constrained-layout figure with the wrapped note in a band at the bottom."""
    text = "\n".join(textwrap.fill(p, NOTE_WIDTH) for p in note_parts if p)
    band = 0.12 * (text.count("\n") + 1) + 0.1 if text else 0.05
    fig, axes = plt.subplots(figsize=(WIDTH, height + band), layout="constrained", **kwargs)
    fig.get_layout_engine().set(rect=(0, band / (height + band), 1, 1 - band / (height + band)),
                                h_pad=0.04, w_pad=0.04)
    if text:
        fig.text(0.01, (band - 0.04) / (height + band), text, fontsize=6.5, color="#444444",
                 ha="left", va="top")
    return fig, axes


def shown(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["flag"] in ("", "paren") and r["est"] is not None]


def hidden_note(label: str, rows: list[dict], limit: int = 15) -> str:
    """"Not shown (fewer than 25 cases): A, B, …" for the suppressed and empty rows."""
    names = [r["name"] for r in rows if r["flag"] not in ("", "paren") or r["est"] is None]
    if not names:
        return ""
    more = f" … (+{len(names) - limit})" if len(names) > limit else ""
    return f"{label} ({len(names)}): " + ", ".join(names[:limit]) + more


def dots(ax: Axes, rows: list[dict], *, labels: bool, color: str, size: float = 4.5) -> None:
    """Estimates with CIs, first row at the top; ( ) rows hollow."""
    n = len(rows)
    ys = [n - 1 - i for i in range(n)]
    lw = 1.1 if labels else 0.6
    ax.hlines(ys, [r["lo"] for r in rows], [r["hi"] for r in rows], color=GREY, linewidth=lw)
    for hollow in (False, True):
        sel = [(y, r["est"]) for y, r in zip(ys, rows, strict=True)
               if (r["flag"] == "paren") == hollow]
        if sel:
            ax.plot([s[1] for s in sel], [s[0] for s in sel], "o", markersize=size,
                    markeredgecolor=color, markerfacecolor="white" if hollow else color,
                    markeredgewidth=1.0, linestyle="none")
    ax.set_ylim(-0.7, n - 0.3)
    if labels:
        ax.set_yticks(ys, [r["name"] for r in rows])
    else:
        ax.set_yticks([])
    ax.tick_params(axis="y", length=0)


def legend(ax: Axes, spec: dict, color: str) -> None:
    handles = [Line2D([], [], marker="o", linestyle="none", color=color, markersize=4.5,
                      label=spec["legend_solid"]),
               Line2D([], [], marker="o", linestyle="none", markerfacecolor="white",
                      markeredgecolor=color, markersize=4.5, label=spec["legend_paren"]),
               Line2D([], [], color=GREY, linewidth=1.1, label=spec["legend_ci"])]
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=3, fontsize=7,
              frameon=False, borderaxespad=0.2)


def indicator_chart(spec: dict) -> bytes:
    """Districts (and all villages) on top, villages sorted by value below, 0–100 %."""
    top = shown(spec["districts"])
    vil = sorted(shown(spec["villages"]), key=lambda r: (-r["est"], r["name"]))
    labelled = len(vil) <= LABEL_MAX
    h_top = 0.2 * max(len(top), 1) + 0.45
    h_bot = 0.17 * max(len(vil), 1) + 0.4 if labelled else 4.6
    notes = [spec["source"], hidden_note(spec["suppressed_label"], spec["villages"])]
    with plt.rc_context(STYLE):
        fig, (a1, a2) = figure(h_top + h_bot + 0.9, notes, nrows=2, sharex=True,
                               gridspec_kw={"height_ratios": [h_top, h_bot]})
        dots(a1, top, labels=True, color=OKABE_ITO[3])
        dots(a2, vil, labels=labelled, color=OKABE_ITO[0], size=4.5 if labelled else 2.2)
        if not labelled:
            a2.set_ylabel(spec["compact_label"])
        fig.suptitle(textwrap.fill(spec["title"], 95), x=0.01, ha="left", fontsize=9,
                     fontweight="bold")
        a1.set_ylabel(spec["district_title"])
        a2.set_xlim(0, 100)
        a2.set_xticks(TICKS)
        a2.set_xlabel(spec["xlabel"])
        legend(a1, spec, OKABE_ITO[0])
        return png(fig)


def disagg_chart(spec: dict) -> bytes:
    """Bars with 95% CIs by category, one panel per disaggregation; ( ) bars hatched."""
    panels = [p | {"bars": shown(p["rows"])} for p in spec["panels"]]
    panels = [p for p in panels if p["bars"]]
    if not panels:
        return b""
    heights = [0.24 * len(p["bars"]) + 0.35 for p in panels]
    hid = [hidden_note(f"{spec['suppressed_label']} – {p['title']}", p["rows"])
           for p in spec["panels"]]
    with plt.rc_context(STYLE):
        fig, axes = figure(sum(heights) + 0.8, [spec["source"], spec["legend_note"], *hid],
                           nrows=len(panels), sharex=True, squeeze=False,
                           gridspec_kw={"height_ratios": heights})
        for ax, p, color in zip(axes[:, 0], panels, OKABE_ITO, strict=False):
            bars = p["bars"]
            ys = list(range(len(bars)))[::-1]
            est = [r["est"] for r in bars]
            hollow = [r["flag"] == "paren" for r in bars]
            ax.barh(ys, est, height=0.62, color=["white" if h else color for h in hollow],
                    edgecolor=color, hatch=["////" if h else "" for h in hollow], linewidth=0.9)
            ax.errorbar(est, ys, xerr=[[r["est"] - r["lo"] for r in bars],
                                       [r["hi"] - r["est"] for r in bars]],
                        fmt="none", ecolor="#333333", elinewidth=0.9, capsize=2.5)
            ax.set_yticks(ys, [r["name"] for r in bars])
            ax.tick_params(axis="y", length=0)
            ax.set_title(p["title"], loc="left", fontsize=8)
        fig.suptitle(textwrap.fill(spec["title"], 95), x=0.01, ha="left", fontsize=9,
                     fontweight="bold")
        axes[-1, 0].set_xlim(0, 100)
        axes[-1, 0].set_xticks(TICKS)
        axes[-1, 0].set_xlabel(spec["xlabel"])
        return png(fig)
