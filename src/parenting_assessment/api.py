"""The analysts' API: tidy estimates, unit values, the needs index and charts from the warehouse.

Why a separate, small API: notebooks should not repeat SQL against internal tables, and they
must never hold the warehouse file open (a reader's lock makes the next pipeline step fail, see
`parenting_assessment.snapshot` and docs/analysts.md). `open_warehouse` therefore returns an
in-memory DuckDB copy of the analyst tables, taken from the warehouse in about a second, or from
the published Parquet snapshot while the pipeline holds the file. Every other function reads
that copy: the one passed as `con`, else the last one opened (opened on first use).

>>> from parenting_assessment import api
>>> con = api.open_warehouse()          # PA_WAREHOUSE, else data/warehouse.duckdb
>>> api.source(con)["source"] in {"warehouse", "snapshot"}
True
>>> overall = api.estimates("lb_parent_abroad", level="overall")
>>> overall[["indicator_id", "level", "disagg_key", "disagg_value"]].values.tolist()
[['lb_parent_abroad', 'overall', 'total', 'total']]
"""

from __future__ import annotations

import dataclasses
import difflib
import textwrap
import warnings
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import duckdb
import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from parenting_assessment.config import Settings
from parenting_assessment.estimation import estimate
from parenting_assessment.indicators.catalogue import load_catalogue
from parenting_assessment.indicators.engine import DISAGG_KEYS
from parenting_assessment.snapshot import (
    copy_tables,
    current_snapshot,
    load_snapshot,
    publish_snapshot,
    snapshot_dir,
)

__all__ = [
    "catalogue", "design", "estimate", "estimates", "needs_index", "open_warehouse",
    "plot_disaggregation", "plot_villages", "publish_snapshot", "source", "unit_values",
]

LEVELS = ("village", "district", "overall")
KEYS = ("total", *DISAGG_KEYS)
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9"]
_STATE: dict[str, duckdb.DuckDBPyConnection | None] = {"con": None}
TEXT = {
    "id": {"x": "Persen (selang kepercayaan 95%)", "all": "Semua desa studi",
           "hidden": "Tidak ditampilkan (kurang dari 25 kasus atau 0)",
           "paren": "Bulatan/batang kosong: 25–49 kasus", "villages": "Desa",
           "source": "Sumber: survei rumah tangga pemetaan pengasuhan; perkiraan tertimbang."},
    "en": {"x": "Percent (95% confidence interval)", "all": "All study villages",
           "hidden": "Not shown (fewer than 25 cases or none)",
           "paren": "Hollow marker/bar: 25–49 cases", "villages": "Villages",
           "source": "Source: parenting mapping household survey; weighted estimates."},
}


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def open_warehouse(path: str | Path | None = None, *,
                   snapshot: bool = False) -> duckdb.DuckDBPyConnection:
    """An in-memory copy of the analyst tables; it also becomes the default `con`.

    The warehouse file is attached read-only only while the tables are copied, so the pipeline
    is never blocked by an open notebook. When the pipeline holds the file (DuckDB refuses even
    a read-only open then), or with ``snapshot=True``, the tables come from the Parquet snapshot
    published next to the warehouse (``data/snapshot/``), with a warning.

    >>> con = open_warehouse()
    >>> con.sql("select count(*) > 0 from estimates.estimates").fetchall()
    [(True,)]
    >>> open_warehouse("/no/such/warehouse.duckdb")
    Traceback (most recent call last):
    ...
    FileNotFoundError: warehouse /no/such/warehouse.duckdb does not exist: run `make run` first
    """
    wh = Path(path if path is not None else Settings().warehouse).expanduser().resolve()
    con = duckdb.connect(":memory:")
    info: dict[str, Any] = {"source": "snapshot", "path": str(wh), "published_at": None}
    if not snapshot:
        if not wh.is_file():
            raise FileNotFoundError(f"warehouse {wh} does not exist: run `make run` first")
        try:
            _copy_live(con, wh)
            info["source"] = "warehouse"
        except (duckdb.IOException, duckdb.ResourceInUseException) as exc:
            # IOException "Could not set lock": another process writes the file.
            # ResourceInUse: this very process has it open (a pipeline run in the kernel).
            if isinstance(exc, duckdb.IOException) and "lock" not in str(exc).lower():
                raise
            warnings.warn(f"{wh} is being written by the pipeline: reading the published "
                          "snapshot instead", stacklevel=2)
    if info["source"] == "snapshot":
        folder = current_snapshot(snapshot_dir(wh))
        if folder is None:
            raise FileNotFoundError(f"no snapshot of {wh} in {snapshot_dir(wh)}: run `make run` "
                                    "first (or wait for the running pipeline to finish)")
        info["published_at"] = load_snapshot(con, folder)["published_at"]
        info["path"] = str(folder)
    con.execute("create schema if not exists meta")
    con.execute(f"""create or replace table meta.source as select {_lit(info['source'])} as source,
                    {_lit(info['path'])} as path, {_lit(str(info['published_at'] or ''))}
                    as published_at, {_lit(datetime.now(UTC).isoformat(timespec='seconds'))}
                    as loaded_at""")
    _STATE["con"] = con
    return con


