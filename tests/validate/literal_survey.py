"""Literal typed tables for the validation tests.

``LiteralSurvey`` builds the typed layer of this project's form in an in-memory DuckDB from a
few dicts: a valid responding household by default, so each test only writes the answers it
is about. Rows are inserted by column name; every other column is NULL.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from parenting_assessment.validate.schema import ensure_sections

ROOT = Path(__file__).resolve().parents[2]
INSTRUMENT = ROOT / "data" / "instrument" / "pemetaan_pengasuhan.xlsx"
FRAME = ROOT / "data" / "sample" / "frame.csv"
VILLAGE, KAB = "32.12.16.2001", "32.12"
CENTROID = (-6.30131, 108.31229)


def _n(uuid: str) -> int:
    """A number from the uuid: consecutive uuids give distinct answers (never "copied")."""
    return int(uuid.replace("-", ""), 16) if len(uuid) == 36 else int(uuid.encode().hex(), 16)


def household(uuid: str, **answers) -> dict:
    """A responding household: cover, respondent, GPS at the centroid, a 45-minute interview."""
    row = {
        "submission_uuid": uuid,
        "submission_root": uuid,
        "_row_key": uuid,
        "_batch": "b1",
        "start": "2026-09-02 09:00:00+07",
        "end": "2026-09-02 09:45:00+07",
        "today": "2026-09-02",
        "kab": KAB,
        "village": VILLAGE,
        "enum_id": "E01",
        "hh_listing_no": _n(uuid) % 4000 + 1,
        "hh_stratum": "pmi",
        "visit_result": "1",
        "consent": "1",
        "resp_name": "Siti Aminah",
        "gps": f"{CENTROID[0]} {CENTROID[1]} 10 5",
        "gps_lat": CENTROID[0],
        "gps_lon": CENTROID[1],
        "hh_size": "2",
        "sel_fs_ln": 0,
        "mig_n": 0,
        "ch_n": 1,
        "cg_n": 1,
    }
    row.update(answers)
    return {k: v for k, v in row.items() if v is not None}


def repeat(uuid: str, section: str, n: int, **answers) -> dict:
    row = {
        "submission_uuid": uuid,
        "submission_root": uuid,
        "_batch": "b1",
        "_row_key": f"{uuid}/{section}[{n}]",
        "_parent_key": uuid,
    }
    row.update(answers)
    return {k: v for k, v in row.items() if v is not None}


def mother(uuid: str, **a) -> dict:
    """Line 1: the head, a woman aged 25-39 (by uuid, so households never look copied)."""
    age = 25 + _n(uuid) % 15
    return repeat(
        uuid,
        "roster",
        1,
        **{"HL1": "1", "HL2": "Siti Aminah", "HL3": "1", "HL4": "2", "HL6": age, **a},
    )


def toddler(uuid: str, **a) -> dict:
    """Line 2: her 3-year-old son; the father lives elsewhere in the district."""
    return repeat(
        uuid,
        "roster",
        2,
        **{
            "HL1": "2",
            "HL2": "Budi",
            "HL3": "3",
            "HL4": "1",
            "HL6": 3,
            "HL12": "1",
            "HL13": "1",
            "HL14": 1,
            "HL16": "1",
            "HL17": "2",
            "HL19": "2",
            "pcg_ln": 1,
            "pcg_rel": "1",
            **a,
        },
    )


def u5_module(uuid: str, **a) -> dict:
    """The under-5 module of line 2 (completed; 41 months)."""
    ecdi = {
        f: "1"
        for f in (
            "ecdi_walk_uneven",
            "ecdi_jump",
            "ecdi_dress",
            "ecdi_buttons",
            "ecdi_words10",
            "ecdi_sent3",
            "ecdi_sent5",
            "ecdi_pronouns",
            "ecdi_name_object",
            "ecdi_letters5",
            "ecdi_write_name",
            "ecdi_numbers1_5",
            "ecdi_give3",
            "ecdi_count10",
            "ecdi_persist",
            "ecdi_ask_absent",
            "ecdi_offer_help",
            "ecdi_get_along",
        )
    }
    row = {
        "ch_ln": 2,
        "ch_type": "1",
        "ch_resp_ln": 1,
        "UF17": "1",
        "UB1": "2023-03-15",
        "cage": "41",
        "UB2": 3,
        "BR1": "1",
        "UB8": "2",
        "EC1": _n(uuid) // 15 % 11,
        "EC2A": "1",
        "EC2B": "2",
        "EC2C": "1",
        "EC3A": 0,
        "EC3B": 0,
        **{f"EC5{x}": "A" for x in "ABCDEF"},
        **ecdi,
        "ecdi_sad": "5",
        "ecdi_hit": "1",
        **{f"CD2{x}": "2" for x in "ABCDEFGHIJK"},
    }
    row.update(a)
    return repeat(uuid, "child", 1, **row)


def carer(uuid: str, **a) -> dict:
    row = {
        "cg_ln": 1,
        "cg_result": "1",
        "cg_age": 30,
        "cg_sex": "2",
        "cg_rel": "1",
        "cg_edu": "2",
        **{
            c: "1"
            for c in (
                "cb_stress",
                "cb_tired",
                "cb_money_daily",
                "cb_money_school",
                "cb_health",
                "cb_social",
            )
        },
        "cp_interest": "3",
        "cp_barriers": "none",
    }
    row.update(a)
    return repeat(uuid, "caregiver", 1, **row)


def clean(uuid: str) -> dict[str, list[dict]]:
    """One valid responding household: mother + toddler, his module, her caregiver module."""
    return {
        "household": [household(uuid)],
        "roster": [mother(uuid), toddler(uuid)],
        "child": [u5_module(uuid)],
        "caregiver": [carer(uuid)],
    }


def merge(*parts: dict[str, list[dict]]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for p in parts:
        for k, v in p.items():
            out.setdefault(k, []).extend(v)
    return out


def literal_db(ins, rows: dict[str, list[dict]]) -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse whose raw and typed layers hold exactly ``rows``."""
    con = duckdb.connect()
    for s in ("raw", "typed", "validated"):
        con.execute(f"create schema {s}")
    ensure_sections(con, ins)
    for section, recs in rows.items():
        if recs:
            df = pd.DataFrame(recs)
            con.register("_lit", df)
            con.execute(f"insert into typed.{section} by name select * from _lit")
            con.unregister("_lit")
    for s in ins.sections:
        con.execute(f"create table raw.{s} as select * from typed.{s}")
    return con


def form_findings(con: duckdb.DuckDBPyConnection, ins) -> tuple[pd.DataFrame, list]:
    """Run only the rules generated from the XLSForm; return (findings, not-checked)."""
    from parenting_assessment.validate.rule_tables import materialize, rule_tables
    from parenting_assessment.validate.xlsform_rules import build_rules, run_rules

    tables = rule_tables(con, ins)
    rules, skipped = build_rules(ins, tables)
    for rt in tables.values():
        materialize(con, rt)
    found = run_rules(con, tables, rules, ins)
    if found.empty:
        found = pd.DataFrame(columns=["row_key", "rule_id", "value", "section", "field"])
    return found, skipped


def hits(found: pd.DataFrame) -> set[tuple[str, str]]:
    """(row_key, rule_id) pairs of a findings frame."""
    return set(zip(found["row_key"], found["rule_id"], strict=True))
