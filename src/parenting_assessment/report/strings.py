"""Report strings: every text that is not an indicator or questionnaire label.

Indicator labels come from the catalogue and question labels from the XLSForm; everything else
(headings, explanations, notes, disaggregation labels, denominators) lives in ``strings.yaml``
and ``denominators.yaml``, one block per language, so a translation is a text edit.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from parenting_assessment.report.formats import LANGS


@cache
def _load(name: str) -> dict[str, Any]:
    text = resources.files("parenting_assessment.report").joinpath(name).read_text("utf-8")
    return yaml.safe_load(text)


@cache
def catalogue_extras() -> dict[str, dict[str, Any]]:
    """New keys of ``catalogue.yaml`` the Catalogue object does not carry (e.g. denominator)."""
    text = resources.files("parenting_assessment.indicators").joinpath(
        "catalogue.yaml").read_text("utf-8")
    return {raw["id"]: raw for raw in yaml.safe_load(text).get("indicators", [])}


class Strings:
    """Look-ups for one language; a missing key raises KeyError (caught by the tests)."""

    def __init__(self, lang: str) -> None:
        if lang not in LANGS:
            raise ValueError(f"unknown report language {lang!r}; use one of {LANGS}")
        self.lang = lang
        self.data: dict[str, Any] = _load("strings.yaml")[lang]
        self._denominators: dict[str, dict[str, str]] = _load("denominators.yaml")

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __call__(self, key: str, **kwargs: object) -> str:
        text = self.data[key]
        return text.format(**kwargs) if kwargs else text

    def group(self, group: str, key: str, default: str | None = None) -> str:
        """An entry of a nested group (``disagg_values``, ``notes`` ...) or `default`."""
        found = self.data.get(group, {}).get(key)
        if found is None:
            return key if default is None else default
        return found

    def denominator(self, indicator_id: str) -> str:
        """The human denominator: the catalogue's ``denominator`` if present, else ours."""
        extra = catalogue_extras().get(indicator_id, {}).get("denominator")
        if isinstance(extra, dict) and extra.get(self.lang):
            return str(extra[self.lang])
        return self._denominators.get(indicator_id, {}).get(self.lang, "")
