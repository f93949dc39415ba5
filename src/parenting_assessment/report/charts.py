"""Charts in one style: Okabe–Ito colours, DejaVu Sans, titles, labelled axes, source notes.

Rules every chart follows (SAMPLING.md §4, INDICATORS.md §5):

* a suppressed ``(*)`` or empty ``-`` cell is never drawn as an estimate: it is named in the
  note under the chart instead;
* a ``( )`` cell (25–49 cases) is drawn with a hollow marker or a hatched bar, with a legend;
* every interval is the 95% CI of the warehouse.

Deterministic: fixed font, no mathtext (a "$" in a village name stays text), PNG metadata
without software or time, inputs drawn in a sorted order, so the same data give the same bytes.
The layout is computed here from measured label widths (inches), not by a layout engine: a
layout engine draws every figure twice, and charts were the second cost of the report.
"""

from __future__ import annotations

import io
import textwrap
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.textpath import TextToPath  # noqa: E402

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
             "#000000"]
STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans", "font.size": 8, "axes.titlesize": 9,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True,
    "axes.grid.axis": "x", "grid.color": "#dddddd", "grid.linewidth": 0.6,
    "axes.prop_cycle": matplotlib.cycler(color=OKABE_ITO), "svg.hashsalt": "parenting-assessment",
    "text.parse_math": False, "figure.dpi": 100, "savefig.dpi": 100, "axes.axisbelow": True,
}
WIDTH = 7.0
LABEL_MAX = 60
NOTE_WIDTH = 120
GREY = "#6f6f6f"
TICKS = [0, 20, 40, 60, 80, 100]
_MEASURE = TextToPath()


def text_width(labels: list[str], size: float = 8, bold: bool = False) -> float:
    """Width in inches of the longest label (font metrics only, nothing is drawn)."""
    prop = FontProperties(family="DejaVu Sans", size=size, weight="bold" if bold else "normal")
    return max((_MEASURE.get_text_width_height_descent(s, prop, ismath=False)[0]
                for s in labels if s), default=0.0) / 72


