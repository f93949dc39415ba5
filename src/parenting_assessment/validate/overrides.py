"""Reviewed decisions on quarantined findings, read from a CSV and applied on the next run.

A supervisor who has checked a finding (called the household back, looked at the paper
listing) records ``release`` (the data are right, accept the row) or ``keep`` (confirmed, stay in
quarantine) with a reason, their name and the date. The file is versioned with the project, so
every release is reviewable; each run records what it applied in ``validated.override_log``.
``rule_id = *`` releases every finding of that row. A malformed file stops the run with one
line naming the file and the line.
"""

from __future__ import annotations

import csv
import hashlib
import os
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from parenting_assessment.config import DATA_DIR

COLUMNS = ("row_key", "rule_id", "decision", "reason", "reviewer", "date")
DECISIONS = ("release", "keep")
LOG_COLUMNS = [*COLUMNS, "file", "line", "matched_findings", "status", "applied_at"]


class OverridesError(ValueError):
    """The overrides file is unusable; the message names the file and the line."""


def default_path() -> Path:
    """``PA_OVERRIDES`` or ``data/overrides/quarantine_overrides.csv``."""
    env = os.environ.get("PA_OVERRIDES")
    return Path(env) if env else DATA_DIR / "overrides" / "quarantine_overrides.csv"


def load_overrides(path: Path | None) -> pd.DataFrame:
    """Read and check the file (``#`` lines are comments); no file means no overrides."""
    cols = [*COLUMNS, "file", "line"]
    if path is None or not Path(path).exists():
        return pd.DataFrame(columns=cols)
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise OverridesError(f"{path}: cannot read the overrides file ({exc})") from exc
    lines = [(i, ln) for i, ln in enumerate(text.splitlines(), start=1)
             if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        return pd.DataFrame(columns=cols)
    reader = csv.reader([ln for _, ln in lines])
    header = [h.strip() for h in next(reader)]
    missing = [c for c in COLUMNS if c not in header]
    extra = [c for c in header if c not in COLUMNS]
    if missing or extra:
        raise OverridesError(f"{path}: line {lines[0][0]}: header must be "
                             f"{','.join(COLUMNS)} (missing: {missing or '-'}, "
                             f"unknown: {extra or '-'})")
    rows, seen = [], {}
    for (lineno, _), values in zip(lines[1:], reader, strict=True):
        where = f"{path}: line {lineno}"
        if len(values) != len(header):
            raise OverridesError(f"{where}: expected {len(header)} fields, got {len(values)}")
        rec = {h: v.strip() for h, v in zip(header, values, strict=True)}
        for c in COLUMNS:
            if not rec[c]:
                raise OverridesError(f"{where}: '{c}' is empty")
        if rec["decision"] not in DECISIONS:
            raise OverridesError(f"{where}: decision must be 'release' or 'keep', "
                                 f"got '{rec['decision']}'")
        try:
            date.fromisoformat(rec["date"])
        except ValueError as exc:
            raise OverridesError(f"{where}: date must be YYYY-MM-DD, got '{rec['date']}'"
                                 ) from exc
        pair = (rec["row_key"], rec["rule_id"])
        if pair in seen:
            raise OverridesError(f"{where}: row_key/rule_id already decided on line "
                                 f"{seen[pair]}")
        seen[pair] = lineno
        rows.append({**rec, "file": str(path), "line": lineno})
    return pd.DataFrame(rows, columns=cols)


def apply_overrides(findings: pd.DataFrame, overrides: pd.DataFrame
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add an ``override`` column (release/keep/NULL) to findings; return them and the log."""
    out = findings.copy()
    out["override"] = None
    log = []
    now = datetime.now(UTC).isoformat(timespec="seconds")
    # Specific rule ids first, so that they win over a '*' of the same row.
    ordered = overrides.sort_values("rule_id", key=lambda s: s == "*", kind="stable")
    for rec in ordered.to_dict("records"):
        hit = out["row_key"] == rec["row_key"]
        if rec["rule_id"] != "*":
            hit &= out["rule_id"] == rec["rule_id"]
        free = hit & out["override"].isna()
        out.loc[free, "override"] = rec["decision"]
        n = int(hit.sum())
        log.append({**{c: rec[c] for c in (*COLUMNS, "file", "line")}, "matched_findings": n,
                    "status": "applied" if n else "no matching finding", "applied_at": now})
    return out, pd.DataFrame(log, columns=LOG_COLUMNS)


def file_digest(path: Path | None) -> str:
    """sha256 of the overrides file, stored with the run (empty when there is none)."""
    if path is None or not Path(path).exists():
        return ""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
