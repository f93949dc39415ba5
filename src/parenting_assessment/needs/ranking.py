"""Rank intervals, top-k probabilities and sensitivity of the needs index (INDICATORS.md §6).

A village is never presented by a single rank: the ranking is simulated. Each draw takes every
ranked village's score from N(index, se²) — independently, because villages are separate strata
of the design — and ranks the villages (1 = most need). The draws are one (draws × villages)
numpy array from a seeded generator, so a rerun with the same configuration gives the same
intervals to the last digit.

A census village has SE 0: its draws are its point score, so its rank interval comes only from
the other villages' uncertainty (the index table says so in `uncertainty_note`). That is why the
sensitivity analysis — DK/missing answers counted the other way, alternative weight sets — is
reported beside the ranking.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
from scipy.stats import rankdata

from parenting_assessment.needs.config import NeedsConfig
from parenting_assessment.needs.index import compute_needs_index, needs_components

RANK_COLUMNS = ["rank", "rank_median", "rank_low", "rank_high", "p_top_k", "in_top_k", "top_k",
                "n_ranked", "draws", "seed"]
SENSITIVITY_COLUMNS = [
    "scenario", "kind", "village_code", "index", "se", "status", "rank", "rank_low", "rank_high",
    "p_top_k", "in_top_k", "rank_change", "top_k_changed", "config_version",
]


def rank_villages(index_df: pd.DataFrame, config: NeedsConfig) -> pd.DataFrame:
    """`index_df` with rank columns (`RANK_COLUMNS`); villages not ranked get NaN ranks.

    `rank` ranks the point scores; `rank_median`, `rank_low`, `rank_high` are the median and the
    (1 − level)/2, (1 + level)/2 quantiles of the simulated ranks; `p_top_k` is the share of draws
    in which the village is among the `top_k` most in need. Ties take the best rank ('min').
    """
    out = index_df.copy()
    ranked = ((out["status"] == "ranked") & np.isfinite(out["index"].to_numpy(float))
              & np.isfinite(out["se"].to_numpy(float))).to_numpy()
    score = out["index"].to_numpy(float)[ranked]
    se = out["se"].to_numpy(float)[ranked]
    for col in RANK_COLUMNS:
        out[col] = np.nan
    out["in_top_k"] = False
    out["top_k"], out["n_ranked"] = config.top_k, int(ranked.sum())
    out["draws"], out["seed"] = config.draws, config.seed
    if ranked.any():
        rng = np.random.default_rng(config.seed)
        draws = score + se * rng.standard_normal((config.draws, len(score)))
        ranks = rankdata(-draws, method="min", axis=1)
        tail = (1.0 - config.level) / 2.0
        out.loc[ranked, "rank"] = rankdata(-score, method="min")
        out.loc[ranked, "rank_median"] = np.quantile(ranks, 0.5, axis=0, method="inverted_cdf")
        out.loc[ranked, "rank_low"] = np.quantile(ranks, tail, axis=0, method="inverted_cdf")
        out.loc[ranked, "rank_high"] = np.quantile(ranks, 1.0 - tail, axis=0,
                                                   method="inverted_cdf")
        out.loc[ranked, "p_top_k"] = (ranks <= config.top_k).mean(axis=0)
        out.loc[ranked, "in_top_k"] = out.loc[ranked, "rank"] <= config.top_k
    out["in_top_k"] = out["in_top_k"].astype(bool)
    return out.sort_values(["rank", "village_code"], na_position="last").reset_index(drop=True)


def _missing_variant(unit_values: pd.DataFrame, config: NeedsConfig,
                     need_max: bool) -> pd.DataFrame:
    """unit_values with DK/missing answers counted towards (or against) need.

    Need-maximising: '+' components y = max(y, missing) (a DK counts as meeting the numerator),
    '−' components y = y·(1 − missing) (a DK counts as not meeting it). Need-minimising is the
    mirror image. Only rows of directed indicators change.
    """
    if "missing" not in unit_values.columns:
        raise ValueError("unit_values lacks the 'missing' column needed for the bounds")
    uv = unit_values.copy()
    y = pd.to_numeric(uv["y"]).to_numpy(float)
    miss = pd.to_numeric(uv["missing"]).fillna(0).to_numpy(float)
    sign = uv["indicator_id"].map(config.directions).to_numpy(object)
    raise_up = np.where(sign == "+", need_max, np.where(sign == "-", not need_max, False))
    push_down = np.where(sign == "+", not need_max, np.where(sign == "-", need_max, False))
    y = np.where(raise_up, np.maximum(y, miss), y)
    y = np.where(push_down, y * (1.0 - miss), y)
    uv["y"] = y.astype(np.int64)
    return uv


def _scenarios(config: NeedsConfig) -> list[tuple[str, str, dict[str, float], bool | None]]:
    rows: list[tuple[str, str, dict[str, float], bool | None]] = [
        ("main", "main", config.components, None),
        ("missing_low", "missing_bound", config.components, False),
        ("missing_high", "missing_bound", config.components, True),
    ]
    rows += [(f"weights:{name}", "weight_set", ws, None)
             for name, ws in config.alternative_weight_sets.items()]
    return rows


def sensitivity(unit_values: pd.DataFrame, design: pd.DataFrame,
                village_estimates: pd.DataFrame, config: NeedsConfig) -> pd.DataFrame:
    """Long table: the index and ranking per village under each scenario (`SENSITIVITY_COLUMNS`).

    Scenarios: `main`; `missing_low` / `missing_high` (DK and missing answers counted towards
    less / more need — the missing-data bounds of the index); `weights:<name>` for every
    alternative weight set. `rank_change` = scenario rank − main rank; `top_k_changed` is, for the
    whole scenario, how many villages of the main top k are no longer in its top k.
    """
    parts = []
    for scenario, kind, weights, need_max in _scenarios(config):
        uv = unit_values if need_max is None else _missing_variant(unit_values, config, need_max)
        idx = compute_needs_index(uv, design, village_estimates, config, weights=weights)
        ranked = rank_villages(idx, config)
        ranked["scenario"], ranked["kind"] = scenario, kind
        parts.append(ranked)
    main = parts[0].set_index("village_code")
    main_top = set(main.index[main["in_top_k"]])
    for part in parts:
        part["rank_change"] = part["rank"].to_numpy(float) - main["rank"].reindex(
            part["village_code"]).to_numpy(float)
        part["top_k_changed"] = len(main_top - set(part.loc[part["in_top_k"], "village_code"]))
    out = pd.concat(parts, ignore_index=True)
    return out[SENSITIVITY_COLUMNS]


def missing_bounds(sens: pd.DataFrame) -> pd.DataFrame:
    """Per village `index_low`, `index_high` from the sensitivity table's missing-data bounds."""
    b = sens[sens["kind"] == "missing_bound"].pivot(index="village_code", columns="scenario",
                                                    values="index")
    return pd.DataFrame({"village_code": b.index, "index_low": b["missing_low"].to_numpy(),
                         "index_high": b["missing_high"].to_numpy()}).reset_index(drop=True)


def needs_tables(con: duckdb.DuckDBPyConnection,
                 config: NeedsConfig) -> dict[str, pd.DataFrame]:
    """Everything the report needs, from the warehouse: three tables, keyed by a table name.

    * ``needs_index``: `compute_needs_index` + `rank_villages` + `index_low`/`index_high`;
    * ``needs_components``: the component profile per village;
    * ``needs_sensitivity``: `sensitivity` (long).
    """
    from parenting_assessment.estimates.run import household_design

    uv = con.execute("select * from indicators.unit_values").df()
    est = con.execute("""select * from estimates.estimates
                         where level = 'village' and disagg_key = 'total'""").df()
    design = household_design(con)
    sens = sensitivity(uv, design, est, config)
    index = rank_villages(compute_needs_index(uv, design, est, config), config)
    index = index.merge(missing_bounds(sens), on="village_code", how="left")
    return {"needs_index": index, "needs_components": needs_components(uv, est, config),
            "needs_sensitivity": sens}
