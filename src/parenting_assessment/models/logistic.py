"""Survey-weighted logistic regressions of caregiving outcomes on parental migration.

What these models CAN claim
    Adjusted associations, in the population of the surveyed villages, between a child's
    parental migration status (INDICATORS.md §2.3; no parent abroad = reference) or caregiver
    type and a 0/1 caregiving outcome, holding child sex, age band, household size, caregiver
    age group (when available) and the village fixed. Point estimates are pseudo-maximum
    likelihood with the survey weights (`var_weights`), hence design-consistent for the
    population log-odds ratios of this working model; uncertainty is cluster-robust by household
    (the PSU), CRV1 as statsmodels' `cov_type="cluster"`.

What they CANNOT claim
    * causal effects of migration: families select into migration (income, education, marriage,
      who is left to care), and that selection is neither randomised nor modelled;
    * anything about villages: village fixed effects absorb every village difference;
    * precision in small cells: separated or diverging categories are reported as not
      estimable, never as huge odds ratios; few events per parameter are flagged;
    * the design's finite-population correction and stratified variance (R `svyglm`): the
      cluster-robust SE ignores both, which is conservative when sampling fractions are large;
    * change over time: the survey is cross-sectional.

Why village and not design-stratum fixed effects by default: the design strata split each
village into pmi / non_pmi lists, and the pmi list *is* "a parent of a resident child abroad".
Conditioning on it absorbs the exposure (in the synthetic sample every non_pmi child has no
parent abroad), leaving the migration contrasts unidentified. The over-sampling of pmi households
is carried by the weights instead. `fixed_effects="stratum"` is available; exposures that the
strata absorb are then reported as not identified.
"""

from __future__ import annotations

import warnings

import duckdb
import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.stats import norm
from statsmodels.tools.sm_exceptions import (
    ConvergenceWarning,
    PerfectSeparationError,
    PerfectSeparationWarning,
    SpecificationWarning,
)

from parenting_assessment.indicators.catalogue import load_catalogue

DEFAULT_OUTCOMES = ("ecd_support_learning_any", "care_supervision_inadequate",
                    "prot_discipline_violent")
MAX_ABS_LOGOR = 10.0  # |log-OR| beyond this (OR > 22 000) is quasi-separation, not an estimate
MIG_LEVELS = ("none", "father_abroad", "mother_abroad", "both_abroad")
TIDY_COLUMNS = ["model", "term", "reference", "term_label_id", "term_label_en", "odds_ratio",
                "ci_low", "ci_high", "coef", "se", "p_value", "n", "n_events", "n_clusters",
                "fixed_effects", "n_fe_groups", "estimable", "converged", "note"]
FIXED_EFFECTS = {"village": "village_code", "stratum": "stratum", "none": ""}
LABELS = {
    "mig[father_abroad]": ("Hanya ayah di luar negeri", "Father abroad (mother not)"),
    "mig[mother_abroad]": ("Hanya ibu di luar negeri", "Mother abroad (father not)"),
    "mig[both_abroad]": ("Ayah dan ibu di luar negeri", "Both parents abroad"),
    "cg[father]": ("Pengasuh utama: ayah", "Primary caregiver: father"),
    "cg[grandparent]": ("Pengasuh utama: kakek/nenek", "Primary caregiver: grandparent"),
    "cg[other_relative]": ("Pengasuh utama: kerabat lain", "Primary caregiver: other relative"),
    "cg[non_relative]": ("Pengasuh utama: bukan kerabat", "Primary caregiver: non-relative"),
    "cg[other]": ("Pengasuh utama: lainnya", "Primary caregiver: other"),
    "sex[female]": ("Anak perempuan", "Girl (reference: boy)"),
    "hh_size": ("Jumlah anggota rumah tangga (per orang)", "Household size (per person)"),
}


UNIT_WORDS = {"months": ("bulan", "months"), "years": ("tahun", "years"), "": ("", "")}


def _label(term: str, age_unit: str) -> tuple[str, str]:
    if term in LABELS:
        return LABELS[term]
    var, _, level = term.partition("[")
    level = level.rstrip("]")
    if var == "age":
        uid, uen = UNIT_WORDS.get(age_unit, ("", age_unit))
        return f"Umur anak {level} {uid}".strip(), f"Child age {level} {uen}".strip()
    if var == "pcg_age":
        return f"Umur pengasuh {level} tahun", f"Caregiver aged {level} years"
    return term, term


