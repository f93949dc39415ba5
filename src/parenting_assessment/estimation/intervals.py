"""Confidence intervals and design effects for linearised survey estimates.

Kept apart from the variance engine (`taylor.py`) because these are per-domain, element-wise
formulas on already-aggregated arrays: they never see unit-level data.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.stats import beta as beta_dist
from scipy.stats import t as student_t

CI_METHODS = ("logit", "korn-graubard", "jeffreys")


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


def korn_graubard_interval(
    p: np.ndarray, se: np.ndarray, n: np.ndarray, df: float, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Korn–Graubard (1998) interval as the NCHS standard for proportions applies it.

    Why offer it next to the logit interval of SAMPLING.md: a (p̂, SE) interval fails for rare,
    household-clustered outcomes in small domains, where a sample often holds no positive unit in
    the heavy-weight stratum and both p̂ and SE come out small (docs/statistics.md measures it).
    Korn–Graubard is a Clopper–Pearson interval on the effective sample size, so it keeps a
    binomial floor on the uncertainty. As in Parker et al. (2017), NCHS Vital Health Stat
    2(175):

    * n_eff = p(1 − p)/SE², set to n when the design effect is below 1 or p is 0 or 1
      (n = unweighted units in the domain);
    * degrees-of-freedom adjustment n_eff,df = min(n, n_eff · (t_{n−1} / t_df)²);
    * x = p · n_eff,df; bounds Beta(α/2; x, n_eff,df − x + 1) and Beta(1 − α/2; x + 1,
      n_eff,df − x), with 0 (or 1) when x = 0 (or x = n_eff,df).

    The cap at n is our reading (the adjustment never makes the interval narrower than an SRS
    of the n units). R's `svyciprop(method = "beta")` is the same without the floor and cap.
    The interval is never degenerate: at p = 0 its upper bound is 1 − (α/2)^(1/n).
    """
    p, se, n = (np.asarray(a, dtype=float) for a in (p, se, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = p * (1.0 - p) / se**2
    floored = ~(n_eff < n) | ~np.isfinite(n_eff) | (p <= 0.0) | (p >= 1.0)
    n_eff = np.minimum(n, np.where(floored, n, n_eff) * _df_ratio(n, df, level))
    return _beta_bounds(p, n, n_eff, level, lambda x, m: ((x, m - x + 1.0), (x + 1.0, m - x)))


def srs_design_effect(p: np.ndarray, se: np.ndarray, n: np.ndarray) -> np.ndarray:
    """V / (p(1 − p)/n), the design effect behind an effective sample size n/deff.

    The simple with-replacement form the Korn–Graubard and Jeffreys intervals use (not R's
    `deff = TRUE` of `design_effect`); NaN where p is 0 or 1 or the SE is 0, so undefined.
    """
    p, se, n = (np.asarray(a, dtype=float) for a in (p, se, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        deff = se**2 * n / (p * (1.0 - p))
    return np.where(np.isfinite(deff) & (deff > 0), deff, np.nan)


def jeffreys_interval(
    p: np.ndarray, n: np.ndarray, deff: np.ndarray, df: float, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Jeffreys interval on the effective sample size n/deff, df-adjusted as Korn–Graubard.

    The survey form of Stata's `citype(jeffreys)` and SAS SURVEYFREQ's `CL(TYPE=JEFFREYS)`.

    Why it exists: with `deff` taken from a larger domain that contains this one (a village's
    district: `estimate(..., deff_by={village: district})`), it is the interval that reached
    nominal coverage of the true village values for every indicator in the simulation study
    (docs/statistics.md). A small domain's own design effect is estimated from a dozen PSUs per
    stratum and collapses exactly in the samples where the interval then misses; the district's
    design effect of the same indicator is stable. `deff` NaN (undefined) counts as 1.

    n* = (n/deff) · min(1, (t_{n−1}/t_df)²), x = p·n*; bounds are the α/2 and 1 − α/2
    quantiles of Beta(x + ½, n* − x + ½), with 0 at x = 0 and 1 at x = n* (Brown, Cai & DasGupta
    2001). The min: a small domain (n − 1 below the design's df) must not gain effective cases
    from the df adjustment, which would narrow its interval below the binomial one.
    """
    p, n, deff = (np.asarray(a, dtype=float) for a in (p, n, deff))
    n_eff = n / np.where(np.isfinite(deff) & (deff > 0), deff, 1.0)
    n_eff = n_eff * np.minimum(1.0, _df_ratio(n, df, level))
    return _beta_bounds(p, n, n_eff, level,
                        lambda x, m: ((x + 0.5, m - x + 0.5), (x + 0.5, m - x + 0.5)))


def _df_ratio(n: np.ndarray, df: float, level: float) -> np.ndarray:
    """(t_{n−1}/t_df)², Korn–Graubard's degrees-of-freedom adjustment of an effective n."""
    q = (1.0 + level) / 2.0
    t_n = student_t.ppf(q, np.maximum(n - 1.0, 1.0))
    return (t_n / student_t.ppf(q, df)) ** 2 if df > 0 else np.full(n.shape, np.nan)


def _beta_bounds(p: np.ndarray, n: np.ndarray, n_eff: np.ndarray, level: float,
                 shapes: Callable) -> tuple[np.ndarray, np.ndarray]:
    """Beta-quantile bounds at x = p·n_eff; 0 at x = 0, 1 at x = n_eff, NaN for no units.

    ``shapes(x, n_eff)`` gives the (a, b) of the lower and of the upper Beta quantile, which is
    all that tells Clopper–Pearson from Jeffreys.
    """
    alpha = 1.0 - level
    x = p * n_eff
    (a_lo, b_lo), (a_hi, b_hi) = shapes(x, n_eff)
    with np.errstate(divide="ignore", invalid="ignore"):
        lo = np.where(x <= 0.0, 0.0, beta_dist.ppf(alpha / 2.0, a_lo, b_lo))
        hi = np.where(x >= n_eff, 1.0, beta_dist.ppf(1.0 - alpha / 2.0, a_hi, b_hi))
    empty = ~(np.isfinite(p) & (n >= 1))
    return np.where(empty, np.nan, lo), np.where(empty, np.nan, hi)


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
