"""Survey-weighted logistic regressions of caregiving outcomes on parental migration.

What these models CAN claim
    Adjusted associations, in the population of the surveyed villages, between a child's
    parental migration status (INDICATORS.md §2.3; no parent abroad = reference) or caregiver
    type and a 0/1 caregiving outcome, holding child sex, age band, household size, (caregiver
    age group when available) and the design stratum fixed. Point estimates are pseudo-maximum
    likelihood with the survey weights (`var_weights`), hence design-consistent for the
    population log-odds ratios of this working model. Uncertainty is cluster-robust by household
    (the PSU), CRV1 as statsmodels' `cov_type="cluster"`.

What they CANNOT claim
    * causal effects of migration: families select into migration (income, education, marriage,
      who is left to care), and that selection is neither randomised nor modelled;
    * anything about villages: stratum fixed effects absorb every village (and pmi/non_pmi)
      difference, so the odds ratios are within-stratum contrasts only;
    * precision in small cells: few mother-abroad or both-abroad children give wide intervals,
      and categories with separation are reported as not estimable, not as infinite;
    * the design's finite-population correction and stratified variance (as R `svyglm`): the
      cluster-robust SE ignores both, which is conservative when sampling fractions are large;
    * change over time: the survey is cross-sectional.

Why statsmodels GLM and not a hand-written IRLS: the tests compare the cluster-robust SE with
an explicit sandwich formula; the library's results then carry converged flags and warnings.
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
MIG_LEVELS = ("none", "father_abroad", "mother_abroad", "both_abroad")
TIDY_COLUMNS = ["model", "term", "reference", "term_label_id", "term_label_en", "odds_ratio",
                "ci_low",
                "ci_high", "coef", "se", "p_value", "n", "n_events", "n_clusters", "n_strata_fe",
                "converged", "note"]
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


def _dummies(values: pd.Series, reference: str, prefix: str) -> pd.DataFrame:
    levels = [lv for lv in pd.unique(values.dropna()) if lv != reference]
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


def design_matrix(df: pd.DataFrame, *, min_category: int = 30, strata_fe: bool = True,
                  notes: list[str] | None = None
                  ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """Filtered data, design matrix (intercept, exposures, controls, strata) and references.

    Rules, each reported in `notes`: rows with unknown migration status are dropped; caregiver
    types with fewer than `min_category` units (and 'unknown') merge into 'other'; strata where
    the outcome does not vary are dropped, because under stratum fixed effects they carry no
    information and would push their dummy to ±∞ (separation).
    """
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
    if strata_fe and data["stratum"].nunique() > 1:
        y_range = data.groupby("stratum")["y"].agg(["min", "max"])
        flat = y_range.index[y_range["min"] == y_range["max"]]
        if len(flat):
            gone = data["stratum"].isin(flat)
            notes.append(f"dropped {len(flat)} strata ({int(gone.sum())} units) where the "
                         "outcome does not vary (no information under stratum fixed effects)")
            data = data[~gone]
    cg_ref = "mother"
    if len(data) and not (data["cg"] == "mother").any():
        cg_ref = str(data["cg"].mode().iat[0])
    data["cg"] = _collapse(data["cg"], cg_ref, min_category, False, notes, "caregiver type")
    refs = {"mig": "none", "cg": cg_ref, "sex": "male"}
    parts = [pd.DataFrame({"const": 1.0}, index=data.index)]
    mig = pd.DataFrame({f"mig[{lv}]": (data["mig"] == lv).astype(float)
                        for lv in MIG_LEVELS[1:] if (data["mig"] == lv).any()}, index=data.index)
    parts += [mig, _dummies(data["cg"], cg_ref, "cg")]
    if "sex" in data.columns:
        parts.append(pd.DataFrame({"sex[female]": (data["sex"] == "female").astype(float)},
                                  index=data.index))
    if "age" in data.columns:
        order = _band_order(data["age"])
        refs["age"] = order[0] if order else ""
        parts.append(_dummies(data["age"], refs["age"], "age"))
    if "hh_size" in data.columns:
        parts.append(data[["hh_size"]].astype(float))
    if "pcg_age" in data.columns and data["pcg_age"].notna().any():
        pcg = data["pcg_age"].fillna("unknown")
        pcg_ref = refs["pcg_age"] = str(pcg.mode().iat[0])
        data["pcg_age"] = _collapse(pcg, pcg_ref, min_category, False, notes, "caregiver age")
        parts.append(_dummies(data["pcg_age"], pcg_ref, "pcg_age"))
    if strata_fe and data["stratum"].nunique() > 1:
        strata = sorted(pd.unique(data["stratum"]))
        parts.append(_dummies(data["stratum"], strata[0], "stratum"))
    x = pd.concat(parts, axis=1)
    return data, x.loc[:, sorted(x.columns, key=lambda c: c.startswith("stratum["))], refs


def _separated(x: pd.DataFrame, y: pd.Series) -> list[str]:
    """Dummies (not strata) whose units all share one outcome: odds ratio 0 or ∞."""
    out = []
    for col in x.columns:
        if col == "const" or col.startswith("stratum[") or not set(x[col].unique()) <= {0, 1}:
            continue
        ys = y[x[col] == 1]
        if ys.nunique() < 2:
            out.append(col)
    return out


def _independent(x: pd.DataFrame) -> list[str]:
    """Greedy left-to-right set of linearly independent columns (exposures come first)."""
    keep: list[str] = []
    for col in x.columns:
        if np.linalg.matrix_rank(x[[*keep, col]].to_numpy()) == len(keep) + 1:
            keep.append(col)
    return keep


def fit_logistic(df: pd.DataFrame, model: str, *, min_category: int = 30,
                 strata_fe: bool = True, level: float = 0.95,
                 age_unit: str = "") -> pd.DataFrame:
    """Fit one weighted logistic regression; tidy rows for every non-stratum term.

    `df` has one row per unit: y (0/1), weight, hh_id (cluster), stratum, mig, cg, and optional
    controls sex ('male'/'female'), age (band), hh_size, pcg_age (caregiver age group). Failures
    (no events, separation, non-convergence, singular design) end up in `note`, never raise.
    """
    notes: list[str] = []
    data, x, refs = design_matrix(df, min_category=min_category, strata_fe=strata_fe,
                                  notes=notes)
    y = data["y"].astype(float)
    dropped_terms = _separated(x, y)
    for col in dropped_terms:
        notes.append(f"{col} not estimable: outcome constant in the category (separation); "
                     f"its {int(x[col].sum())} units dropped")
        keep_rows = x[col] == 0
        x, y, data = x[keep_rows], y[keep_rows], data[keep_rows]
    x = x.drop(columns=dropped_terms)
    cols = _independent(x) if len(x) else []
    for col in (c for c in x.columns if c not in cols):
        notes.append(f"{col} dropped: collinear with other terms")
        dropped_terms.append(col)
    x = x[cols]
    groups = pd.factorize(data["hh_id"])[0]
    fe = any(c.startswith("stratum[") for c in x.columns)
    base = {"model": model, "n": len(y), "n_events": int(y.sum()),
            "n_clusters": int(len(np.unique(groups))),
            "n_strata_fe": int(data["stratum"].nunique()) if fe else 0}
    params = se = pd.Series(dtype=float)
    converged = False
    if len(y) == 0 or y.nunique() < 2:
        notes.append("not fitted: the outcome does not vary")
    else:
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                # statsmodels warns that robust covariances are "not fully supported" with
                # var_weights; for the Binomial GLM its CRV1 sandwich equals the textbook
                # formula (tests/models check this), so the warning is dropped.
                warnings.filterwarnings("ignore", category=SpecificationWarning)
                res = sm.GLM(y.to_numpy(), x.to_numpy(), family=sm.families.Binomial(),
                             var_weights=data["weight"].to_numpy(float)).fit(
                    cov_type="cluster", cov_kwds={"groups": groups}, maxiter=100)
            converged = bool(res.converged)
            params = pd.Series(res.params, index=x.columns)
            se = pd.Series(res.bse, index=x.columns)
            kinds = {type(w.message).__name__ for w in caught if issubclass(
                w.category, PerfectSeparationWarning | ConvergenceWarning)}
            if kinds or not converged:
                notes.append("fit warning: " + ", ".join(sorted(kinds) or ["not converged"]))
        except (PerfectSeparationError, np.linalg.LinAlgError, ValueError) as exc:
            notes.append(f"not fitted: {type(exc).__name__}: {exc}")
    z = norm.ppf((1.0 + level) / 2.0)
    rows = []
    terms = [c for c in x.columns if c != "const" and not c.startswith("stratum[")]
    for term in [*terms, *(t for t in dropped_terms if not t.startswith("stratum["))]:
        b, s = float(params.get(term, np.nan)), float(se.get(term, np.nan))
        lid, len_ = _label(term, age_unit)
        rows.append(base | {
            "term": term, "reference": refs.get(term.partition("[")[0], ""),
            "term_label_id": lid, "term_label_en": len_, "coef": b, "se": s,
            "odds_ratio": np.exp(b), "ci_low": np.exp(b - z * s), "ci_high": np.exp(b + z * s),
            "p_value": 2.0 * norm.sf(abs(b / s)) if s > 0 else np.nan,
            "converged": converged, "note": "; ".join(notes)})
    if not rows:
        rows.append(base | {"term": "", "term_label_id": "", "term_label_en": "",
                            "converged": converged, "note": "; ".join(notes)})
    return pd.DataFrame(rows).reindex(columns=TIDY_COLUMNS)


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
               *, min_category: int = 30, level: float = 0.95) -> pd.DataFrame:
    """Fit every outcome's model from the warehouse; one tidy table (`TIDY_COLUMNS`)."""
    cat = load_catalogue()
    parts = []
    for o in outcomes:
        age = cat.get(o).age
        parts.append(fit_logistic(model_frame(con, o), o, min_category=min_category,
                                  level=level, age_unit=age.unit if age else ""))
    return pd.concat(parts, ignore_index=True)