def _copy_live(con: duckdb.DuckDBPyConnection, wh: Path) -> None:
    """Attach read-only, copy, detach: the file lock is held only for the copy."""
    con.execute(f"attach {_lit(str(wh))} as pa_warehouse (read_only)")
    try:
        copy_tables(con, "pa_warehouse")
    finally:
        con.execute("detach pa_warehouse")


def _con(con: duckdb.DuckDBPyConnection | None) -> duckdb.DuckDBPyConnection:
    if con is not None:
        return con
    return _STATE["con"] or open_warehouse()


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    try:
        return con.execute(sql, params or []).df()
    except duckdb.CatalogException as exc:
        raise LookupError(f"{exc}".splitlines()[0] + ": run `make run` first") from None


def source(con: duckdb.DuckDBPyConnection | None = None) -> dict[str, str]:
    """Where the copy came from: source (warehouse|snapshot), path, published_at, loaded_at.

    >>> sorted(source())
    ['loaded_at', 'path', 'published_at', 'source']
    """
    return _df(_con(con), "select * from meta.source").iloc[0].to_dict()


def _listed(value: str | Sequence[str] | None) -> list[str] | None:
    return None if value is None else [value] if isinstance(value, str) else list(value)


def _check(what: str, values: list[str] | None, allowed: Sequence[str]) -> None:
    bad = [v for v in values or [] if v not in allowed]
    if bad and len(allowed) > 10:
        near = sorted({m for b in bad for m in difflib.get_close_matches(str(b), allowed, n=3)})
        hint = f"did you mean {near}? " if near else ""
        raise ValueError(f"unknown {what} {bad}; {hint}see api.catalogue()")
    if bad:
        raise ValueError(f"unknown {what} {bad}; choose from {list(allowed)}")


def _indicator(indicator: str) -> Any:
    """The catalogue entry, or a ValueError naming the valid ids."""
    cat = load_catalogue()
    _check("indicator", [indicator], [i.id for i in cat.indicators])
    return cat.get(indicator)


def catalogue() -> pd.DataFrame:
    """The indicator catalogue as a table (id, domain, labels, unit, MICS6 code, keys …).

    >>> cat = catalogue()
    >>> cat.set_index("indicator_id").loc["lb_parent_abroad", "mics6_code"]
    'SR.20'
    """
    cat = load_catalogue()
    return pd.DataFrame([{
        "indicator_id": i.id, "domain": i.domain, "label_id": i.label.get("id", ""),
        "label_en": i.label.get("en", ""), "unit": i.unit, "mics6_code": i.mics6_code,
        "direction": i.direction, "disaggregations": ", ".join(i.disaggregations),
        "supporting": i.supporting, "instrument": i.instrument, "stat": i.stat,
        "catalogue_version": cat.version} for i in cat.indicators])


