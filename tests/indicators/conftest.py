"""Hand-worked indicator tests: tiny literal core tables in an in-memory DuckDB.

A test builds the core table(s) its indicator reads with ``db.children(header, *rows)`` (and
``child_modules``, ``caregivers``, ``households``, ``migrants``), runs the catalogue through the
engine (``build_unit_values`` on a catalogue holding only the indicators asked for) and reads
``indicators.unit_values``.

* Every table gets exactly the columns the catalogue reads, with the DuckDB types the real core
  SQL produces (``core/sql/*.sql``): select_one codes VARCHAR, integers BIGINT, derived flags
  BOOLEAN, ``child_lines`` INTEGER[], select_multiple flags ``"EC5A/A"`` TINYINT.
* A row names its unit in the column ``unit``: it becomes ``psu`` (the unit label read back
  from ``unit_values``) and, unless the row gives one, ``hh_id``.
* Columns a row does not give are NULL (blank), except the design defaults below.

``new_survey()`` gives the layer below instead: tiny ``validated.*`` tables that
``build_core`` turns into the core model (test_core_derivations.py).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import duckdb
import pandas as pd
import pytest

from parenting_assessment.core.build import build_core
from parenting_assessment.indicators.catalogue import Catalogue, load_catalogue
from parenting_assessment.indicators.engine import build_unit_values
from parenting_assessment.ingest.columns import LINEAGE

V, B, INT, D, T, L = "VARCHAR", "BIGINT", "INTEGER", "DOUBLE", "BOOLEAN", "TINYINT"

DESIGN = {"hh_id": V, "village_code": V, "district_code": V, "stratum": V, "psu": V}
DESIGN_DEFAULTS = {"village_code": "32.12.16.2001", "district_code": "32.12",
                   "stratum": "32.12.16.2001|pmi"}

EC5_ITEMS = ("EC5A", "EC5B", "EC5C", "EC5D", "EC5E", "EC5F")
EC5_COLUMNS = {k: v for item in EC5_ITEMS
               for k, v in [(item, V), *((f"{item}/{c}", L) for c in "ABXY")]}
CD2_ITEMS = tuple(f"CD2{c}" for c in "ABCDEFGHIJK")

CORE_COLUMNS: dict[str, dict[str, str]] = {
    "children": {
        **DESIGN, "line": INT, "sex": V, "age": B,
        "HL12": V, "HL13": V, "HL14": B, "HL15": V, "HL16": V, "HL17": V, "HL18": B, "HL19": V,
        "pcg_ln": B, "pcg_rel": V, "pcg_age": B, "pcg_sex": V, "sch_attend": V,
        "mig_status": V, "cg_type": V, "pcg_age_years": B, "hhweight": D, "hh_mig_status": V,
    },
    "child_modules": {
        **DESIGN, "line": B, "ch_type": V, "UF17": V, "FS17": V, "cage": V, "UB2": B, "CB3": B,
        "BR1": V, "BR2": V, "UB8": V, "EC1": B, "EC2A": V, "EC2B": V, "EC2C": V,
        "EC3A": B, "EC3B": B, **EC5_COLUMNS, **dict.fromkeys(CD2_ITEMS, V),
        "CL3": B, "CL8": B, "CL10": B, "CL13": B,
        "complete": T, "cage_months": INT, "age_years": B, "ecdi_score": INT, "ecdi_missing": T,
        "econ_active": T, "chores_any": T, "chore_hours": B, "chore_hours_dk": T,
        "sex": V, "mig_status": V, "cg_type": V, "hh_mig_status": V, "hhweight": D,
        "weight": D,
    },
    "caregivers": {
        **DESIGN, "line": B, "cg_age": B, "cg_sex": V, "cg_rel": V, "cp_interest": V,
        "complete": T, "cg_type": V, "burden_n_answered": INT, "burden_sum": INT, "pi": D,
        "hhweight": D, "hh_mig_status": V, "weight": D,
    },
    "households": {**DESIGN, "responded": T, "hhweight": D, "hh_mig_status": V},
    "migrants": {"hh_id": V, "mig_role": V, "child_lines": "INTEGER[]",
                 "mig_contact_freq": V, "mig_remit_3m": V},
}
# Per-table defaults beyond the design: every unit complete / responding with weight 1.
TABLE_DEFAULTS: dict[str, dict[str, object]] = {
    "children": {"hhweight": 1.0, "line": 1},
    "child_modules": {"ch_type": "1", "complete": True, "hhweight": 1.0, "weight": 1.0},
    "caregivers": {"complete": True, "pi": 1.0, "hhweight": 1.0, "weight": 1.0},
    "households": {"responded": True, "hhweight": 1.0},
    "migrants": {},
}


# The validated layer build_core reads (typed by the instrument: integer → BIGINT, select_one and
# calculate → VARCHAR, select_multiple → summary VARCHAR + ``__list`` VARCHAR[] + TINYINT flags).
ECDI_ITEMS = (
    "walk_uneven", "jump", "dress", "buttons", "words10", "sent3", "sent5", "pronouns",
    "name_object", "letters5", "write_name", "numbers1_5", "give3", "count10", "persist",
    "ask_absent", "offer_help", "get_along", "sad", "hit")
VALIDATED_COLUMNS: dict[str, dict[str, str]] = {
    "household": {"submission_uuid": V, "village": V, "hh_listing_no": B, "hh_stratum": V,
                  "enum_id": V, "today": "DATE", "visit_result": V, "consent": V, "hh_size": V},
    "roster": {"submission_uuid": V, "HL1": V, "HL3": V, "HL4": V, "HL6": B, "HL12": V,
               "HL13": V, "HL14": B, "HL15": V, "HL16": V, "HL17": V, "HL18": B, "HL19": V,
               "pcg_ln": B, "pcg_rel": V, "pcg_age": B, "pcg_sex": V, "sch_attend": V,
               "sch_level": V},
    "child": {
        **dict.fromkeys(LINEAGE, V), "ch_ln": B, "ch_type": V, "UF17": V, "FS17": V, "cage": V,
        "UB2": B, "CB3": B, "BR1": V, "BR2": V, "UB8": V, "EC1": B, "EC2A": V, "EC2B": V,
        "EC2C": V, "EC3A": B, "EC3B": B, **EC5_COLUMNS, **dict.fromkeys(CD2_ITEMS, V),
        **{f"ecdi_{i}": V for i in ECDI_ITEMS},
        **dict.fromkeys(("CL1A", "CL1B", "CL1C", "CL1X", "CL7", "CL9", "CL11A", "CL11B",
                         "CL11C", "CL11D", "CL11E", "CL11F", "CL11X"), V),
        "CL3": B, "CL8": B, "CL10": B, "CL13": B},
    "caregiver": {
        **dict.fromkeys(LINEAGE, V), "cg_ln": B, "cg_result": V, "cg_age": B, "cg_sex": V,
        "cg_rel": V, **dict.fromkeys(("cb_stress", "cb_tired", "cb_money_daily",
                                      "cb_money_school", "cb_health", "cb_social"), V),
        "cp_interest": V},
    "migrant": {"submission_uuid": V, "mig_role": V, "mig_children__list": "VARCHAR[]",
                "mig_country": V, "mig_years_away": B, "mig_contact_freq": V,
                "mig_remit_3m": V},
}
VALIDATED_DEFAULTS: dict[str, dict[str, object]] = {
    "household": {"village": DESIGN_DEFAULTS["village_code"], "hh_stratum": "pmi",
                  "enum_id": "E01", "visit_result": "1", "consent": "1"},
}


def literal(value: object) -> str:
    """A Python value as a SQL literal (None is NULL)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    return "'" + str(value).replace("'", "''") + "'"


