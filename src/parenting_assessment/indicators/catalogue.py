"""Load the indicator catalogue (data) into typed objects the engine and the report share."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

DIRECTIONS = {"+", "-", "0"}


@dataclass(frozen=True)
class AgeBands:
    var: str
    unit: str
    bands: tuple[tuple[int, int], ...]

    def sql(self) -> str:
        whens = " ".join(f"when {self.var} between {lo} and {hi} then '{lo}-{hi}'"
                         for lo, hi in self.bands)
        return f"case {whens} end"


@dataclass(frozen=True)
class Indicator:
    id: str
    domain: str
    label: dict[str, str]
    unit: str
    universe: str
    numerator: str
    missing: str
    mics6_code: str
    disaggregations: tuple[str, ...]
    direction: str
    age: AgeBands | None = None
    supporting: bool = False
    instrument: str = ""
    stat: str = "proportion"


@dataclass(frozen=True)
class Catalogue:
    version: str
    parameters: dict[str, float]
    units: dict[str, dict[str, str]]
    weights: dict[str, str]
    disaggregations: dict[str, str]
    indicators: tuple[Indicator, ...] = field(default_factory=tuple)

    def get(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def fill(self, sql: str) -> str:
        """Substitute ``{parameter}`` placeholders with their configured numbers."""
        for name, value in self.parameters.items():
            sql = sql.replace("{" + name + "}", repr(float(value)))
        return sql


def _text(value: object) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def parse_catalogue(data: dict) -> Catalogue:
    inds = []
    for raw in data["indicators"]:
        age = raw.get("age")
        ind = Indicator(
            id=raw["id"], domain=raw["domain"], label=dict(raw["label"]), unit=raw["unit"],
            universe=_text(raw["universe"]), numerator=_text(raw["numerator"]),
            missing=_text(raw.get("missing", "false")), mics6_code=raw.get("mics6_code", ""),
            disaggregations=tuple(raw.get("disaggregations", [])),
            direction=str(raw.get("direction", "0")),
            age=AgeBands(age["var"], age["unit"], tuple(tuple(b) for b in age["bands"]))
            if age else None,
            supporting=bool(raw.get("supporting", False)),
            instrument=raw.get("instrument", ""), stat=raw.get("stat", "proportion"),
        )
        if ind.direction not in DIRECTIONS:
            raise ValueError(f"indicator {ind.id}: direction must be one of {DIRECTIONS}")
        if ind.unit not in data["units"]:
            raise ValueError(f"indicator {ind.id}: unknown unit {ind.unit!r}")
        if "age" in ind.disaggregations and ind.age is None:
            raise ValueError(f"indicator {ind.id}: 'age' disaggregation without age bands")
        inds.append(ind)
    ids = [i.id for i in inds]
    if len(ids) != len(set(ids)):
        raise ValueError("duplicate indicator ids in the catalogue")
    return Catalogue(str(data["version"]), dict(data.get("parameters", {})), data["units"],
                     data["weights"], data["disaggregations"], tuple(inds))


@cache
def load_catalogue(path: str | None = None) -> Catalogue:
    text = (Path(path).read_text(encoding="utf-8") if path else resources.files(
        "parenting_assessment.indicators").joinpath("catalogue.yaml").read_text(encoding="utf-8"))
    return parse_catalogue(yaml.safe_load(text))
