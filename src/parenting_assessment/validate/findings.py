"""One schema for every finding, whichever check produced it, with personal data masked.

Findings are read by supervisors, copied into reports and kept with the warehouse, so the value
of a personal-data field (a name, a phone number, a GPS point, free-text notes) never appears in
them: it is replaced by ``<redacted>``. The row key is enough to look the answer up in the raw
layer, which is access-controlled.
"""

from __future__ import annotations

import pandas as pd

FINDING_COLUMNS = [
    "submission_uuid", "section", "row_key", "field", "rule_id", "rule_family", "severity",
    "message", "message_id", "value", "batch", "checked_by",
]
PII_FIELDS = frozenset({"resp_name", "resp_phone", "HL2", "enum_notes", "gps"})
REDACTED = "<redacted>"


def is_pii(field: str | None) -> bool:
    """Names, phones, notes and every GPS column (gps, gps_lat, ...)."""
    return bool(field) and (field in PII_FIELDS or str(field).startswith("gps"))


def as_findings(df: pd.DataFrame | None) -> pd.DataFrame:
    """Conform a frame to the findings schema (missing columns become NULL)."""
    if df is None or df.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in FINDING_COLUMNS})
    out = df.copy()
    for c in FINDING_COLUMNS:
        if c not in out.columns:
            out[c] = None
    return out[FINDING_COLUMNS].astype("object")


def mask_pii(df: pd.DataFrame) -> pd.DataFrame:
    """Replace the value of personal-data fields by ``<redacted>``."""
    if df.empty:
        return df
    out = df.copy()
    pii = out["field"].map(is_pii).astype(bool) & out["value"].notna()
    out.loc[pii, "value"] = REDACTED
    return out


def merge_engines(sql: pd.DataFrame, gx: pd.DataFrame, gx_counted: set[tuple[str, str]]
                  ) -> pd.DataFrame:
    """Merge SQL and GX findings of the same (section, row, rule) into one row.

    ``checked_by`` lists the engines that found it. For expectations that ran count-only
    (``gx_counted``: (section, rule_id) with failures), GX confirms the SQL rows.
    """
    sql = as_findings(sql)
    if not gx.empty:
        meta = sql.drop_duplicates(["section", "rule_id"]).set_index(["section", "rule_id"])
        keys = sql.drop_duplicates("row_key").set_index("row_key")
        gx = gx.copy()
        for col in ("rule_family", "severity", "message", "message_id"):
            gx[col] = [meta[col].get((s, r)) for s, r in zip(gx["section"], gx["rule_id"],
                                                             strict=True)]
        for col in ("submission_uuid", "batch"):
            gx[col] = gx["row_key"].map(keys[col]) if len(keys) else None
    both = pd.concat([sql, as_findings(gx)], ignore_index=True)
    if both.empty:
        return both
    if gx_counted:
        hit = [(s, r) in gx_counted for s, r in zip(both["section"], both["rule_id"],
                                                     strict=True)]
        both.loc[hit, "checked_by"] = "great_expectations+" + both.loc[hit, "checked_by"]
    keys = ["section", "row_key", "rule_id"]
    dup = both.duplicated(keys, keep=False)
    if not dup.any():
        return as_findings(both)
    agg = {c: "first" for c in FINDING_COLUMNS if c not in (*keys, "checked_by")}
    agg["checked_by"] = lambda s: "+".join(sorted({p for v in s for p in str(v).split("+")}))
    merged = both[dup].groupby(keys, sort=False, dropna=False).agg(agg).reset_index()
    return as_findings(pd.concat([both[~dup], merged], ignore_index=True))


def drop_shadowed_required(df: pd.DataFrame) -> pd.DataFrame:
    """A value that failed to cast is NULL in typed: report it as a type error, not as missing."""
    if df.empty:
        return df
    typed = set(zip(df.loc[df["rule_family"] == "type", "row_key"],
                    df.loc[df["rule_family"] == "type", "field"], strict=True))
    pairs = pd.Series([(k, f) in typed for k, f in zip(df["row_key"], df["field"], strict=True)],
                      index=df.index, dtype=bool)
    shadow = (df["rule_family"] == "required") & pairs
    return df[~shadow].reset_index(drop=True)