def create_table(con: duckdb.DuckDBPyConnection, name: str, types: dict[str, str],
                 rows: list[dict[str, object]]) -> None:
    """``create table <name> as select * from (values …)`` with every column cast to its type."""
    unknown = {k for r in rows for k in r} - set(types)
    if unknown:
        raise KeyError(f"{name}: no such column(s) {sorted(unknown)}")
    cols = list(types)
    values = ", ".join("(" + ", ".join(literal(r.get(c)) for c in cols) + ")" for r in rows)
    aliases = ", ".join(f'"c{i}"' for i in range(len(cols)))
    select = ", ".join(f'cast("c{i}" as {types[c]}) as "{c}"' for i, c in enumerate(cols))
    if not rows:
        values = "(" + ", ".join("null" for _ in cols) + ")"
    con.execute(f"create or replace table {name} as select {select} "
                f"from (values {values}) as t({aliases})" + ("" if rows else " limit 0"))


def parse_rows(header: str, rows: tuple[tuple, ...]) -> list[dict[str, object]]:
    """``("unit age HL15", ("A", 3, "1"), …)`` → one dict per row."""
    names = header.split()
    out = []
    for row in rows:
        if len(row) != len(names):
            raise ValueError(f"row {row!r} does not match header {header!r}")
        out.append(dict(zip(names, row, strict=True)))
    return out