def _dummies(values: pd.Series, reference: str, prefix: str,
             order: list[str] | None = None) -> pd.DataFrame:
    levels = [lv for lv in (order or sorted(pd.unique(values.dropna()), key=str))
              if lv != reference]
    return pd.DataFrame({f"{prefix}[{lv}]": (values == lv).astype(float) for lv in levels},
                        index=values.index)


def _band_order(bands: pd.Series) -> list[str]:
    def lower(b: str) -> float:
        head = str(b).lstrip("<").split("-")[0].rstrip("+")
        return float(head) if head.replace(".", "").isdigit() else np.inf
    return sorted(pd.unique(bands.dropna()), key=lower)


def _collapse(values: pd.Series, reference: str, min_n: int, keep_rare: bool,
              notes: list[str], what: str) -> pd.Series:
    """Merge 'unknown' and levels with fewer than `min_n` units into 'other' (with a note)."""
    counts = values.value_counts()
    rare = [lv for lv, c in counts.items() if lv != reference and (
        lv == "unknown" or (c < min_n and not keep_rare))]
    if rare:
        notes.append(f"{what}: merged into 'other' (n < {min_n} or unknown): "
                     + ", ".join(f"{lv} ({counts[lv]})" for lv in rare))
        values = values.where(~values.isin(rare), "other")
    return values