def png(fig: plt.Figure) -> bytes:
    """PNG bytes with no timestamp or software tag; closes the figure."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def frame(plot_h: float, *, labels: list[str], title: str, notes: list[str],
          legend: bool = False, right: float = 0.25, xlabel: bool = True,
          bold: list[str] | None = None) -> tuple[plt.Figure, Axes]:
    """A figure with one axes `plot_h` inches tall and room around it.

    Room for the y labels on the left, the title (and legend) above, and the x label and the
    wrapped note below.
    """
    title_text = textwrap.fill(title, 95)
    note_text = "\n".join(textwrap.fill(p, NOTE_WIDTH) for p in notes if p)
    top = 0.12 + 0.17 * (title_text.count("\n") + 1) + (0.3 if legend else 0.08)
    band = 0.12 * (note_text.count("\n") + 1) + 0.08 if note_text else 0.05
    bottom = (0.5 if xlabel else 0.3) + band
    left = max(text_width(labels), text_width(bold or [], bold=True), 0.2) + 0.2
    height = plot_h + top + bottom
    fig = plt.figure(figsize=(WIDTH, height))
    ax = fig.add_axes((left / WIDTH, bottom / height, 1 - (left + right) / WIDTH,
                       plot_h / height))
    fig.text(0.1 / WIDTH, 1 - 0.08 / height, title_text, ha="left", va="top", fontsize=9,
             fontweight="bold")
    if note_text:
        fig.text(0.1 / WIDTH, (band - 0.02) / height, note_text, fontsize=6.5,
                 color="#444444", ha="left", va="top")
    return fig, ax


def shown(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["flag"] in ("", "paren") and r["est"] is not None]


def hidden_note(label: str, rows: list[dict], limit: int = 15) -> str:
    """"Not shown (fewer than 25 cases): A, B, …" for the suppressed and empty rows."""
    names = [r["name"] for r in rows if r["flag"] not in ("", "paren") or r["est"] is None]
    if not names:
        return ""
    more = f" … (+{len(names) - limit})" if len(names) > limit else ""
    return f"{label} ({len(names)}): " + ", ".join(names[:limit]) + more


def dots(ax: Axes, rows: list[dict], ys: list[float], *, color: str, size: float = 4.5,
         lw: float = 1.1) -> None:
    """Estimates with CIs at the given heights; ( ) rows hollow."""
    ax.hlines(ys, [r["lo"] for r in rows], [r["hi"] for r in rows], color=GREY, linewidth=lw)
    for hollow in (False, True):
        sel = [(y, r["est"]) for y, r in zip(ys, rows, strict=True)
               if (r["flag"] == "paren") == hollow]
        if sel:
            ax.plot([s[1] for s in sel], [s[0] for s in sel], "o", markersize=size,
                    markeredgecolor=color, markerfacecolor="white" if hollow else color,
                    markeredgewidth=1.0, linestyle="none")


def ticks(ax: Axes, ys: list[float], labels: list[str], bold: set[int] | None = None) -> None:
    ax.set_yticks(ys, labels)
    ax.tick_params(axis="y", length=0)
    for i in bold or set():
        ax.get_yticklabels()[i].set_fontweight("bold")


def percent_axis(ax: Axes, label: str) -> None:
    ax.set_xlim(0, 100)
    ax.set_xticks(TICKS)
    ax.set_xlabel(label)


def legend(ax: Axes, spec: dict, color: str) -> None:
    handles = [Line2D([], [], marker="o", linestyle="none", color=color, markersize=4.5,
                      label=spec["legend_solid"]),
               Line2D([], [], marker="o", linestyle="none", markerfacecolor="white",
                      markeredgecolor=color, markersize=4.5, label=spec["legend_paren"]),
               Line2D([], [], color=GREY, linewidth=1.1, label=spec["legend_ci"])]
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=3, fontsize=7,
              frameon=False, borderaxespad=0.2)


def indicator_chart(spec: dict) -> bytes:
    """All villages and districts on top, then villages sorted by value, 0–100 %.

    Heights are in inches (0.2 per labelled row); with more than `LABEL_MAX` villages the
    village block is a compact caterpillar without names (they are in the tables).
    """
    top = shown(spec["districts"])
    vil = sorted(shown(spec["villages"]), key=lambda r: (-r["est"], r["name"]))
    labelled = len(vil) <= LABEL_MAX
    pitch = 0.19 if labelled else min(0.19, 4.4 / max(len(vil), 1))
    y_top = [-0.2 * i for i in range(len(top))]
    gap = (y_top[-1] if y_top else 0) - 0.35
    y_vil = [gap - pitch * i for i in range(len(vil))]
    low = (y_vil[-1] if y_vil else gap) - 0.2
    names = [r["name"] for r in top] + ([r["name"] for r in vil] if labelled else [])
    notes = [spec["source"], hidden_note(spec["suppressed_label"], spec["villages"])]
    with plt.rc_context(STYLE):
        fig, ax = frame(0.4 - low, labels=names + [" " * 6], title=spec["title"], notes=notes,
                        legend=True, bold=names[:1])
        dots(ax, top, y_top, color=OKABE_ITO[3])
        dots(ax, vil, y_vil, color=OKABE_ITO[0], size=4.5 if labelled else 2.2,
             lw=1.1 if labelled else 0.5)
        ax.axhline(gap + 0.175, color="#999999", linewidth=0.6, linestyle=(0, (4, 3)))
        ticks(ax, y_top + (y_vil if labelled else []), names, {0} if top else set())
        if not labelled:
            ax.text(-0.01, (gap + low) / 2, spec["compact_label"], rotation=90, ha="right",
                    va="center", fontsize=7, transform=ax.get_yaxis_transform())
        ax.set_ylim(low, 0.2)
        percent_axis(ax, spec["xlabel"])
        legend(ax, spec, OKABE_ITO[0])
        return png(fig)


def disagg_chart(spec: dict) -> bytes:
    """One axes of bars with 95% CIs, grouped by disaggregation; ( ) bars hatched."""
    panels = [(p, shown(p["rows"])) for p in spec["panels"]]
    panels = [(p, bars) for p, bars in panels if bars]
    if not panels:
        return b""
    ys, labels, bold, groups = [], [], set(), []
    y = 0.0
    for k, (p, bars) in enumerate(panels):
        bold.add(len(labels))
        ys.append(y)
        labels.append(p["title"])
        y -= 1
        groups.append((bars, [y - i for i in range(len(bars))], OKABE_ITO[k % 7]))
        for r in bars:
            ys.append(y)
            labels.append(r["name"])
            y -= 1
        y -= 0.4
    hid = [hidden_note(f"{spec['suppressed_label']} – {p['title']}", p["rows"])
           for p in spec["panels"]]
    with plt.rc_context(STYLE):
        fig, ax = frame(0.22 * -y, labels=labels, title=spec["title"],
                        notes=[spec["source"], spec["legend_note"], *hid],
                        bold=[labels[i] for i in bold])
        for bars, yb, color in groups:
            hollow = [r["flag"] == "paren" for r in bars]
            est = [r["est"] for r in bars]
            ax.barh(yb, est, height=0.62, color=["white" if h else color for h in hollow],
                    edgecolor=color, hatch=["////" if h else "" for h in hollow], linewidth=0.9)
            ax.errorbar(est, yb, xerr=[[r["est"] - r["lo"] for r in bars],
                                       [r["hi"] - r["est"] for r in bars]],
                        fmt="none", ecolor="#333333", elinewidth=0.9, capsize=2.5)
        ticks(ax, ys, labels, bold)
        ax.set_ylim(y + 0.6, 0.6)
        percent_axis(ax, spec["xlabel"])
        return png(fig)
