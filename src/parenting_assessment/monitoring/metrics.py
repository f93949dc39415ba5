"""Fieldwork indicators per enumerator and per village, computed in DuckDB.

Everything is computed on the typed layer - every submission, accepted or not - because the
point is to see how the fieldwork went, and quarantine is one of the outcomes (its rate is a
column). "Don't know" codes are read from the form's choice labels, not hard-wired. Outliers
use a robust z-score (median and MAD), which a few extreme enumerators cannot mask the way
they would inflate a standard deviation.
"""

from __future__ import annotations

import re

import duckdb
import numpy as np
import pandas as pd

from parenting_assessment.instrument.model import Instrument
from parenting_assessment.validate.rule_tables import q
from parenting_assessment.warehouse import replace_table, table_exists

DK_LABEL = re.compile(r"don.?t know|tidak tahu", re.IGNORECASE)
Z_LIMIT = 2.0
MIN_COMPLETION = 0.8  # a stratum below 80% of its target is highlighted
# metric -> which side is suspicious ("both", "high", "low")
ENUMERATOR_METRICS = {"interviews_per_day": "both", "median_minutes": "both",
                      "dk_share": "high", "module_skip_share": "high",
                      "gps_outlier_share": "high", "duplicate_rate": "high",
                      "quarantine_rate": "high"}


def dk_codes(ins: Instrument) -> dict[str, list[str]]:
    """Choice list -> its "don't know" codes, read from the labels."""
    return {name: [c.name for c in choices if any(DK_LABEL.search(t) for t in c.labels.values())]
            for name, choices in ins.choices.items()}


def _dk_sql(con: duckdb.DuckDBPyConnection, ins: Instrument, section: str) -> str:
    have = {r[0] for r in con.execute(f"describe typed.{section}").fetchall()}
    codes = dk_codes(ins)
    dk, ans = [], []
    for f in ins.sections[section].fields:
        if f.type != "select_one" or f.name not in have:
            continue
        col = f"NULLIF(TRIM({q(f.name)}), '')"
        ans.append(f"({col} IS NOT NULL)::INT")
        if codes.get(f.list_name or ""):
            dk.append(f"coalesce({col} IN ({', '.join(repr(c) for c in codes[f.list_name])}),"
                      " false)::INT")
    return (f"select submission_uuid, {' + '.join(dk) or '0'} as dk, "
            f"{' + '.join(ans) or '0'} as ans from typed.{section}")


def submission_table(con: duckdb.DuckDBPyConnection, ins: Instrument) -> pd.DataFrame:
    """One row per submission with what the monitoring aggregates."""
    dk = " union all ".join(_dk_sql(con, ins, s) for s in ins.sections
                            if table_exists(con, f"typed.{s}"))
    return con.execute(f"""
        with dk as (select submission_uuid, sum(dk) as dk, sum(ans) as ans from ({dk})
                    group by all),
        kids as (select _parent_key as hh, count(*) filter (where HL6 < 5 or HL6 between 5 and 17)
                 as eligible from typed.roster group by all),
        mods as (select _parent_key as hh, count(*) as opps,
                        count(*) filter (where coalesce(UF17, FS17, '') <> '1') as skipped
                 from typed.child group by all
                 union all
                 select _parent_key, count(*), count(*) filter (where coalesce(cg_result, '')
                        <> '1') from typed.caregiver group by all),
        m as (select hh, sum(opps) as opps, sum(skipped) as skipped from mods group by all),
        f as (select submission_uuid,
                     bool_or(rule_id = 'gps_far') as gps_far,
                     bool_or(rule_family = 'duplicates') as dup_finding
              from validated.findings group by all),
        d as (select kept_uuid as submission_uuid, count(*) as copies from typed.duplicates
              where section = 'household' group by all),
        qr as (select distinct submission_uuid from validated.quarantine)
        select h.submission_uuid, h.enum_id, h.village, h.hh_stratum as stratum, h._batch as batch,
               h.today as day, (h.visit_result = '1' and h.consent = '1') as responded,
               epoch(h."end" - h.start) / 60.0 as minutes,
               coalesce(dk.dk, 0) as dk, coalesce(dk.ans, 0) as ans,
               coalesce(m.opps, 0) + (coalesce(kids.eligible, 0) > 0)::int as opps,
               coalesce(m.skipped, 0) + (coalesce(kids.eligible, 0) > 0
                                         and coalesce(h.ch_n, 0) = 0)::int as skipped,
               coalesce(f.gps_far, false) as gps_far,
               coalesce(d.copies, 0) + coalesce(f.dup_finding, false)::int as duplicates,
               qr.submission_uuid is not null as quarantined
        from typed.household h
        left join dk using (submission_uuid) left join kids on kids.hh = h._row_key
        left join m on m.hh = h._row_key left join f using (submission_uuid)
        left join d using (submission_uuid) left join qr using (submission_uuid)""").df()


