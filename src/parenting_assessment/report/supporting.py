"""Supporting columns of MICS table TC.10.1: % living with the biological father / mother.

The universe is the one of TC.49: children aged 24–59 months.

INDICATORS.md §3.6 requires these beside TC.49b/c (support for learning by the father /
mother), because those two count a child whose parent is abroad as 0 and so partly measure
parental absence. They are not catalogue indicators, so they are estimated here with the same
engine, household design and flags as ``estimates.estimates`` (no subsetting of the design).
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from parenting_assessment.estimates.run import household_design
from parenting_assessment.estimation import display_value, mics_flag, taylor_by

SUPPORT_IDS = {"sup_live_father": "HL18", "sup_live_mother": "HL14"}
BESIDE = {"ecd_support_learning_father": "sup_live_father",
          "ecd_support_learning_mother": "sup_live_mother"}
KEYS = {"sex": "sex", "age": "age_band", "mig": "mig_status", "cg": "cg_type"}
COLUMNS = ["indicator_id", "level", "area_code", "disagg_key", "disagg_value", "estimate",
           "ci_low", "ci_high", "n_unweighted", "flag", "display"]


def _units(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("""
        select village_code, district_code, stratum, psu, weight,
               case when coalesce(try_cast(HL18 as integer), 0) > 0 then 1 else 0 end as HL18,
               case when coalesce(try_cast(HL14 as integer), 0) > 0 then 1 else 0 end as HL14,
               case sex when '1' then 'male' when '2' then 'female' end as sex,
               case age_years when 2 then '24-35' when 3 then '36-47' when 4 then '48-59'
               end as age_band, mig_status, cg_type
        from core.child_modules
        where ch_type = '1' and complete and age_years between 2 and 4""").df()


def living_with_parents(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> pd.DataFrame:
    """Estimates-shaped rows for `SUPPORT_IDS` by village, district and overall.

    The overall level is also broken down by sex, age, mig and cg. Empty if the core tables
    are missing.
    """
    try:
        units = _units(con)
        design = household_design(con)
    except duckdb.Error:
        return pd.DataFrame(columns=COLUMNS)
    if units.empty:
        return pd.DataFrame(columns=COLUMNS)
    units["all"] = "all"
    parts = []
    for sid, col in SUPPORT_IDS.items():
        for level, area in (("village", "village_code"), ("district", "district_code"),
                            ("overall", "all")):
            keys = {"total": None} if level != "overall" else {"total": None, **KEYS}
            for key, kcol in keys.items():
                domains = [area] + ([kcol] if kcol else [])
                est = taylor_by(units, y=col, weight="weight", stratum="stratum", psu="psu",
                                domains=domains, design=design, stat="proportion")
                est = est.rename(columns={area: "area_code"})
                est["disagg_value"] = est[kcol] if kcol else "total"
                est["indicator_id"], est["level"], est["disagg_key"] = sid, level, key
                parts.append(est)
    out = pd.concat(parts, ignore_index=True)
    for c in ("estimate", "ci_low", "ci_high"):
        out[c] = 100 * out[c]
    out["n_unweighted"] = out["n_unweighted"].fillna(0).astype("int64")
    out["flag"] = mics_flag(out["n_unweighted"])
    out["display"] = display_value(out["estimate"].astype(float).fillna(np.nan), out["flag"])
    return out[COLUMNS].reset_index(drop=True)