def estimates(indicator: str | Sequence[str] | None = None, level: str | None = "village",
              by: str | Sequence[str] | None = "total", area: str | Sequence[str] | None = None,
              con: duckdb.DuckDBPyConnection | None = None) -> pd.DataFrame:
    """Tidy rows of ``estimates.estimates`` (percent, SE, 95% CI, n, flag, display …).

    `indicator`, `by` (``total`` or a disaggregation key) and `area` (code or name) take one
    value or a list; None means all. Rows keep the report's order. Publish `display`, never a
    raw estimate whose `flag` is ``suppressed`` or ``zero`` (INDICATORS.md §5).

    >>> sorted(estimates("lb_parent_abroad", level="overall", by="sex")["disagg_value"])
    ['female', 'male']
    >>> estimates("lb_parent_abroad", level="county")
    Traceback (most recent call last):
    ...
    ValueError: unknown level ['county']; choose from ['village', 'district', 'overall']
    """
    ids, levels, keys, areas = _listed(indicator), _listed(level), _listed(by), _listed(area)
    cat = load_catalogue()
    _check("indicator", ids, [i.id for i in cat.indicators])
    _check("level", levels, LEVELS)
    _check("disaggregation", keys, KEYS)
    where, params = ["true"], []
    for col, values in (("indicator_id", ids), ("level", levels), ("disagg_key", keys)):
        if values is not None:
            where.append(f"{col} in ({', '.join('?' * len(values))})")
            params += values
    if areas is not None:
        marks = ", ".join("?" * len(areas))
        where.append(f"(area_code in ({marks}) or lower(area_name) in ({marks}))")
        params += areas + [a.lower() for a in areas]
    out = _df(_con(con), f"select * from estimates.estimates where {' and '.join(where)}", params)
    order = {i.id: n for n, i in enumerate(cat.indicators)}
    out = out.assign(_o=out["indicator_id"].map(order), _l=out["level"].map(
        {k: n for n, k in enumerate(LEVELS)}))
    out = out.sort_values(["_o", "_l", "area_code", "disagg_key", "disagg_value"], kind="stable")
    return out.drop(columns=["_o", "_l"]).reset_index(drop=True)


def unit_values(indicator: str, con: duckdb.DuckDBPyConnection | None = None, *,
                pad_design: bool = True) -> pd.DataFrame:
    """Unit-level 0/1 values of one indicator, with design and household columns.

    Columns: those of ``indicators.unit_values`` (y and missing as floats) plus `fpc`,
    `hh_size`, `stratum_type` and `in_universe`. With `pad_design` (default), every responding
    household without a unit in the universe adds one row with y = NaN: `estimate()` builds its
    design from all rows, so n_h counts every sampled household and a breakdown is a domain
    estimate, never a subset (INDICATORS.md §5). The report's numbers come back exactly:

    >>> uv = unit_values("lb_parent_abroad")
    >>> mine = estimate(uv, "y", weight="weight", strata="stratum", psu="psu", fpc="fpc",
    ...                 by="village_code", stat="proportion").set_index("village_code")
    >>> report = estimates("lb_parent_abroad").set_index("area_code").loc[mine.index]
    >>> float(abs(100 * mine["se"] - report["se"]).max()) < 1e-9
    True
    """
    _indicator(indicator)
    c = _con(con)
    units = _df(c, """
        select u.* replace (u.y::double as y, u.missing::double as missing), h.fpc, h.hh_size,
               h.stratum_type, true as in_universe
        from indicators.unit_values as u join core.households as h on h.hh_id = u.hh_id
        where u.indicator_id = ?""", [indicator])
    if not pad_design:
        return units
    pad = _df(c, """
        select ? as indicator_id, hh_id, stratum, psu, village_code, district_code,
               hhweight::double as weight, fpc, hh_size, stratum_type, false as in_universe
        from core.households as h where responded and not exists (
            select 1 from indicators.unit_values as u
            where u.indicator_id = ? and u.hh_id = h.hh_id)""", [indicator, indicator])
    pad = pad.reindex(columns=units.columns)
    pad["y"] = pad["missing"] = np.nan
    return pd.concat([units, pad], ignore_index=True) if len(pad) else units


