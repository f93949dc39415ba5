"""Everything the report reads from the warehouse, loaded once and passed to the renderers.

The report reads only village-level or aggregate tables (estimates, counts, validation
summaries, provenance) plus frame centroids, never a household's name, phone or GPS. Tables
built by later or optional stages (needs index, models, fieldwork monitoring) may be absent:
they load as ``None`` and the report says "not available in this run" instead of failing.
The object is plain data (DataFrames and dataclasses) so it can be sent to worker processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from parenting_assessment.indicators.catalogue import Catalogue
from parenting_assessment.instrument import Instrument, load_instrument
from parenting_assessment.report.supporting import living_with_parents
from parenting_assessment.warehouse import table_exists

OPTIONAL = {
    "needs_index": "estimates.needs_index",
    "needs_components": "estimates.needs_components",
    "needs_sensitivity": "estimates.needs_sensitivity",
    "models": "estimates.model_results",
    "monitoring": "validated.monitoring_villages",
    "reconciliation": "validated.reconciliation",
    "landed": "meta.landed_files",
}


@dataclass
class ReportData:
    """The report's inputs; ``optional`` holds the tables that may be missing (→ None)."""

    estimates: pd.DataFrame
    frame: pd.DataFrame
    catalogue: Catalogue
    instrument: Instrument | None
    households: pd.DataFrame
    quarantine: pd.DataFrame
    findings: pd.DataFrame
    supporting: pd.DataFrame
    counts: dict[str, int]
    data_time: str
    optional: dict[str, pd.DataFrame | None] = field(default_factory=dict)

    def get(self, name: str) -> pd.DataFrame | None:
        df = self.optional.get(name)
        return None if df is None or df.empty else df

    @cached_property
    def cells(self) -> dict[str, list[dict[str, Any]]]:
        """Estimate rows as plain dicts per indicator.

        Row access on an Arrow-backed frame costs tens of microseconds, and the report reads
        every cell of 400 villages.
        """
        out: dict[str, list[dict[str, Any]]] = {}
        for r in records(self.estimates):
            out.setdefault(r["indicator_id"], []).append(r)
        return out

    @cached_property
    def totals(self) -> dict[tuple[str, str, str], dict[str, Any]]:
        """(indicator, level, area) → the row of the total (no disaggregation)."""
        return {(r["indicator_id"], r["level"], r["area_code"]): r
                for rows in self.cells.values() for r in rows if r["disagg_key"] == "total"}

    @property
    def villages(self) -> pd.DataFrame:
        """Frame villages sorted by district then name: the order of every village list."""
        return self.frame.sort_values(["kabupaten", "desa", "kode_kemendagri"]).reset_index(
            drop=True)


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts, column by column (``to_dict("records")`` boxes every Arrow value)."""
    cols = [str(c) for c in df.columns]
    return [dict(zip(cols, row, strict=True)) for row in zip(*(df[c].tolist() for c in cols),
                                                               strict=True)]


def _df(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def _optional(con: duckdb.DuckDBPyConnection, qualified: str) -> pd.DataFrame | None:
    try:
        if not table_exists(con, qualified):
            return None
        return _df(con, f"select * from {qualified}")
    except duckdb.Error:
        return None


def _households(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per village × stratum: submitted, responded, selected (n_selected) and listed (fpc)."""
    return _df(con, """
        select village_code, stratum_type, count(*)::bigint as submitted,
               sum(responded::int)::bigint as responded,
               max(n_selected)::bigint as selected, max(fpc)::bigint as listed,
               min(hhweight) filter (where responded) as w_min,
               max(hhweight) filter (where responded) as w_max
        from core.households group by all order by all""")


def _quarantine(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    if not table_exists(con, "validated.quarantine"):
        return pd.DataFrame(columns=["rule_id", "severity", "kind", "submissions", "rows"])
    return _df(con, """
        select rule_id, any_value(severity) as severity, any_value(reason_kind) as kind,
               count(distinct submission_uuid)::bigint as submissions, count(*)::bigint as rows
        from validated.quarantine group by rule_id order by submissions desc, rule_id""")


def _findings(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    if not table_exists(con, "validated.findings"):
        return pd.DataFrame(columns=["rule_id", "rule_family", "severity", "section", "findings",
                                     "submissions"])
    return _df(con, """
        select rule_id, rule_family, severity, section, count(*)::bigint as findings,
               count(distinct submission_uuid)::bigint as submissions
        from validated.findings group by all
        order by severity, findings desc, rule_id, section""")


def _data_time(landed: pd.DataFrame | None) -> str:
    """The newest landing time: the PDF's created/modified date (a property of the data)."""
    if landed is None or landed.empty or "landed_at" not in landed:
        return "2000-01-01T00:00:00Z"
    t = pd.to_datetime(landed["landed_at"], utc=True).max()
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def load_report_data(con: duckdb.DuckDBPyConnection, *, frame: pd.DataFrame, catalogue: Catalogue,
                     instrument_path: Path | str | None) -> ReportData:
    """Read the warehouse (read-only is enough) into a ReportData."""
    est = _df(con, "select * from estimates.estimates")
    est = est.sort_values(["indicator_id", "level", "area_code", "disagg_key", "disagg_value"],
                          kind="stable").reset_index(drop=True)
    counts = {
        "households": int(_df(con, "select count(*) as n from core.households where responded")
                          ["n"].iloc[0]),
        "children": int(_df(con, "select count(*) as n from core.children")["n"].iloc[0]),
    }
    optional = {k: _optional(con, v) for k, v in OPTIONAL.items()}
    instrument = load_instrument(instrument_path) if instrument_path else None
    return ReportData(
        estimates=est, frame=frame.copy(), catalogue=catalogue, instrument=instrument,
        households=_households(con), quarantine=_quarantine(con), findings=_findings(con),
        supporting=living_with_parents(con, frame), counts=counts,
        data_time=_data_time(optional["landed"]), optional=optional)