def design_matrix(df: pd.DataFrame, *, min_category: int = 30,
                  fixed_effects: str = "village", notes: list[str] | None = None
                  ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """Filtered data, design matrix (intercept, FE dummies, exposures, controls), references.

    Rules, each reported in `notes`: rows with unknown migration status are dropped; caregiver
    types with fewer than `min_category` units (and 'unknown') merge into 'other'; fixed-effect
    groups where the outcome does not vary are dropped, because they carry no information under
    fixed effects and would push their dummy to ±∞ (separation).
    """
    if fixed_effects not in FIXED_EFFECTS:
        raise ValueError(f"fixed_effects must be one of {tuple(FIXED_EFFECTS)}")
    fe_col = FIXED_EFFECTS[fixed_effects]
    if fe_col and fe_col not in df.columns:
        raise ValueError(f"fixed_effects={fixed_effects!r} needs a {fe_col!r} column")
    notes = [] if notes is None else notes
    data = df.copy()
    unknown = ~data["mig"].isin(MIG_LEVELS)
    if unknown.any():
        notes.append(f"dropped {int(unknown.sum())} units with unknown parental migration status")
        data = data[~unknown]
    controls = [c for c in ("sex", "age", "hh_size") if c in data.columns]
    incomplete = data[["cg", *controls]].isna().any(axis=1)
    if incomplete.any():
        notes.append(f"dropped {int(incomplete.sum())} units with a missing control")
        data = data[~incomplete]
    if fe_col and data[fe_col].nunique() > 1:
        y_range = data.groupby(fe_col)["y"].agg(["min", "max"])
        flat = y_range.index[y_range["min"] == y_range["max"]]
        if len(flat):
            gone = data[fe_col].isin(flat)
            notes.append(f"dropped {len(flat)} {fixed_effects} group(s) ({int(gone.sum())} "
                         "units) where the outcome does not vary (no information under fixed "
                         "effects)")
            data = data[~gone]
    cg_ref = "mother"
    if len(data) and not (data["cg"] == "mother").any():
        cg_ref = str(data["cg"].mode().iat[0])
    data["cg"] = _collapse(data["cg"], cg_ref, min_category, False, notes, "caregiver type")
    refs = {"mig": "none", "cg": cg_ref, "sex": "male"}
    parts = [pd.DataFrame({"const": 1.0}, index=data.index)]
    if fe_col and data[fe_col].nunique() > 1:
        groups = sorted(pd.unique(data[fe_col]))
        parts.append(_dummies(data[fe_col], groups[0], "fe"))
    mig = pd.DataFrame({f"mig[{lv}]": (data["mig"] == lv).astype(float)
                        for lv in MIG_LEVELS[1:] if (data["mig"] == lv).any()}, index=data.index)
    parts += [mig, _dummies(data["cg"], cg_ref, "cg")]
    if "sex" in data.columns:
        parts.append(pd.DataFrame({"sex[female]": (data["sex"] == "female").astype(float)},
                                  index=data.index))
    if "age" in data.columns:
        order = _band_order(data["age"])
        refs["age"] = order[0] if order else ""
        parts.append(_dummies(data["age"], refs["age"], "age", order))
    if "hh_size" in data.columns:
        parts.append(data[["hh_size"]].astype(float))
    if "pcg_age" in data.columns and data["pcg_age"].notna().any():
        pcg = data["pcg_age"].fillna("unknown")
        pcg_ref = refs["pcg_age"] = str(pcg.mode().iat[0])
        data["pcg_age"] = _collapse(pcg, pcg_ref, min_category, False, notes, "caregiver age")
        parts.append(_dummies(data["pcg_age"], pcg_ref, "pcg_age"))
    return data, pd.concat(parts, axis=1), refs


def _separated(x: pd.DataFrame, y: pd.Series) -> list[str]:
    """Dummies (not FE) whose units all share one outcome: odds ratio 0 or ∞."""
    out = []
    for col in x.columns:
        if col == "const" or col.startswith("fe[") or not set(x[col].unique()) <= {0, 1}:
            continue
        ys = y[x[col] == 1]
        if ys.nunique() < 2:
            out.append(col)
    return out


def _independent(x: pd.DataFrame) -> list[str]:
    """Greedy left-to-right set of linearly independent columns.

    The fixed effects come before the exposures, so an exposure that the fixed effects absorb is
    the one dropped (and reported), never a fixed effect silently traded for it. Works on the
    k × k cross-product: a column is kept when its residual after projection on the kept ones
    is not ~0 relative to its own length.
    """
    g = x.to_numpy(float).T @ x.to_numpy(float)
    keep: list[int] = []
    for j in range(g.shape[0]):
        resid = g[j, j]
        if keep and resid > 0:
            v = g[keep, j]
            resid -= v @ np.linalg.solve(g[np.ix_(keep, keep)], v)
        if g[j, j] > 0 and resid > 1e-9 * g[j, j]:
            keep.append(j)
    return [x.columns[j] for j in keep]


def fit_logistic(df: pd.DataFrame, model: str, *, min_category: int = 30,
                 fixed_effects: str = "village", level: float = 0.95,
                 age_unit: str = "") -> pd.DataFrame:
    """Fit one weighted logistic regression; tidy rows for every term but intercept and FE.

    `df` has one row per unit: y (0/1), weight, hh_id (cluster), village_code and/or stratum
    (for `fixed_effects` "village" / "stratum"; "none" needs neither), mig, cg, and optional
    controls sex ('male'/'female'), age (band), hh_size, pcg_age (caregiver age group). Failures
    (no events, separation, non-convergence, singular design) end up in `note`, never raise.
    """
    notes: list[str] = []
    data, x, refs = design_matrix(df, min_category=min_category,
                                  fixed_effects=fixed_effects, notes=notes)
    y = data["y"].astype(float)
    dropped_terms = _separated(x, y)
    for col in dropped_terms:
        notes.append(f"{col} not estimable: outcome constant in the category (separation); "
                     f"its {int(x[col].sum())} units dropped")
        keep_rows = x[col] == 0
        x, y, data = x[keep_rows], y[keep_rows], data[keep_rows]
    x = x.drop(columns=dropped_terms)
    cols = _independent(x) if len(x) else []
    # A collinear dummy would silently turn its siblings into contrasts against itself instead
    # of the reference, so the whole variable goes (e.g. all of mig when FE absorb 'none').
    lost = {c.partition("[")[0] for c in x.columns if c not in cols and not c.startswith("fe[")}
    for col in x.columns:
        if col not in cols or col.partition("[")[0] in lost:
            if not col.startswith("fe["):
                notes.append(f"{col} not identified: collinear with the fixed effects or other "
                             "terms (its whole variable is left out)")
            dropped_terms.append(col)
    x = x.drop(columns=[c for c in dropped_terms if c in x.columns])
    groups = pd.factorize(data["hh_id"])[0]
    fe = any(c.startswith("fe[") for c in x.columns)
    base = {"model": model, "fixed_effects": fixed_effects if fe else "none", "n": len(y),
            "n_events": int(y.sum()), "n_clusters": int(len(np.unique(groups))),
            "n_fe_groups": int(data[FIXED_EFFECTS[fixed_effects]].nunique()) if fe else 0}
    params, se, converged = _fit(x, y, data["weight"].to_numpy(float), groups, notes)
    terms = [c for c in x.columns if c != "const" and not c.startswith("fe[")]
    for term in terms:
        b, s = float(params.get(term, np.nan)), float(se.get(term, np.nan))
        if np.isfinite(b) and (abs(b) > MAX_ABS_LOGOR or not s > 0 or not np.isfinite(s)):
            notes.append(f"{term} not estimable: quasi-separation (|log-OR| > "
                         f"{MAX_ABS_LOGOR:g} or no SE)")
            params[term] = se[term] = np.nan
    z = norm.ppf((1.0 + level) / 2.0)
    rows = []
    for term in [*terms, *(t for t in dropped_terms if not t.startswith("fe["))]:
        b, s = float(params.get(term, np.nan)), float(se.get(term, np.nan))
        lid, len_ = _label(term, age_unit)
        rows.append(base | {
            "term": term, "reference": refs.get(term.partition("[")[0], ""),
            "term_label_id": lid, "term_label_en": len_, "coef": b, "se": s,
            "odds_ratio": np.exp(b), "ci_low": np.exp(b - z * s), "ci_high": np.exp(b + z * s),
            "p_value": 2.0 * norm.sf(abs(b / s)) if s > 0 else np.nan,
            "estimable": bool(np.isfinite(b) and np.isfinite(s)), "converged": converged})
    if not rows:
        rows.append(base | {"term": "", "estimable": False, "converged": converged})
    out = pd.DataFrame(rows).reindex(columns=TIDY_COLUMNS)
    out["note"] = "; ".join(notes)
    return out


def _fit(x: pd.DataFrame, y: pd.Series, weight: np.ndarray, groups: np.ndarray,
         notes: list[str]) -> tuple[pd.Series, pd.Series, bool]:
    """Pseudo-ML fit with household-clustered SEs; problems are appended to `notes`."""
    empty = pd.Series(np.nan, index=x.columns)
    if len(y) == 0 or y.nunique() < 2:
        notes.append("not fitted: the outcome does not vary")
        return empty, empty.copy(), False
    epv = min(y.sum(), len(y) - y.sum()) / max(x.shape[1] - 1, 1)
    if epv < 10:
        notes.append(f"few events per parameter ({epv:.1f} < 10): estimates are unstable")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # statsmodels warns that robust covariances are "not fully supported" with
            # var_weights; for the Binomial GLM its CRV1 sandwich equals the textbook formula
            # (tests/models check this), so that warning is dropped.
            warnings.filterwarnings("ignore", category=SpecificationWarning)
            res = sm.GLM(y.to_numpy(), x.to_numpy(), family=sm.families.Binomial(),
                         var_weights=weight).fit(cov_type="cluster",
                                                 cov_kwds={"groups": groups}, maxiter=100)
    except (PerfectSeparationError, np.linalg.LinAlgError, ValueError) as exc:
        notes.append(f"not fitted: {type(exc).__name__}: {exc}")
        return empty, empty.copy(), False
    converged = bool(res.converged)
    kinds = {w.category.__name__ for w in caught
             if issubclass(w.category, PerfectSeparationWarning | ConvergenceWarning)}
    if kinds or not converged:
        notes.append("fit warning: " + ", ".join(sorted(kinds) or ["not converged"]))
    return (pd.Series(res.params, index=x.columns), pd.Series(res.bse, index=x.columns),
            converged)


def model_frame(con: duckdb.DuckDBPyConnection, outcome: str) -> pd.DataFrame:
    """Units of `outcome` from ``indicators.unit_values``, with controls joined from core.

    unit_values is the one source of y, weight, design, mig, cg, sex and age band; household
    size comes from ``core.households`` and, when unit_values carries the roster `line`, the
    primary caregiver's age group from ``core.children``.
    """
    cols = set(con.execute("select * from indicators.unit_values limit 0").df().columns)
    pcg = ""
    join = ""
    if "line" in cols:
        pcg = """, case when c.pcg_age_years < 30 then '<30' when c.pcg_age_years < 45
                 then '30-44' when c.pcg_age_years < 60 then '45-59'
                 when c.pcg_age_years >= 60 then '60+' end as pcg_age"""
        join = "left join core.children as c on c.hh_id = u.hh_id and c.line = u.line"
    return con.execute(f"""
        select u.*, h.hh_size {pcg}
        from indicators.unit_values as u
        left join core.households as h on h.hh_id = u.hh_id
        {join}
        where u.indicator_id = ?""", [outcome]).df()


def fit_models(con: duckdb.DuckDBPyConnection, outcomes: tuple[str, ...] = DEFAULT_OUTCOMES,
               *, min_category: int = 30, fixed_effects: str = "village",
               level: float = 0.95) -> pd.DataFrame:
    """Fit every outcome's model from the warehouse; one tidy table (`TIDY_COLUMNS`)."""
    cat = load_catalogue()
    parts = []
    for o in outcomes:
        age = cat.get(o).age
        parts.append(fit_logistic(model_frame(con, o), o, min_category=min_category,
                                  fixed_effects=fixed_effects, level=level,
                                  age_unit=age.unit if age else ""))
    return pd.concat(parts, ignore_index=True)