def design(con: duckdb.DuckDBPyConnection | None = None) -> pd.DataFrame:
    """The household design (stratum, n_psu = responding households, N_psu = listed ones).

    For `estimation.taylor_by`, which takes the design apart from the data:

    >>> from parenting_assessment.estimation import taylor_by
    >>> uv = unit_values("lb_parent_abroad", pad_design=False)
    >>> r = taylor_by(uv, y="y", weight="weight", stratum="stratum", psu="psu",
    ...               domains=["cg"], design=design(), stat="proportion")
    >>> list(design().columns)
    ['stratum', 'n_psu', 'N_psu']
    """
    from parenting_assessment.estimates.run import household_design

    return household_design(_con(con))


def needs_index(weights: dict[str, float] | str | None = None,
                con: duckdb.DuckDBPyConnection | None = None, *,
                top_k: int | None = None) -> pd.DataFrame:
    """The needs index and simulated ranking per village, recomputed with other weights.

    `weights`: None (the configured weights, as in the report), the name of an alternative set
    of ``needs_index.yaml`` (e.g. ``"equal"``), or a dict indicator id → weight (any indicator
    with a need direction; §6 rules apply). `top_k` overrides the configured k. Rows are sorted
    by rank; never show a rank without `rank_low`–`rank_high`.

    >>> main = needs_index()
    >>> custom = needs_index({"prot_discipline_violent": 2, "lb_neither_parent": 1})
    >>> bool(custom.loc[custom["status"] == "ranked", "index"].between(0, 100).all())
    True
    >>> needs_index("no_such_set")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: unknown weight set 'no_such_set'; choose from ['equal', ...] or pass a dict
    """
    from parenting_assessment.estimates.run import household_design
    from parenting_assessment.needs import compute_needs_index, load_needs_config, rank_villages
    from parenting_assessment.needs.config import check_weights

    config = load_needs_config()
    name = weights if isinstance(weights, str) else "custom" if weights else "main"
    if isinstance(weights, str):
        if weights not in config.alternative_weight_sets:
            raise ValueError(f"unknown weight set {weights!r}; choose from "
                             f"{list(config.alternative_weight_sets)} or pass a dict")
        weights = config.alternative_weight_sets[weights]
    directions = {i.id: i.direction for i in load_catalogue().indicators
                  if i.direction in ("+", "-")} | config.directions
    if weights:
        check_weights("weights", dict(weights), directions)
    config = dataclasses.replace(config, directions=directions, top_k=top_k or config.top_k)
    c = _con(con)
    uv = _df(c, "select * from indicators.unit_values")
    est = _df(c, "select * from estimates.estimates where level = 'village' "
                 "and disagg_key = 'total'")
    idx = compute_needs_index(uv, household_design(c), est, config,
                              weights=dict(weights) if weights else None)
    return rank_villages(idx, config).assign(weight_set=name)


def _charts() -> Any:
    """`report.charts` (STYLE, palette, width), imported at call time, with defaults.

    The report is being rewritten, so a missing module or name falls back to defaults; and its
    ``matplotlib.use("Agg")`` must not switch a notebook's inline backend, so it is restored.
    """
    backend = matplotlib.rcParams["backend"]
    try:
        from parenting_assessment.report import charts
    except ImportError:
        charts = SimpleNamespace()
    if matplotlib.rcParams["backend"] != backend:
        matplotlib.use(backend)
    return charts


def _strings(lang: str, group: str, key: str) -> str:
    """A report label (``strings.yaml``) or the key itself if the report has none."""
    try:
        from parenting_assessment.report.strings import Strings

        return str(Strings(lang).group(group, key))
    except (ImportError, KeyError, ValueError, AttributeError):
        return key


