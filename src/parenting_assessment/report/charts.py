"""Charts in one style: colour-blind-safe palette, labelled axes, source notes.

Deterministic: fixed fonts, no timestamps in the PNG metadata, sorted inputs. Suppressed cells
(``(*)``, fewer than 25 cases) are never drawn as estimates; ``( )`` cells get hollow markers.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
             "#000000"]
STYLE = {
    "font.family": "DejaVu Sans", "font.size": 9, "axes.spines.top": False,
    "axes.spines.right": False, "axes.grid": True, "grid.color": "#dddddd",
    "grid.linewidth": 0.6, "axes.prop_cycle": matplotlib.cycler(color=OKABE_ITO),
    "svg.hashsalt": "parenting-assessment", "figure.dpi": 100,
}


def png_bytes(fig: plt.Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def village_dot_plot(est: pd.DataFrame, *, title: str, xlabel: str, source: str,
                     suppressed_note: str) -> bytes:
    """Villages sorted by estimate with 95% CIs; suppressed villages listed, not plotted."""
    shown = est[est["flag"].isin(["", "paren"])].sort_values(["estimate", "area_name"])
    hidden = est[~est["flag"].isin(["", "paren"])].sort_values("area_name")
    with plt.rc_context(STYLE):
        height = max(2.5, 0.22 * len(shown) + 1.4)
        fig, ax = plt.subplots(figsize=(7.2, height))
        y = range(len(shown))
        ax.hlines(list(y), shown["ci_low"], shown["ci_high"], color="#7f7f7f", linewidth=1.2)
        solid = shown["flag"] == ""
        ys = pd.Series(list(y), index=shown.index)
        ax.plot(shown.loc[solid, "estimate"], ys[solid], "o", color=OKABE_ITO[0], markersize=5)
        ax.plot(shown.loc[~solid, "estimate"], ys[~solid], "o", markerfacecolor="white",
                markeredgecolor=OKABE_ITO[0], markersize=5, label="( ) 25–49")
        ax.set_yticks(list(y), shown["area_name"].tolist())
        ax.set_xlim(0, 100)
        ax.set_xlabel(xlabel)
        ax.set_title(title, loc="left", fontsize=10, fontweight="bold")
        note = source
        if len(hidden):
            note += "\n" + suppressed_note + ": " + ", ".join(hidden["area_name"].tolist())
        fig.text(0.01, -0.02, note, fontsize=7, color="#555555", ha="left", va="top", wrap=True)
        if (~solid).any():
            ax.legend(loc="lower right", fontsize=7, frameon=False)
        return png_bytes(fig)
