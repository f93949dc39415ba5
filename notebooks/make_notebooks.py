"""Write the analyst notebooks from this reviewable file: ``python notebooks/make_notebooks.py``.

Why a generator: notebooks are JSON, hard to review and easy to commit with outputs (which could
carry data). The cells live here as plain text; the ``.ipynb`` files are written without outputs,
execution counts or random cell ids, so regenerating gives the same bytes and a diff of this file
is the review. ``tests/notebooks`` checks that the committed notebooks match this file and runs
them against a freshly generated warehouse.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
Cell = tuple[str, str]


def md(text: str) -> Cell:
    return ("markdown", textwrap.dedent(text).strip())


def code(text: str) -> Cell:
    return ("code", textwrap.dedent(text).strip())


SETUP = code('''
    %matplotlib inline
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd
    from IPython.display import Markdown, display

    from parenting_assessment import api

    pd.set_option("display.max_columns", 40)
    pd.set_option("display.width", 160)
    # Charts drawn here (the API's plot_* use the report's own style).
    STYLE = {"axes.spines.top": False, "axes.spines.right": False, "axes.grid": True,
             "grid.color": "#dddddd", "font.size": 8, "axes.titlesize": 9}

    # An in-memory copy of the analyst tables: PA_WAREHOUSE if set, else data/warehouse.duckdb.
    # Nothing stays open on the warehouse file, so `make run` can run meanwhile.
    con = api.open_warehouse()
    api.source(con)
''')

TOUR: list[Cell] = [
    md('''
        # 01 — A tour of the data

        What the survey collected, how well villages responded, and what validation found.
        Everything here comes from the warehouse through `parenting_assessment.api`: the core
        model (pseudonymised household ids; no names, phone numbers or GPS), the estimates and the
        validation summaries. Start here, then go on to `02-explore-a-domain`.
    '''),
    SETUP,
    md('''
        ## What was collected

        One row per unit. *Submitted* households are the accepted submissions (duplicates and
        quarantined submissions are gone); *responding* households were interviewed with consent.
        Child modules cover every child under 5 and one randomly selected child aged 5–17.
    '''),
    code('''
        def have(qualified: str) -> bool:
            """Optional stages (monitoring, models) may be missing from a partial run."""
            return con.execute(
                "select count(*) from information_schema.tables "
                "where table_schema || '.' || table_name = ?", [qualified]).fetchall()[0][0] > 0


        collected = con.sql("""
            select * from (
                select 1 as o, 'villages (desa)' as what, count(distinct village_code) as n
                from core.households
                union all select 2, 'districts (kabupaten/kota)', count(distinct district_code)
                from core.households
                union all select 3, 'households submitted', count(*) from core.households
                union all select 4, 'households responding', count(*) filter (where responded)
                from core.households
                union all select 5, 'persons on the roster', count(*) from core.persons
                union all select 6, 'children aged 0-17', count(*) from core.children
                union all select 7, 'under-5 modules, complete',
                       count(*) filter (where ch_type = '1' and complete) from core.child_modules
                union all select 8, '5-17 modules (selected child), complete',
                       count(*) filter (where ch_type = '2' and complete) from core.child_modules
                union all select 9, 'caregiver interviews, complete',
                       count(*) filter (where complete) from core.caregivers
                union all select 10, 'parents abroad (migrant records)', count(*) from core.migrants
            ) order by o""").df().drop(columns="o")
        collected
    '''),
    code('''
        villages = con.sql("""
            select distinct area_code as village_code, area_name as village
            from estimates.estimates where level = 'village'""").df()
        districts = con.sql("""
            select distinct area_code as district_code, area_name as district
            from estimates.estimates where level = 'district'""").df()

        per_village = con.sql("""
            with h as (select village_code, any_value(district_code) as district_code,
                              count(*) filter (where responded) as households
                       from core.households group by village_code),
                 c as (select village_code, count(*) as children from core.children group by all),
                 m as (select h.village_code,
                              count(*) filter (where m.ch_type = '1' and m.complete) as under5,
                              count(*) filter (where m.ch_type = '2' and m.complete) as age5_17
                       from core.child_modules as m join core.households as h using (hh_id)
                       group by all),
                 g as (select village_code, count(*) filter (where complete) as caregivers
                       from core.caregivers group by all)
            select * from h left join c using (village_code) left join m using (village_code)
                 left join g using (village_code)""").df()
        per_village = (villages.merge(per_village, on="village_code", how="right")
                       .merge(districts, on="district_code", how="left")
                       .sort_values(["district", "village"]))
        per_village[["district", "village", "village_code", "households", "children", "under5",
                     "age5_17", "caregivers"]].reset_index(drop=True)
    '''),
    md('''
        ## Response rates per village

        Each village has two strata: households with a parent of a resident child abroad now
        (`pmi`) and the others (`non_pmi`). The response rate is responding households over
        households selected. Quarantined submissions count as non-respondents, so the weights
        (`hhweight = listed / responding` per stratum) carry them; a census stratum (every listed
        household selected) has weight 1 when everyone responded.
    '''),
    code('''
        strata = con.sql("""
            select village_code, stratum_type, max(n_selected) as selected, count(*) as submitted,
                   count(*) filter (where responded) as responding, max(fpc) as listed,
                   min(hhweight) filter (where responded) as weight_min,
                   max(hhweight) filter (where responded) as weight_max
            from core.households group by all order by all""").df()
        strata["response_rate"] = 100 * strata["responding"] / strata["selected"]
        ok = strata["responding"] > 0
        # The weight is the same for every responding household of a stratum: listed / responding.
        assert np.allclose(strata.loc[ok, "weight_min"], strata.loc[ok, "weight_max"])
        assert np.allclose(strata.loc[ok, "weight_min"],
                           strata.loc[ok, "listed"] / strata.loc[ok, "responding"])

        rates = strata.pivot(index="village_code", columns="stratum_type", values="response_rate")
        totals = strata.groupby("village_code")[["selected", "responding"]].sum()
        rates["all"] = 100 * totals["responding"] / totals["selected"]
        rates = villages.set_index("village_code").join(rates.round(1)).sort_values("all")
        rates
    '''),
    code('''
        with plt.rc_context(STYLE):
            fig, ax = plt.subplots(figsize=(7, 0.22 * len(rates) + 1.0), layout="constrained")
            ax.barh(rates["village"], rates["all"], color="#0072B2")
            ax.axvline(80, color="#D55E00", linewidth=1, linestyle="--")
            ax.set_xlim(0, 100)
            ax.set_xlabel("Responding / selected households (%) — dashed line: 80%")
            ax.set_title("Response rate per village", loc="left")
        print("villages below 80%:", ", ".join(rates.loc[rates["all"] < 80, "village"]) or "none")
    '''),
    md('''
        ## Data quality

        Validation writes one finding per rule and row (`validated.findings`); an error anywhere in
        a submission quarantines the whole submission (`validated.quarantine`), because the
        household is the PSU. The analyst copy carries no raw values and only a hash of each
        submission id.
    '''),
    code('''
        if have("validated.findings"):
            display(con.sql("""
                select severity, rule_family, rule_id, count(*) as findings,
                       count(distinct submission_key) as submissions
                from validated.findings group by all
                order by severity, findings desc, rule_id""").df())
        else:
            print("no validation findings in this warehouse")
    '''),
    code('''
        if have("validated.quarantine"):
            display(con.sql("""
                select rule_id, any_value(severity) as severity, any_value(reason_kind) as kind,
                       count(distinct submission_key) as submissions, count(*) as rows
                from validated.quarantine group by rule_id
                order by submissions desc, rule_id""").df())
        else:
            print("nothing quarantined in this warehouse")
    '''),
    md('''
        **Reconciliation**: for every section, rows read = duplicates + quarantined + accepted.
        A row that disappeared silently would break the balance.
    '''),
    code('''
        reconciliation = con.sql("select * from validated.reconciliation").df()
        assert reconciliation["balanced"].all(), "a section does not balance"
        reconciliation
    '''),
    code('''
        completion = con.sql("""
            select case ch_type when '1' then 'under 5' when '2' then 'selected child 5-17' end
                       as module,
                   count(*) as modules, round(100 * avg(complete::int), 1) as complete_pct
            from core.child_modules group by all
            union all
            select 'caregiver', count(*), round(100 * avg(complete::int), 1) from core.caregivers
            order by module""").df()
        completion
    '''),
    md('''
        ## How much of the results can be published

        The MICS rule (INDICATORS.md §5) flags each cell by its unweighted denominator: ≥ 50 shown,
        25–49 in parentheses, 1–24 suppressed `(*)`, 0 shown as `-`. Village cells of
        age-restricted universes are often suppressed: that is the design, not a bug.
    '''),
    code('''
        flags = con.sql("""
            select level, case flag when '' then 'shown' else flag end as flag, count(*) as cells
            from estimates.estimates where disagg_key = 'total' group by all""").df()
        flags.pivot(index="level", columns="flag", values="cells").fillna(0).astype(int)
    '''),
    code('''
        missing = api.estimates(level="overall")[["indicator_id", "missing_pct", "n_unweighted"]]
        missing.sort_values("missing_pct", ascending=False).head(10).round(1)
    '''),
]

DOMAIN: list[Cell] = [
    md('''
        # 02 — Explore one domain

        Living arrangements and parental migration (`lb_` indicators) across villages and
        districts, a breakdown that the report does not publish, and a check that the API's
        `estimate()` on unit values gives exactly the report's numbers.
    '''),
    SETUP,
    code('''
        from parenting_assessment.estimation import display_value, mics_flag

        DOMAIN = "living"
        INDICATOR = "lb_parent_abroad"
        cat = api.catalogue()
        ids = cat.loc[(cat["domain"] == DOMAIN) & ~cat["supporting"], "indicator_id"].tolist()
        cat.loc[cat["indicator_id"].isin(ids), ["indicator_id", "label_en", "unit", "mics6_code",
                                               "disaggregations"]]
    '''),
    md('''
        ## Overall and by district

        `display` follows the MICS rule: `(34.2)` for 25–49 cases, `(*)` suppressed, `-` none.
        Quote `display`, never `estimate`, for a flagged cell.
    '''),
    code('''
        top = api.estimates(ids, level=["overall", "district"])
        top.pivot(index=["level", "area_name"], columns="indicator_id", values="display")[ids]
    '''),
    code('''
        vil = api.estimates(ids, level="village")
        vil["village"] = vil["area_name"] + " (" + vil["area_code"] + ")"
        vil.pivot(index="village", columns="indicator_id", values="display")[ids]
    '''),
    code('''
        api.plot_villages(INDICATOR, lang="en")
    '''),
    code('''
        api.plot_disaggregation(INDICATOR, lang="en")
    '''),
    md('''
        ## A breakdown the report does not publish

        `api.unit_values()` gives one row per child with the design columns (`stratum`, `psu`,
        `weight`, `fpc`) and household columns (`hh_size`). It also adds one row with `y = NaN`
        for every responding household without a child in the universe, so that `estimate()`
        sees the **full design**: a group below is a *domain* of the whole sample, not a subset
        (INDICATORS.md §5). The flags come from the same MICS rule as the report.
    '''),
    code('''
        DESIGN = {"weight": "weight", "strata": "stratum", "psu": "psu", "fpc": "fpc",
                  "stat": "proportion"}


        def publishable(result: pd.DataFrame) -> pd.DataFrame:
            """Percent, MICS flag and display text, as in estimates.estimates."""
            out = result.copy()
            for col in ("estimate", "se", "ci_low", "ci_high"):
                out[col] = 100 * out[col]
            out["flag"] = mics_flag(out["n_unweighted"])
            out["display"] = display_value(out["estimate"], out["flag"])
            return out


        uv = api.unit_values(INDICATOR)
        uv["hh_size_group"] = np.select([uv["hh_size"] <= 4, uv["hh_size"] <= 6],
                                        ["1-4 persons", "5-6 persons"], default="7+ persons")
        print(f"{int(uv['in_universe'].sum())} children, "
              f"{int((~uv['in_universe']).sum())} design-only household rows")
        by_size = publishable(api.estimate(uv, "y", by="hh_size_group", **DESIGN))
        by_size[["hh_size_group", "display", "ci_low", "ci_high", "deff", "n_unweighted",
                 "N_weighted", "flag"]].round(2)
    '''),
    md('''
        Caregiver type × sex of the child (the report shows each key alone, never crossed):
    '''),
    code('''
        by_cg_sex = publishable(api.estimate(uv, "y", by=["cg", "sex"], **DESIGN))
        by_cg_sex.pivot(index="cg", columns="sex", values="display")
    '''),
    md('''
        **Why not subset?** Estimating on the rows of one group alone rebuilds the design from the
        households of that group: the strata lose their other households (n_h shrinks) and the
        sample size of the group is treated as fixed. The point estimate is the same; the
        standard error is not, and the domain one is the right one.
    '''),
    code('''
        group = by_size.sort_values("n_unweighted").iloc[-1]["hh_size_group"]
        domain = by_size.set_index("hh_size_group").loc[[group]]
        subset = publishable(api.estimate(uv[uv["hh_size_group"] == group], "y", **DESIGN))
        cols = ["estimate", "se", "ci_low", "ci_high", "n_unweighted"]
        pd.DataFrame({"domain (full design)": domain[cols].iloc[0],
                      "subset (wrong)": subset[cols].iloc[0]}).T.assign(group=group).round(2)
    '''),
    md('''
        ## The report's number, recomputed

        The report's village estimates (`estimates.estimates`) come from a vectorised path inside
        DuckDB. Recomputing them from the unit values with the public `estimate()` must give the
        same numbers — to floating-point precision, and the same published text. A village's
        interval is the Jeffreys interval on n/deff with its district's design effect
        (`ci_method="jeffreys", deff_by={"village_code": "district_code"}`; why:
        `docs/statistics.md`).
    '''),
    code('''
        report = api.estimates(INDICATOR, level="village")
        mine = publishable(api.estimate(uv, "y", by="village_code", **DESIGN,
                                        ci_method="jeffreys",
                                        deff_by={"village_code": "district_code"}))
        mine = mine.set_index("village_code")
        pick = report.sort_values(["n_unweighted", "area_code"], ascending=[False, True]).iloc[0]
        ours = mine.loc[pick["area_code"]]
        cols = ["estimate", "se", "ci_low", "ci_high", "n_unweighted", "display"]
        display(pd.DataFrame({"report": pick[cols], "estimate() on unit values": ours[cols]}).T
                .assign(village=pick["area_name"]))
        assert abs(ours["estimate"] - pick["estimate"]) < 1e-9
        assert abs(ours["se"] - pick["se"]) < 1e-9
        assert abs(ours["ci_high"] - pick["ci_high"]) < 1e-9
        assert ours["display"] == pick["display"]
        print(f"{pick['area_name']}: report {pick['display']}, recomputed {ours['display']}")
    '''),
    code('''
        def same_as_report(by: str, level: str) -> int:
            """Every area of `level` agrees with the report; returns how many were compared.

            Village intervals in the report are Jeffreys on n/deff with the district's design
            effect (docs/statistics.md); districts and overall use the logit interval.
            """
            interval = ({"ci_method": "jeffreys", "deff_by": {"village_code": "district_code"}}
                        if level == "village" else {})
            ours = publishable(api.estimate(uv, "y", by=by, **DESIGN, **interval)).set_index(by)
            theirs = api.estimates(INDICATOR, level=level).set_index("area_code")
            both = theirs.merge(ours, left_index=True, right_index=True, suffixes=("", "_ours"))
            for col in ("estimate", "se", "ci_low", "ci_high", "N_weighted"):
                assert np.allclose(both[col], both[f"{col}_ours"], atol=1e-9, equal_nan=True), col
            assert (both["n_unweighted"] == both["n_unweighted_ours"]).all()
            assert (both["display"] == both["display_ours"]).all()
            return len(both)


        print("villages equal:", same_as_report("village_code", "village"))
        print("districts equal:", same_as_report("district_code", "district"))
    '''),
]

NEEDS: list[Cell] = [
    md('''
        # 03 — How sensitive is the needs index?

        The caregiving-needs index (INDICATORS.md §6) is a weighted mean of need-oriented
        components; its weights are a project choice (`needs_index.yaml`). This notebook asks how
        the villages at the top change when the weights change: the configuration's alternative
        sets plus a custom one. A village is never read by a single rank: every rank comes with
        its 95% interval from the simulation.
    '''),
    SETUP,
    code('''
        from scipy.stats import spearmanr

        from parenting_assessment.needs import load_needs_config

        config = load_needs_config()
        stored = con.sql("select * from estimates.needs_index").df()
        n_villages = int((stored["status"] == "ranked").sum())
        # k of the configuration, but never more than a third of the ranked villages.
        TOP_K = min(config.top_k, max(2, round(n_villages / 3)))
        print(f"config {config.version}: {n_villages} villages ranked, top k = {TOP_K}")
        weights = pd.DataFrame({"main": config.components, **config.alternative_weight_sets})
        weights.fillna(0)
    '''),
    md('''
        A custom set for a protection-oriented pilot. Any indicator with a need direction may be
        used; the §6 rules are checked (e.g. `lb_parent_abroad` never with its sub-indicators).
    '''),
    code('''
        CUSTOM = {"prot_discipline_violent": 3, "prot_birth_registered": 1,
                  "care_supervision_inadequate": 2, "lb_neither_parent": 1, "lb_parent_abroad": 1}
        scenarios = {"main": None, **{name: name for name in config.alternative_weight_sets},
                     "custom": CUSTOM}
        results = {name: api.needs_index(w, top_k=TOP_K) for name, w in scenarios.items()}

        # The recomputed main index is the pipeline's, village by village.
        main = results["main"].set_index("village_code")
        check = stored.set_index("village_code").loc[main.index]
        assert np.allclose(main["index"], check["index"], equal_nan=True)
        assert np.allclose(main["se"], check["se"], equal_nan=True)
        main[["village_name", "index", "se", "ci_low", "ci_high", "rank", "rank_low", "rank_high",
              "p_top_k", "partial"]].round(2)
    '''),
    md('''
        ## Ranks under each weight set

        Each cell: rank (95% rank interval). Villages in the main order.
    '''),
    code('''
        def rank_text(r: pd.Series) -> str:
            if pd.isna(r["rank"]):
                return "-"
            return f"{r['rank']:.0f} ({r['rank_low']:.0f}-{r['rank_high']:.0f})"


        order = main.sort_values(["rank", "village_name"]).index
        ranks = pd.DataFrame({name: res.set_index("village_code").apply(rank_text, axis=1)
                              for name, res in results.items()}).loc[order]
        ranks.insert(0, "village", main.loc[order, "village_name"])
        ranks
    '''),
    code('''
        main_top = set(main.index[main["rank"] <= TOP_K])
        summary = []
        for name, res in results.items():
            r = res.set_index("village_code").loc[order]
            top = r[r["rank"] <= TOP_K].sort_values("rank")
            both = r["rank"].notna() & main.loc[order, "rank"].notna()
            rho = spearmanr(main.loc[order][both]["rank"], r[both]["rank"])[0]
            summary.append({
                "weight set": name, "ranked": int(r["rank"].notna().sum()),
                f"top {TOP_K}": ", ".join(top["village_name"]),
                "left the main top k": len(main_top - set(top.index)),
                "Spearman vs main": round(float(rho), 2),
                "largest rank change": float(np.nanmax(abs(r["rank"] - main.loc[order, "rank"])))})
        pd.DataFrame(summary)
    '''),
    md('''
        **Probability of being in the top k** (share of simulated rankings). A village whose
        probability stays high under every set is a robust choice; one that enters only under one
        set depends on that choice of weights.
    '''),
    code('''
        p_top = pd.DataFrame({name: res.set_index("village_code")["p_top_k"]
                              for name, res in results.items()}).loc[order]
        p_top.insert(0, "village", main.loc[order, "village_name"])
        p_top.round(2)
    '''),
    code('''
        shown = [v for v in order if any(
            results[s].set_index("village_code").loc[v, "rank"] <= TOP_K for s in results)][:15]
        colors = ["#000000", "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9"]
        with plt.rc_context(STYLE):
            fig, ax = plt.subplots(figsize=(7, 0.45 * len(shown) + 1.2), layout="constrained")
            for j, (name, res) in enumerate(results.items()):
                r = res.set_index("village_code").loc[shown]
                ys = np.arange(len(shown))[::-1] + (j - len(results) / 2) * 0.11
                ax.hlines(ys, r["rank_low"], r["rank_high"], color=colors[j % len(colors)],
                          linewidth=1)
                ax.plot(r["rank"], ys, "o", markersize=3.5, color=colors[j % len(colors)],
                        label=name)
            ax.set_yticks(np.arange(len(shown))[::-1], main.loc[shown, "village_name"])
            ax.axvline(TOP_K + 0.5, color="#999999", linestyle="--", linewidth=0.8)
            ax.set_xlabel(f"Rank (1 = most need) with 95% rank interval; dashed: top {TOP_K}")
            ax.set_title("Villages in any top k, by weight set", loc="left")
            ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    '''),
    md('''
        ## Missing answers and other caveats

        The pipeline also recomputes the index with "don't know" and missing answers counted
        towards less and towards more need (`index_low`, `index_high`). Where that range is wider
        than the confidence interval, data quality matters more than sampling error. A *partial*
        score lacks components with fewer than `min_n_component` children (renormalised); a
        *census* village has SE 0, so its rank interval reflects only the other villages.
    '''),
    code('''
        caveats = stored.set_index("village_code").loc[order, [
            "village_name", "index", "ci_low", "ci_high", "index_low", "index_high", "partial",
            "census", "readiness_display", "unavailable_components"]]
        caveats["bounds_wider_than_ci"] = ((caveats["index_high"] - caveats["index_low"])
                                           > (caveats["ci_high"] - caveats["ci_low"]))
        caveats.round(1)
    '''),
]

MODELS: list[Cell] = [
    md('''
        # 04 — Regression models and their diagnostics

        The pipeline fits survey-weighted logistic regressions of three caregiving outcomes on a
        child's parental migration status, with village fixed effects and household-clustered
        standard errors (`docs/models.md`). This notebook shows the fitted odds ratios, then checks
        them: events per parameter, separation, calibration (binned residuals) and collinearity.

        **What they can claim**: adjusted associations, within the same village and for children
        of the same sex, age band, household size and caregiver type, between parental migration
        and the outcome, in the population of the surveyed villages.

        **What they cannot claim**: causal effects (families select into migration); anything
        about villages (absorbed by the fixed effects); precision in small cells (separated or
        sparse categories are reported as not estimable); the design's stratification and finite
        population correction (the clustered SE ignores both, which is conservative); change over
        time (one cross-section).
    '''),
    SETUP,
    code('''
        import warnings

        import statsmodels.api as sm
        from statsmodels.stats.outliers_influence import variance_inflation_factor
        from statsmodels.tools.sm_exceptions import SpecificationWarning

        from parenting_assessment.models import DEFAULT_OUTCOMES, design_matrix, model_frame

        stored = con.sql("select * from estimates.model_results").df()
        stored[["model", "term_label_en", "odds_ratio", "ci_low", "ci_high", "p_value",
                "estimable", "n", "n_events", "n_clusters"]].round(3)
    '''),
    md('''
        Every rule that fired while fitting is in `note` (dropped rows, merged categories, dropped
        villages, separation, few events per parameter):
    '''),
    code('''
        for model, note in stored.groupby("model", sort=False)["note"].first().items():
            items = [f"- {x}" for x in str(note).split("; ") if x]
            display(Markdown(f"**{model}**\\n\\n" + ("\\n".join(items) or "- no notes")))
    '''),
    md('''
        ## Refit for diagnostics

        The same design matrix as the pipeline (`models.design_matrix`), the same pruning idea
        (separated categories out with their units, then terms that add no rank), and the same
        estimator: `GLM(Binomial, var_weights=weight)` with clusters = households.
    '''),
    code('''
        MAX_ABS_LOGOR = 10.0


        def refit(outcome: str) -> dict:
            notes: list[str] = []
            data, x, refs = design_matrix(model_frame(con, outcome), notes=notes)
            y = data["y"].astype(float)
            out = {"outcome": outcome, "units": len(y), "result": None, "reason": ""}
            dummies = [c for c in x.columns if c != "const" and not c.startswith("fe[")
                       and set(np.unique(x[c])) <= {0.0, 1.0}]
            separated = [c for c in dummies if y[x[c] == 1].nunique() < 2]
            if separated:
                keep = (x[separated] == 0).all(axis=1)
                x, y, data = x.loc[keep].drop(columns=separated), y[keep], data[keep]
            # Terms that add rank, left to right (fixed effects first, as in the pipeline):
            # a column stays when its residual on the kept ones is not ~0 (on X'X, fast).
            g = x.to_numpy(float).T @ x.to_numpy(float)
            keep_j: list[int] = []
            for j in range(g.shape[0]):
                resid = g[j, j]
                if keep_j:
                    v = g[keep_j, j]
                    resid -= v @ np.linalg.solve(g[np.ix_(keep_j, keep_j)], v)
                if g[j, j] > 0 and resid > 1e-9 * g[j, j]:
                    keep_j.append(j)
            candidates, cols = list(x.columns), [x.columns[j] for j in keep_j]
            x = x[cols]
            out.update(separated=separated, dropped=[c for c in candidates if c not in cols],
                       x=x, y=y, data=data, events=int(y.sum()), n=len(y))
            if len(y) == 0 or y.nunique() < 2:
                out["reason"] = "outcome does not vary"
                return out
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                # statsmodels warns that cluster SEs are "not fully supported" with var_weights;
                # for the Binomial GLM they are the textbook CRV1 (tests/models check it).
                warnings.filterwarnings("ignore", category=SpecificationWarning)
                try:
                    out["result"] = sm.GLM(y, x, family=sm.families.Binomial(),
                                           var_weights=data["weight"]).fit(
                        cov_type="cluster",
                        cov_kwds={"groups": pd.factorize(data["hh_id"])[0]}, maxiter=100)
                except (np.linalg.LinAlgError, ValueError) as exc:
                    out["reason"] = f"{type(exc).__name__}: {exc}"
            out["warnings"] = sorted({w.category.__name__ for w in caught})
            return out


        fits = {o: refit(o) for o in DEFAULT_OUTCOMES}
    '''),
    md('''
        ## Events per parameter and separation

        A common rule of thumb wants at least 10 events (the rarer outcome) per parameter. Village
        fixed effects are parameters too; both counts are shown. `|log-OR| > 10` after the fit is
        quasi-separation: such a term is not an estimate.
    '''),
    code('''
        rows = []
        for outcome, f in fits.items():
            x = f["x"]
            k_all = x.shape[1] - 1
            k_terms = sum(not c.startswith("fe[") for c in x.columns) - 1
            rarer = min(f["events"], f["n"] - f["events"])
            res = f["result"]
            quasi = [] if res is None else [
                c for c in x.columns if c != "const" and not c.startswith("fe[")
                and (abs(res.params[c]) > MAX_ABS_LOGOR or not np.isfinite(res.bse[c]))]
            rows.append({"outcome": outcome, "n": f["n"], "events": f["events"],
                         "parameters (with FE)": k_all, "parameters (no FE)": k_terms,
                         "EPV (with FE)": round(rarer / max(k_all, 1), 1),
                         "EPV (no FE)": round(rarer / max(k_terms, 1), 1),
                         "separated (dropped)": ", ".join(f["separated"]) or "-",
                         "quasi-separated": ", ".join(quasi) or "-",
                         "fit": f["reason"] or ", ".join(f.get("warnings", [])) or "ok"})
        pd.DataFrame(rows)
    '''),
    md('''
        The refit against the stored odds ratios (log scale): differences mean the pruning rules
        differed (the pipeline also drops whole variables when one level is collinear).
    '''),
    code('''
        compare = []
        for outcome, f in fits.items():
            res = f["result"]
            if res is None:
                continue
            s = stored[(stored["model"] == outcome) & stored["estimable"]].set_index("term")
            common = [t for t in s.index if t in res.params.index]
            for t in common:
                compare.append({"outcome": outcome, "term": t, "stored log-OR": s.loc[t, "coef"],
                                "refit log-OR": res.params[t],
                                "difference": res.params[t] - s.loc[t, "coef"]})
        pd.DataFrame(compare).round(4)
    '''),
    md('''
        ## Calibration: binned residuals

        Units are grouped by fitted probability; each point is the mean residual (observed − fitted)
        of a bin, with ±2 standard errors (Gelman & Hill). Points outside the band in a pattern
        suggest a missing non-linearity or interaction. With village fixed effects the weighted
        residuals sum to zero in every village, so calibration-in-the-large holds by construction;
        the bins test the shape.
    '''),
    code('''
        fitted = {o: f for o, f in fits.items() if f["result"] is not None}
        if not fitted:
            print("no model could be fitted on this warehouse")
        else:
            with plt.rc_context(STYLE):
                fig, axes = plt.subplots(1, len(fitted), figsize=(3.2 * len(fitted), 3.0),
                                         layout="constrained", squeeze=False)
                for ax, (outcome, f) in zip(axes[0], fitted.items(), strict=True):
                    p = pd.Series(np.asarray(f["result"].fittedvalues), index=f["y"].index)
                    bins = max(2, min(10, len(p) // 20))
                    b = pd.qcut(p.rank(method="first"), bins, labels=False)
                    g = pd.DataFrame({"p": p, "r": f["y"] - p, "b": b}).groupby("b")
                    m = g.agg(p=("p", "mean"), r=("r", "mean"), n=("r", "size"))
                    band = 2 * np.sqrt(m["p"] * (1 - m["p"]) / m["n"])
                    ax.plot(m["p"], m["r"], "o", color="#0072B2", markersize=4)
                    ax.plot(m["p"], band, color="#999999", linewidth=0.8)
                    ax.plot(m["p"], -band, color="#999999", linewidth=0.8)
                    ax.axhline(0, color="#333333", linewidth=0.6)
                    ax.set_title(outcome, loc="left", fontsize=8)
                    ax.set_xlabel("mean fitted probability")
                axes[0, 0].set_ylabel("mean residual")
    '''),
    code('''
        calibration = []
        for outcome, f in fitted.items():
            p = np.asarray(f["result"].fittedvalues)
            w = f["data"]["weight"].to_numpy(float)
            y = f["y"].to_numpy(float)
            b = pd.qcut(pd.Series(p).rank(method="first"), max(2, min(5, len(p) // 40)),
                        labels=False).to_numpy()
            for k in np.unique(b):
                s = b == k
                calibration.append({"outcome": outcome, "bin": int(k) + 1, "n": int(s.sum()),
                                    "observed %": 100 * np.average(y[s], weights=w[s]),
                                    "predicted %": 100 * np.average(p[s], weights=w[s])})
        pd.DataFrame(calibration).round(1)
    '''),
    md('''
        ## Collinearity

        Variance inflation factors of the exposures and controls (fixed effects left out): above
        about 5 a coefficient's SE is inflated by its overlap with the others, e.g. caregiver type
        with caregiver age (most caregivers aged 60+ are grandparents).
    '''),
    code('''
        vifs = []
        for outcome, f in fitted.items():
            xv = f["x"][[c for c in f["x"].columns if not c.startswith("fe[")]]
            xv = xv.loc[:, xv.std() > 0].assign(const=1.0)
            terms = [c for c in xv.columns if c != "const"]
            for i, term in enumerate(xv.columns):
                if term != "const" and len(terms) > 1:
                    vifs.append({"outcome": outcome, "term": term,
                                 "VIF": variance_inflation_factor(xv.to_numpy(), i)})
        if vifs:
            vif = pd.DataFrame(vifs).pivot(index="term", columns="outcome", values="VIF")
            display(vif.round(2))
        else:
            print("fewer than two terms: nothing to compare")
    '''),
    code('''
        if fitted:
            outcome, f = next(iter(fitted.items()))
            xv = f["x"][[c for c in f["x"].columns if c != "const" and not c.startswith("fe[")]]
            print(f"correlation of predictors, {outcome}:")
            display(xv.loc[:, xv.std() > 0].corr().round(2))
    '''),
    md('''
        ## Reading the results

        * Read an odds ratio only where `estimable` is true, and with its interval; a wide interval
          crossing 1 says the data cannot tell the direction.
        * Terms flagged above (few events per parameter, separation, VIF > 5) need the pooled
          field sample before they can be read at all.
        * The contrast is *within villages*; the village tables (notebook 02) say how common each
          outcome is. Neither says what would happen if a parent came home.
    '''),
    code('''
        readable = stored[stored["estimable"] & stored["term"].str.startswith("mig[")]
        readable = readable.assign(crosses_1=(readable["ci_low"] < 1) & (readable["ci_high"] > 1))
        cols = ["model", "term_label_en", "odds_ratio", "ci_low", "ci_high", "crosses_1"]
        readable[cols].round(2)
    '''),
]

NOTEBOOKS = {
    "01-tour-of-the-data.ipynb": TOUR,
    "02-explore-a-domain.ipynb": DOMAIN,
    "03-needs-index-sensitivity.ipynb": NEEDS,
    "04-regression-models.ipynb": MODELS,
}


def build(name: str) -> nbformat.NotebookNode:
    """One notebook without outputs, with stable cell ids (``<stem>-<n>``)."""
    cells = []
    stem = name.split("-")[0]
    for i, (kind, source) in enumerate(NOTEBOOKS[name]):
        cell = new_markdown_cell(source) if kind == "markdown" else new_code_cell(source)
        cell["id"] = f"nb{stem}-{i:02d}"
        cells.append(cell)
    nb = new_notebook(cells=cells)
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                  "language": "python"},
                   "language_info": {"name": "python"}}
    return nb


def render(name: str) -> str:
    """The exact text written for `name` (the test compares the committed files with it)."""
    return nbformat.writes(build(name)) + "\n"


def main(out_dir: Path = HERE) -> None:
    for name in NOTEBOOKS:
        (out_dir / name).write_text(render(name), encoding="utf-8")
        print(out_dir / name)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