def _label(lang: str, key: str, value: str) -> str:
    return value if key == "age" else _strings(lang, "disagg_values", value)


def _key_label(lang: str, key: str) -> str:
    return _strings(lang, "disagg_keys", key)


def _rows(df: pd.DataFrame, names: pd.Series) -> tuple[list[dict], list[str]]:
    """Drawable rows (flag '' or 'paren', finite) and the names of the hidden ones."""
    ok = (df["flag"].isin(["", "paren"]) & df["estimate"].notna()).to_numpy()
    labels = [str(n) for n in names]
    rows = [{"name": n, "est": r.estimate, "lo": r.ci_low, "hi": r.ci_high,
             "hollow": r.flag == "paren"}
            for n, r, keep in zip(labels, df.itertuples(), ok, strict=True) if keep]
    return rows, [n for n, keep in zip(labels, ok, strict=True) if not keep]


def _draw(ax: Any, rows: list[dict], color: str, bars: bool) -> None:
    ys = np.arange(len(rows))[::-1]
    est = np.array([r["est"] for r in rows])
    err = [est - [r["lo"] for r in rows], [r["hi"] for r in rows] - est]
    hollow = [r["hollow"] for r in rows]
    if bars:
        ax.barh(ys, est, height=0.62, color=["white" if h else color for h in hollow],
                edgecolor=color, hatch=["////" if h else "" for h in hollow], linewidth=0.9)
    else:
        ax.scatter(est, ys, s=22, zorder=3, edgecolors=color,
                   facecolors=["white" if h else color for h in hollow])
    ax.errorbar(est, ys, xerr=err, fmt="none", ecolor="#333333", elinewidth=0.9, capsize=2)
    ax.set_yticks(ys, [r["name"] for r in rows])
    ax.tick_params(axis="y", length=0)


def _figure(charts: Any, height: float, ratios: list[float], title: str,
            notes: list[str], lang: str) -> tuple[Figure, Any]:
    """A constrained-layout Figure (not pyplot-managed) with the notes in a band below."""
    lines = [TEXT[lang]["source"], TEXT[lang]["paren"], *notes]
    text = "\n".join(textwrap.fill(x, getattr(charts, "NOTE_WIDTH", 120)) for x in lines)
    band = 0.12 * (text.count("\n") + 1) + 0.1
    total = height + band
    fig = Figure(figsize=(getattr(charts, "WIDTH", 7.0), total), layout="constrained")
    fig.get_layout_engine().set(rect=(0, band / total, 1, 1 - band / total))
    fig.text(0.01, (band - 0.04) / total, text, fontsize=6.5, color="#444444", ha="left",
             va="top")
    fig.suptitle(textwrap.fill(title, 95), x=0.01, ha="left", fontsize=9, fontweight="bold")
    axes = fig.subplots(nrows=len(ratios), sharex=True, squeeze=False,
                        gridspec_kw={"height_ratios": ratios})
    axes[-1, 0].set_xlim(0, 100)
    axes[-1, 0].set_xlabel(TEXT[lang]["x"])
    return fig, axes[:, 0]


def _age_order(part: pd.DataFrame) -> pd.DataFrame:
    """Age bands in numeric order ('5-9' before '10-14'); other keys as stored."""
    def lower(v: str) -> float:
        head = str(v).lstrip("<").split("-")[0].rstrip("+")
        return float(head) if head.replace(".", "").isdigit() else np.inf
    if len(part) and (part["disagg_key"] == "age").all():
        return part.iloc[np.argsort([lower(v) for v in part["disagg_value"]], kind="stable")]
    return part


