"""Public entry point: `estimate()` on a DataFrame or DuckDB relation, as R `svyby` would.

It only validates and reshapes the input; the design table comes from `design.py` and the
arithmetic from `taylor.py`, so the pipeline can call those two directly on long tables.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from parenting_assessment.estimation import intervals
from parenting_assessment.estimation.design import check_columns, design_table
from parenting_assessment.estimation.taylor import check_stat, taylor_by


def estimate(
    data: pd.DataFrame | duckdb.DuckDBPyRelation,
    y: str,
    *,
    weight: str,
    strata: str | None = None,
    psu: str | None = None,
    fpc: str | None = None,
    by: str | list[str] | None = None,
    stat: str = "mean",
    level: float = 0.95,
    ci_method: str = "logit",
    deff_by: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Mean, proportion or total of `y` per domain, with Taylor-linearised SE, CI and deff.

    Equivalent R: `svyby(~y, ~by, svydesign(ids = ~psu, strata = ~strata, weights = ~weight,
    fpc = ~fpc, nest = TRUE, data = data), svymean, na.rm = TRUE, deff = TRUE)` (or `svytotal`,
    or `svyciprop(method = "logit")` for the interval of a proportion).

    `data` is a pandas DataFrame or a DuckDB relation (materialised with `.df()`). The design
    (n_h per stratum, fpc) is built from *all* rows, including rows whose `y` is missing, so
    missing values and domains never shrink n_h. Returns one row per domain, sorted by the `by`
    columns: the `by` columns, `estimate, se, ci_low, ci_high, df, deff, n_unweighted,
    N_weighted`, then `ci_degenerate` (proportion at 0 or 1, see `intervals.logit_interval`) and
    `single_psu_strata` (strata with a single PSU, which add no variance; see `taylor_by`).

    `ci_method` (proportions only): "logit" as SAMPLING.md and R `svyciprop(method = "logit")`,
    or "korn-graubard", the Clopper–Pearson interval on the effective sample size of the NCHS
    standard for proportions (`intervals.korn_graubard_interval`), which keeps a binomial floor
    where a small domain's SE is too small to trust (docs/statistics.md), or "jeffreys", the
    Jeffreys interval on the effective sample size n/deff (`intervals.jeffreys_interval`).
    `deff_by` (with "jeffreys" only) maps one `by` column to a coarser one that is constant
    within each of its values, e.g. `{"village_code": "district_code"}`: the design effect behind
    n/deff is then that of the same cell with the village replaced by its district (a village ×
    sex cell takes the district × sex one), which is stable where a small domain's own is not.
    """
    if isinstance(data, duckdb.DuckDBPyRelation):
        data = data.df()
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data must be a pandas DataFrame or a DuckDB relation, not {type(data)}")
    check_stat(stat, level, ci_method)
    if deff_by is not None and ci_method != "jeffreys":
        raise ValueError("deff_by applies to ci_method='jeffreys' only")
    by_cols = [] if by is None else [by] if isinstance(by, str) else list(by)
    fine = coarse = None
    if deff_by is not None:
        if not isinstance(deff_by, dict) or len(deff_by) != 1 or next(iter(deff_by)) not in by_cols:
            raise ValueError("deff_by must map one `by` column to a coarser column, e.g. "
                             "{'village_code': 'district_code'}")
        (fine, coarse), = deff_by.items()
    check_columns(data, [y, weight, strata, psu, fpc, coarse, *by_cols])
    if len(set(by_cols)) != len(by_cols):
        raise ValueError(f"by has repeated columns: {by_cols}")
    # Only the needed columns, under their own names (so error messages speak the user's
    # language); an absent stratum or PSU is synthesised under a private name.
    needed = list(dict.fromkeys(c for c in [y, weight, strata, psu, fpc, coarse, *by_cols] if c))
    work = data[needed]
    weights = pd.to_numeric(work[weight], errors="coerce")
    if weights.isna().any() or (weights < 0).any():
        raise ValueError(f"weights in {weight!r} must be numeric, non-negative and not missing")
    if strata is None or psu is None:
        work = work.copy()
        if strata is None:
            strata = "__stratum__"
            work[strata] = 1
        if psu is None:
            psu = "__psu__"
            work[psu] = np.arange(len(work))
    design = design_table(work, strata=strata, psu=psu, fpc=fpc)
    kwargs = dict(y=y, weight=weight, stratum=strata, psu=psu, design=design, stat=stat,
                  level=level)
    out = taylor_by(work, domains=by_cols, ci_method=ci_method, **kwargs)
    if fine is not None:
        pool_by = [coarse if c == fine else c for c in by_cols]
        pooled = taylor_by(work, domains=pool_by, **kwargs)
        out = _with_pooled_deff(out, work[work[y].notna()], by_cols, fine, pool_by, pooled,
                                level)
    return out


def _with_pooled_deff(out: pd.DataFrame, answered: pd.DataFrame, by_cols: list[str], fine: str,
                      pool_by: list[str], pooled: pd.DataFrame, level: float) -> pd.DataFrame:
    """Jeffreys bounds of each domain on n/deff, deff being that of its coarser cell."""
    coarse = pool_by[by_cols.index(fine)]
    coarse_of = answered.dropna(subset=[fine]).groupby(fine, observed=True)[coarse]
    if (coarse_of.nunique(dropna=False) > 1).any():
        raise ValueError(f"deff_by: {coarse!r} must be constant within each value of {fine!r}")
    deff = pd.Series(intervals.srs_design_effect(pooled["estimate"], pooled["se"],
                                                 pooled["n_unweighted"]),
                     index=pd.MultiIndex.from_frame(pooled[pool_by]))
    first = coarse_of.first()
    cells = pd.MultiIndex.from_arrays(
        [first.reindex(out[c]).to_numpy() if c == fine else out[c].to_numpy() for c in by_cols],
        names=pool_by)
    per_domain = deff.reindex(cells).to_numpy(dtype=float)
    out = out.copy()
    df = float(out["df"].iloc[0]) if len(out) else float("nan")
    out["ci_low"], out["ci_high"] = intervals.jeffreys_interval(
        out["estimate"], out["n_unweighted"], per_domain, df, level)
    return out
