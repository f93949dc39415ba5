"""The analysis model: households, persons, children, child modules, caregivers, migrants.

Built from validated rows only, each with its design variables. Names, phone numbers and the
household GPS never enter it, and the household identifier is a keyed hash (HMAC-SHA256) of
the village code and listing number, so the model can be shared without the raw layer.
"""

from __future__ import annotations

import hashlib
import hmac
from importlib import resources

import duckdb
import pandas as pd

from parenting_assessment.ingest.columns import LINEAGE
from parenting_assessment.warehouse import table_exists

CORE_TABLES = ("households", "persons", "children", "child_modules", "caregivers", "migrants")
REQUIRED_SECTIONS = {"child_modules": "child", "caregivers": "caregiver", "migrants": "migrant"}


def pseudonymise(values: pd.Series, key: bytes) -> pd.Series:
    """Keyed hash: stable across runs with the same key, irreversible without it."""
    return values.map(lambda v: hmac.new(key, str(v).encode(), hashlib.sha256).hexdigest()[:16])


def _sql(name: str) -> str:
    text = resources.files("parenting_assessment.core").joinpath(f"sql/{name}.sql").read_text()
    return text.replace("{lineage}", ", ".join(LINEAGE))


def build_core(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, key: bytes) -> dict[str, int]:
    """(Re)build every core table; return row counts."""
    ids = con.execute(
        "select submission_uuid, village, hh_listing_no from validated.household").df()
    ids["hh_id"] = pseudonymise(ids["village"].astype(str) + "|" + ids["hh_listing_no"].astype(
        str), key)
    con.register("_pseudonyms", ids[["submission_uuid", "hh_id"]])
    con.register("_frame", frame)
    try:
        for name in CORE_TABLES:
            section = REQUIRED_SECTIONS.get(name)
            if section and not table_exists(con, f"validated.{section}"):
                continue
            con.execute(_sql(name))
            if name == "children":
                con.execute("alter table core.households add column if not exists "
                            "hh_mig_status varchar")
                con.execute("""update core.households as h set hh_mig_status = c.s
                               from (select hh_id, any_value(hh_mig_status) as s
                                     from core.children group by hh_id) as c
                               where c.hh_id = h.hh_id""")
    finally:
        con.unregister("_pseudonyms")
        con.unregister("_frame")
    return {t: con.execute(f"select count(*) from core.{t}").fetchall()[0][0]
            for t in CORE_TABLES if table_exists(con, f"core.{t}")}