def plot_villages(indicator: str, con: duckdb.DuckDBPyConnection | None = None,
                  lang: str = "id") -> Figure:
    """Overall, districts and villages (sorted by value) with 95% CIs, in the report's style.

    Suppressed and empty cells are named in the note, never drawn; ( ) cells are hollow.

    >>> fig = plot_villages("lb_parent_abroad", lang="en")
    >>> [float(x) for x in fig.axes[-1].get_xlim()]
    [0.0, 100.0]
    """
    _check("language", [lang], list(TEXT))
    charts = _charts()
    palette = getattr(charts, "OKABE_ITO", PALETTE)
    ind = _indicator(indicator)
    est = estimates(indicator, level=None, by="total", con=con)
    top = est[est["level"] != "village"]
    top = top.iloc[np.lexsort((top["area_name"].fillna(""), top["level"] != "overall"))]
    names = pd.Series(np.where(top["level"] == "overall", TEXT[lang]["all"],
                               top["area_name"].fillna(top["area_code"])), index=top.index)
    vil = est[est["level"] == "village"].sort_values(["estimate", "area_name"],
                                                     ascending=[False, True])
    top_rows, top_hidden = _rows(top, names)
    vil_rows, vil_hidden = _rows(vil, vil["area_name"].fillna(vil["area_code"]))
    hidden = top_hidden + vil_hidden
    notes = [f"{TEXT[lang]['hidden']}: {', '.join(hidden)}"] if hidden else []
    h_top, h_vil = 0.22 * max(len(top_rows), 1) + 0.4, 0.17 * max(len(vil_rows), 1) + 0.4
    with matplotlib.rc_context(getattr(charts, "STYLE", {})):
        fig, (a1, a2) = _figure(charts, h_top + h_vil + 0.9, [h_top, h_vil],
                                f"{ind.label[lang]} ({ind.id})", notes, lang)
        _draw(a1, top_rows, palette[3], bars=False)
        _draw(a2, vil_rows, palette[0], bars=False)
        a2.set_ylabel(TEXT[lang]["villages"])
    return fig


def plot_disaggregation(indicator: str, by: str | Sequence[str] | None = None,
                        level: str = "overall", area: str | None = None,
                        con: duckdb.DuckDBPyConnection | None = None,
                        lang: str = "id") -> Figure:
    """Bars with 95% CIs by category, one panel per disaggregation key (all keys by default).

    `level` and `area` select the cell (e.g. ``level="district", area="35.02"``); the overall
    figure is the default. ( ) bars are hatched; suppressed categories are listed in the note.

    >>> fig = plot_disaggregation("lb_parent_abroad", by=["sex", "cg"], lang="en")
    >>> len(fig.axes)
    2
    """
    _check("language", [lang], list(TEXT))
    if level != "overall" and area is None:
        raise ValueError(f"level={level!r} needs an area (code or name)")
    charts = _charts()
    palette = getattr(charts, "OKABE_ITO", PALETTE)
    ind = _indicator(indicator)
    keys = _listed(by) or [k for k in DISAGG_KEYS if k in ind.disaggregations]
    est = estimates(indicator, level=level, by=keys, area=area, con=con)
    panels = [(k, _age_order(est[est["disagg_key"] == k])) for k in keys]
    panels = [(k, p) for k, p in panels if len(p)]
    if not panels:
        raise ValueError(f"no rows by {keys} for {indicator} at level {level!r}")
    drawn, notes = [], []
    for key, part in panels:
        rows, hidden = _rows(part, part["disagg_value"].map(lambda v, k=key: _label(lang, k, v)))
        drawn.append((key, rows))
        if hidden:
            notes.append(f"{TEXT[lang]['hidden']} – {key}: {', '.join(hidden)}")
    heights = [0.26 * max(len(r), 1) + 0.45 for _, r in drawn]
    where = "" if level == "overall" else f" — {est['area_name'].iat[0]}"
    with matplotlib.rc_context(getattr(charts, "STYLE", {})):
        fig, axes = _figure(charts, sum(heights) + 0.8, heights,
                            f"{ind.label[lang]} ({ind.id}){where}", notes, lang)
        for ax, (key, rows), color in zip(axes, drawn, palette, strict=False):
            if rows:
                _draw(ax, rows, color, bars=True)
            ax.set_title(_key_label(lang, key), loc="left", fontsize=8)
    return fig
