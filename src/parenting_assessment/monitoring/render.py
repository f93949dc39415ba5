"""The fieldwork monitoring page: self-contained HTML with inline charts and tables.

Charts are small matplotlib PNGs embedded as base64, so the page can be mailed to a field
coordinator or opened offline in a village. Outliers are highlighted in red in the charts and
the tables, with the metric that made them stand out.
"""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from parenting_assessment.monitoring.metrics import Z_LIMIT

OK, BAD = "#4c78a8", "#d62728"


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def enumerator_chart(enum: pd.DataFrame, metric: str, title: str) -> str:
    """Bar per enumerator; an outlier on this metric is red."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 2.6))
    colors = [BAD if metric in str(o).split(", ") else OK for o in enum["outliers"]]
    ax.bar(enum["enum_id"].astype(str), enum[metric].fillna(0), color=colors)
    ax.axhline(enum[metric].median(), color="#555", lw=1, ls="--", label="median")
    ax.set_title(title, fontsize=10)
    ax.tick_params(axis="x", labelrotation=90, labelsize=7)
    ax.legend(fontsize=7, frameon=False)
    return _png(fig)


def village_chart(vill: pd.DataFrame, most: int = 40) -> str:
    """Completed interviews as a share of the target per stratum: the villages most behind."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    v = vill[vill["in_frame"]].assign(
        _worst=lambda d: d[["completion_pmi", "completion_non_pmi"]].min(axis=1))
    v = v.sort_values(["_worst", "village"]).head(most)
    fig, ax = plt.subplots(figsize=(7, max(2.5, 0.18 * len(v))))
    y = range(len(v))
    for off, s, c in ((-0.2, "pmi", "#4c78a8"), (0.2, "non_pmi", "#f58518")):
        ax.barh([i + off for i in y], (100 * v[f"completion_{s}"]).fillna(0), height=0.4,
                color=c, label=s)
    ax.axvline(100, color="#555", lw=1, ls="--")
    ax.set_yticks(list(y), v["village"], fontsize=6)
    ax.set_xlabel(f"% of target completed ({len(v)} villages most behind)", fontsize=8)
    ax.legend(fontsize=7, frameon=False)
    ax.invert_yaxis()
    return _png(fig)


def render_monitoring(enum: pd.DataFrame, vill: pd.DataFrame, out_dir: Path,
                      run_id: str = "") -> Path:
    """Write ``<out_dir>/fieldwork_monitoring.html`` and return its path."""
    charts = []
    if not enum.empty:
        charts = [enumerator_chart(enum, m, t) for m, t in (
            ("interviews_per_day", "Interviews per day / Wawancara per hari"),
            ("median_minutes", "Median interview length (min) / Median durasi (menit)"),
            ("dk_share", "Share of 'don't know' answers / Proporsi jawaban 'tidak tahu'"),
            ("module_skip_share", "Share of modules skipped / Proporsi modul terlewat"))]
    if not vill.empty:
        charts.append(village_chart(vill))
    env = Environment(loader=PackageLoader("parenting_assessment.monitoring", "templates"),
                      autoescape=select_autoescape(["html", "j2"]))
    cols_e = ["enum_id", "submissions", "days", "interviews_per_day", "completed",
              "response_rate", "median_minutes", "dk_share", "module_skip_share",
              "gps_outliers", "duplicate_rate", "quarantine_rate", "last_batch", "outliers"]
    cols_v = ["village", "desa", "kabupaten", "target_pmi", "completed_pmi", "accepted_pmi",
              "target_non_pmi", "completed_non_pmi", "accepted_non_pmi", "response_rate",
              "outliers"]
    html = env.get_template("fieldwork.html.j2").render(
        run_id=run_id, generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        z_limit=Z_LIMIT, charts=charts,
        enumerators=enum.reindex(columns=cols_e).to_dict("records"),
        villages=vill.reindex(columns=cols_v).to_dict("records"))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "fieldwork_monitoring.html"
    path.write_text(html, encoding="utf-8")
    return path
