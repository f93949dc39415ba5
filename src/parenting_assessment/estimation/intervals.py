"""Confidence intervals and design effects for linearised survey estimates.

Kept apart from the variance engine (`taylor.py`) because these are per-domain, element-wise
formulas on already-aggregated arrays: they never see unit-level data.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import t as student_t


def t_quantile(level: float, df: float) -> float:
    """Student-t quantile t_{df, (1+level)/2}; NaN when the design has no degrees of freedom.

    Why t and not z: R `confint(svymean(...), df = degf(design))` and samplics both use the t
    distribution with the design degrees of freedom (PSUs − strata), which matters for designs with
    few PSUs.
    """
    if not df > 0:
        return float("nan")
    return float(student_t.ppf((1.0 + level) / 2.0, df))


def wald_interval(est: np.ndarray, se: np.ndarray, t: float) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric interval θ̂ ± t·SE, used for means and totals."""
    return est - t * se, est + t * se


def logit_interval(
    p: np.ndarray, se: np.ndarray, t: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Logit interval for a proportion, as R `svyciprop(method = "logit")` and samplics.

    On the logit scale L = logit(p) ± t·SE/(p(1−p)), then back-transformed, so the bounds stay
    inside [0, 1]. For p = 0 or p = 1 the logit is infinite; we follow samplics 0.6.1
    (`TaylorEstimator`, `ciprop_method="logit"`), which reports the degenerate interval [p, p]
    (i.e. [0, 0] or [1, 1]). The third returned array flags those cells so a report can footnote
    them instead of presenting a zero-width interval as if it were a real one.
    """
    p = np.asarray(p, dtype=float)
    se = np.asarray(se, dtype=float)
    degenerate = (p == 0.0) | (p == 1.0)
    inner = ~degenerate & np.isfinite(p)
    low = np.full(p.shape, np.nan)
    high = np.full(p.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = np.log(p[inner] / (1.0 - p[inner]))
        half = t * se[inner] / (p[inner] * (1.0 - p[inner]))
    low[inner] = _expit(centre - half)
    high[inner] = _expit(centre + half)
    low[degenerate] = p[degenerate]
    high[degenerate] = p[degenerate]
    return low, high, degenerate


def _expit(x: np.ndarray) -> np.ndarray:
    """Inverse logit written as exp(x)/(1+exp(x)), the form samplics uses (bit-for-bit parity)."""
    with np.errstate(over="ignore", invalid="ignore"):
        ex = np.exp(x)
        out = ex / (1.0 + ex)
    return np.where(np.isposinf(ex), 1.0, out)


def design_effect(
    variance: np.ndarray,
    s2: np.ndarray,
    n: np.ndarray,
    n_hat: np.ndarray,
    *,
    total: bool,
) -> np.ndarray:
    """Design effect V / V_srs with R `survey`'s default definition (`deff = TRUE`).

    Matched to `svymean.survey.design2` / `svytotal.survey.design2` in cran/survey (R/surveyrep.R):

    * `s2` is `svyvar` in the domain: Σ w (y − ȳ)² / Σ w · n/(n − 1);
    * `n` is `nobs = sum(weights(design) != 0)` (units with non-zero weight), `n_hat` is
      N̂ = Σ w;
    * mean: V_srs = s2 · (N̂ − n)/(N̂ · n); total: V_srs = s2 · N̂² · (N̂ − n)/(N̂ · n).

    R applies the without-replacement factor (1 − n/N̂) whenever `deff = TRUE` — with or without an
    fpc in the design — and drops it only for `deff = "replace"`. We follow `deff = TRUE`, so that
    our numbers equal R's printed `DEff`. R returns NA when N̂ < n ("are weights correctly
    scaled?"); we return NaN whenever N̂ ≤ n or n < 2.
    """
    variance = np.asarray(variance, dtype=float)
    n = np.asarray(n, dtype=float)
    n_hat = np.asarray(n_hat, dtype=float)
    ok = (n >= 2) & (n_hat > n)
    out = np.full(variance.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        v_srs = s2 * (n_hat - n) / (n_hat * n)
        if total:
            v_srs = v_srs * n_hat**2
        ratio = variance / v_srs
    out[ok] = ratio[ok]
    return out
