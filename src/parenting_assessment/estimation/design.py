"""The per-stratum design table that `taylor_by` needs, built from unit-level data.

Why a separate table: an indicator's universe (e.g. children 24–59 months) usually covers only
some households, but the variance must use n_h = *all* sampled PSUs of the stratum (SAMPLING.md
§3, "domain estimation is not subsetting"). Building the design once, from the full household
sample, and passing it along makes that impossible to get wrong downstream.
"""

from __future__ import annotations

import contextlib

import numpy as np
import pandas as pd

DESIGN_COLUMNS = ["stratum", "n_psu", "N_psu"]


def check_columns(data: pd.DataFrame, columns: list[str | None]) -> None:
    """Raise one clear ValueError listing every requested column that `data` lacks."""
    missing = [c for c in columns if c is not None and c not in data.columns]
    if missing:
        raise ValueError(f"unknown column(s) in data: {missing}")


def design_table(
    data: pd.DataFrame,
    *,
    strata: str | None = None,
    psu: str | None = None,
    fpc: str | None = None,
) -> pd.DataFrame:
    """One row per stratum: `stratum`, `n_psu` (sampled PSUs), `N_psu` (fpc, NaN if none).

    Conventions (those of R `svydesign(ids = ~psu, strata = ~strata, fpc = ~fpc, nest = TRUE)`):

    * `strata=None`: a single stratum, labelled 1;
    * `psu=None`: every row is its own PSU (R `ids = ~1`);
    * PSU ids are nested in strata: (stratum, psu) identifies a PSU, so ids may repeat across
      strata;
    * `fpc` is the population number of PSUs in the stratum (R's fpc as a count). It must be
      constant within a stratum and at least n_h. Sampling fractions are not accepted: a value
      below n_h is reported as an error rather than silently reinterpreted.

    Every row of `data` counts, whatever its outcome values: pass the full sample here.
    """
    check_columns(data, [strata, psu, fpc])
    if len(data) == 0:
        raise ValueError("cannot build a design from an empty table")
    stratum = data[strata] if strata is not None else pd.Series(1, index=data.index)
    if stratum.isna().any():
        raise ValueError(f"strata column {strata!r} has missing values")
    if psu is None:
        n_psu = stratum.value_counts(sort=False)
    else:
        if data[psu].isna().any():
            raise ValueError(f"PSU column {psu!r} has missing values")
        n_psu = data[psu].groupby(stratum, sort=False, observed=True).nunique()
    table = pd.DataFrame({"stratum": n_psu.index, "n_psu": n_psu.to_numpy(dtype=np.int64)})
    table["N_psu"] = np.nan
    if fpc is not None:
        try:
            pop = pd.to_numeric(data[fpc]).astype(float)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"fpc column {fpc!r} must be numeric") from exc
        if pop.isna().any():
            raise ValueError(f"fpc column {fpc!r} has missing values")
        rng = pop.groupby(stratum, sort=False, observed=True).agg(["min", "max"])
        if (rng["min"] != rng["max"]).any():
            bad = list(rng.index[rng["min"] != rng["max"]])[:5]
            raise ValueError(f"fpc {fpc!r} varies within strata {bad}")
        table["N_psu"] = rng["min"].reindex(table["stratum"]).to_numpy()
        short = table["N_psu"] < table["n_psu"]
        if short.any():
            bad = list(table.loc[short, "stratum"])[:5]
            raise ValueError(
                f"fpc {fpc!r} is smaller than the number of sampled PSUs in strata {bad} "
                "(fpc must be a population count of PSUs, not a sampling fraction)"
            )
    with contextlib.suppress(TypeError):  # mixed-type labels: keep first-seen order
        table = table.sort_values("stratum", kind="stable")
    return table.reset_index(drop=True)