@dataclass
class Result:
    """``indicators.unit_values`` of one indicator, keyed by unit label (``psu``)."""

    frame: pd.DataFrame

    @property
    def units(self) -> dict[str, tuple[int, int]]:
        """Unit label → (y, missing), for the units in the universe."""
        assert self.frame["psu"].is_unique, "unit labels (psu) must be unique"
        return {r.psu: (int(r.y), int(r.missing)) for r in self.frame.itertuples()}

    @property
    def y(self) -> dict[str, int]:
        return {u: v[0] for u, v in self.units.items()}

    @property
    def missing(self) -> dict[str, int]:
        return {u: v[1] for u, v in self.units.items()}

    @property
    def pct(self) -> float:
        """100 × Σ w·y / Σ w over the universe."""
        f = self.frame
        return float(100 * (f["weight"] * f["y"]).sum() / f["weight"].sum())

    @property
    def missing_pct(self) -> float:
        f = self.frame
        return float(100 * (f["weight"] * f["missing"]).sum() / f["weight"].sum())

    def column(self, name: str) -> dict[str, object]:
        """Unit label → value of an output column (weight, a disaggregation, …)."""
        return {r["psu"]: (None if pd.isna(r[name]) else r[name])
                for _, r in self.frame.iterrows()}


class CoreDB:
    """An in-memory warehouse with the ``core`` and ``indicators`` schemas."""

    def __init__(self, cat: Catalogue) -> None:
        self.cat = cat
        self.con = duckdb.connect()
        self.con.execute("create schema core")
        self.con.execute("create schema indicators")

    def table(self, name: str, header: str, *rows: tuple) -> None:
        """Create ``core.<name>`` from a header and literal rows (see the module docstring)."""
        self.table_dicts(name, parse_rows(header, rows))

    def table_dicts(self, name: str, rows: list[dict[str, object]]) -> None:
        """Create ``core.<name>`` from one dict per row (for wide rows such as EC5 / CD2)."""
        out = []
        for r in rows:
            row: dict[str, object] = dict(TABLE_DEFAULTS[name])
            if name != "migrants":
                row.update(DESIGN_DEFAULTS)
                row["psu"] = row["hh_id"] = r.get("unit")
            row.update({k: v for k, v in r.items() if k != "unit"})
            out.append(row)
        create_table(self.con, f"core.{name}", CORE_COLUMNS[name], out)

    def children(self, header: str, *rows: tuple) -> None:
        self.table("children", header, *rows)

    def child_modules(self, header: str, *rows: tuple) -> None:
        self.table("child_modules", header, *rows)

    def caregivers(self, header: str, *rows: tuple) -> None:
        self.table("caregivers", header, *rows)

    def households(self, header: str, *rows: tuple) -> None:
        self.table("households", header, *rows)

    def migrants(self, header: str, *rows: tuple) -> None:
        self.table("migrants", header, *rows)

    def run(self, *ids: str, cat: Catalogue | None = None) -> pd.DataFrame:
        """Build ``indicators.unit_values`` for the given indicators only; return it."""
        cat = cat or self.cat
        sub = dataclasses.replace(cat, indicators=tuple(cat.get(i) for i in ids))
        build_unit_values(self.con, sub)
        return self.con.execute(
            "select * from indicators.unit_values order by indicator_id, psu").df()

    def evaluate(self, indicator_id: str, cat: Catalogue | None = None) -> Result:
        return Result(self.run(indicator_id, cat=cat))


class Survey:
    """Tiny ``validated.*`` tables + a frame, turned into the core model by ``build_core``.

    Rows name their household submission in the column ``hh`` (→ ``submission_uuid``).
    """

    KEY = b"test-key"

    def __init__(self) -> None:
        self.con = duckdb.connect()
        for schema in ("validated", "core", "indicators"):
            self.con.execute(f"create schema {schema}")

    def table(self, section: str, header: str, *rows: tuple) -> None:
        """Create ``validated.<section>`` from a header and literal rows."""
        self.table_dicts(section, parse_rows(header, rows))

    def table_dicts(self, section: str, rows: list[dict[str, object]]) -> None:
        """Create ``validated.<section>`` from one dict per row."""
        out = []
        for r in rows:
            row = dict(VALIDATED_DEFAULTS.get(section, {}))
            row.update({("submission_uuid" if k == "hh" else k): v for k, v in r.items()})
            out.append(row)
        create_table(self.con, f"validated.{section}", VALIDATED_COLUMNS[section], out)

    def build(self, frame: pd.DataFrame) -> dict[str, int]:
        return build_core(self.con, frame, self.KEY)


@pytest.fixture(scope="session")
def cat() -> Catalogue:
    return load_catalogue()


@pytest.fixture
def db(cat: Catalogue):
    core = CoreDB(cat)
    yield core
    core.con.close()


def with_parameters(cat: Catalogue, **params: float) -> Catalogue:
    """The catalogue with some parameters changed (threshold tests)."""
    return dataclasses.replace(cat, parameters={**cat.parameters, **params})


@pytest.fixture
def set_params(cat: Catalogue):
    return lambda **params: with_parameters(cat, **params)


@pytest.fixture(scope="session")
def new_survey():
    """The ``Survey`` class: ``new_survey()`` is an empty validated layer."""
    return Survey