def robust_z(x: pd.Series) -> pd.Series:
    """0.6745 (x - median) / MAD; mean absolute deviation when MAD is 0; 0 when both are."""
    v = x.astype(float)
    med = v.median()
    mad = (v - med).abs().median()
    scale = mad / 0.6745 if mad > 0 else 1.2533 * (v - med).abs().mean()
    if not scale or np.isnan(scale):
        return pd.Series(0.0, index=x.index)
    return (v - med) / scale


def flag_outliers(df: pd.DataFrame, metrics: dict[str, str], limit: float = Z_LIMIT
                  ) -> pd.DataFrame:
    """Add ``z_<metric>`` columns and ``outliers`` (the metrics beyond the limit)."""
    out = df.copy()
    flags = [[] for _ in range(len(out))]
    for m, side in metrics.items():
        z = robust_z(out[m].fillna(out[m].median()))
        out[f"z_{m}"] = z.round(2)
        bad = (z.abs() > limit) if side == "both" else (z > limit if side == "high"
                                                         else z < -limit)
        for i in np.flatnonzero(bad.to_numpy()):
            flags[i].append(m)
    out["outliers"] = [", ".join(f) for f in flags]
    return out


def enumerator_table(sub: pd.DataFrame) -> pd.DataFrame:
    """Per enumerator: pace, duration, DK and module-skip shares, GPS, duplicates, quarantine."""
    g = sub.groupby("enum_id", dropna=False)
    resp = sub[sub["responded"]].groupby("enum_id", dropna=False)
    out = pd.DataFrame({
        "submissions": g.size(), "days": g["day"].nunique(),
        "completed": g["responded"].sum(),
        "median_minutes": resp["minutes"].median(),
        "dk_share": g["dk"].sum() / g["ans"].sum().replace(0, np.nan),
        "module_skip_share": g["skipped"].sum() / g["opps"].sum().replace(0, np.nan),
        "gps_outliers": g["gps_far"].sum(),
        "duplicates": g["duplicates"].sum(), "quarantined": g["quarantined"].sum(),
        "last_batch": g["batch"].max()}).reset_index()
    out["interviews_per_day"] = out["submissions"] / out["days"].replace(0, np.nan)
    out["response_rate"] = out["completed"] / out["submissions"]
    out["gps_outlier_share"] = out["gps_outliers"] / out["completed"].replace(0, np.nan)
    out["duplicate_rate"] = out["duplicates"] / out["submissions"]
    out["quarantine_rate"] = out["quarantined"] / out["submissions"]
    out = flag_outliers(out, ENUMERATOR_METRICS)
    return out.round(3).sort_values("enum_id").reset_index(drop=True)


def village_table(sub: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """Per village and stratum: completed vs target, response rate, quarantine."""
    sub = sub.assign(accepted=sub["responded"] & ~sub["quarantined"])
    g = sub.groupby(["village", "stratum"], dropna=False)
    got = pd.DataFrame({"visited": g.size(), "completed": g["responded"].sum(),
                        "accepted": g["accepted"].sum()}).reset_index()
    wide = got.pivot_table(index="village", columns="stratum",
                           values=["visited", "completed", "accepted"], aggfunc="sum",
                           fill_value=0)
    wide.columns = [f"{a}_{b}" for a, b in wide.columns]
    fr = frame.set_index("kode_kemendagri")[["desa", "kabupaten", "target_pmi",
                                             "target_non_pmi"]]
    out = fr.join(wide, how="outer").reset_index(names="village")
    for s in ("pmi", "non_pmi"):
        for c in ("visited", "completed", "accepted"):
            out[f"{c}_{s}"] = out.get(f"{c}_{s}", pd.Series(0, index=out.index)).fillna(0)
        out[f"completion_{s}"] = out[f"completed_{s}"] / out[f"target_{s}"].replace(0, np.nan)
    out["in_frame"] = out["desa"].notna()
    visited = out["visited_pmi"] + out["visited_non_pmi"]
    out["response_rate"] = (out["completed_pmi"] + out["completed_non_pmi"]) / visited.replace(
        0, np.nan)
    out = flag_outliers(out, {"response_rate": "low"})
    behind = (out["completion_pmi"] < MIN_COMPLETION) | (out["completion_non_pmi"]
                                                          < MIN_COMPLETION)
    out.loc[behind, "outliers"] = (out.loc[behind, "outliers"] + ", below "
                                   f"{MIN_COMPLETION:.0%} of target").str.strip(", ")
    out.loc[~out["in_frame"], "outliers"] = "not in frame"
    return out.round(3).sort_values("village").reset_index(drop=True)


def build_monitoring(con: duckdb.DuckDBPyConnection, ins: Instrument, frame: pd.DataFrame
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Write ``validated.monitoring_enumerators`` / ``_villages`` and return them."""
    sub = submission_table(con, ins)
    enum, vill = enumerator_table(sub), village_table(sub, frame)
    replace_table(con, "validated.monitoring_enumerators", enum)
    replace_table(con, "validated.monitoring_villages", vill)
    return enum, vill
