"""Read an XLSForm into a typed model of sections, fields and choices.

Every later stage (readers, typing, validation rules, the generator, report labels) asks this
model, so column names, types and codes are never repeated in code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook

MAIN_SECTION = "household"
STRUCTURE = {"begin_group", "end_group", "begin_repeat", "end_repeat"}
META_TYPES = {"start", "end", "today", "deviceid", "username", "audit", "phonenumber"}


class InstrumentError(ValueError):
    """The XLSForm cannot be read as a questionnaire."""


@dataclass(frozen=True)
class Choice:
    """One answer option of a choice list."""

    name: str
    labels: dict[str, str]


@dataclass(frozen=True)
class Field:
    """One question, calculation or metadata item of the form."""

    name: str
    type: str
    section: str
    path: tuple[str, ...]
    list_name: str | None = None
    relevant: tuple[str, ...] = ()
    constraint: str = ""
    required: bool = False
    calculation: str = ""
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def is_select(self) -> bool:
        return self.type in ("select_one", "select_multiple")


@dataclass(frozen=True)
class Section:
    """The main table or one repeat group: one raw table each."""

    name: str
    parent: str | None
    fields: tuple[Field, ...]
    repeat_relevant: tuple[str, ...] = ()


@dataclass
class Instrument:
    """The questionnaire: settings, sections, fields and choice lists."""

    title: str
    form_id: str
    version: str
    languages: list[str]
    sections: dict[str, Section]
    choices: dict[str, list[Choice]]
    path: Path | None = None

    @property
    def fields(self) -> list[Field]:
        return [f for s in self.sections.values() for f in s.fields]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def choice_names(self, list_name: str) -> list[str]:
        return [c.name for c in self.choices[list_name]]

    def choice_label(self, list_name: str, name: str, lang: str = "id") -> str:
        for c in self.choices[list_name]:
            if c.name == name:
                return _pick_label(c.labels, lang) or name
        return name

    def label(self, name: str, lang: str = "id") -> str:
        return _pick_label(self.field(name).labels, lang) or name


def _pick_label(labels: dict[str, str], lang: str) -> str:
    for key, text in labels.items():
        if key.endswith(f"({lang})") and text:
            return text
    return next((t for t in labels.values() if t), "")


def _sheet_rows(wb, name: str) -> list[dict[str, str]]:
    if name not in wb.sheetnames:
        return []
    rows = list(wb[name].iter_rows(values_only=True))
    if not rows:
        return []
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    out = []
    for row in rows[1:]:
        rec = {h: ("" if v is None else str(v).strip())
               for h, v in zip(header, row, strict=False) if h}
        if any(rec.values()):
            out.append(rec)
    return out


def _labels(rec: dict[str, str], prefix: str = "label") -> dict[str, str]:
    return {k.split("::", 1)[1]: v for k, v in rec.items() if k.startswith(prefix + "::")} or (
        {"default": rec[prefix]} if rec.get(prefix) else {}
    )


def load_instrument(path: str | Path) -> Instrument:
    """Parse the XLSForm at ``path``; raise InstrumentError with a readable message."""
    path = Path(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise InstrumentError(f"{path}: not a readable XLSForm workbook ({exc})") from exc
    survey = _sheet_rows(wb, "survey")
    if not survey:
        raise InstrumentError(f"{path}: the XLSForm has no 'survey' sheet")
    settings = (_sheet_rows(wb, "settings") or [{}])[0]
    choices: dict[str, list[Choice]] = {}
    for rec in _sheet_rows(wb, "choices"):
        choices.setdefault(rec["list_name"], []).append(Choice(rec["name"], _labels(rec)))

    stack: list[tuple[str, str, str]] = []  # (kind, name, relevant)
    section_of: list[str] = [MAIN_SECTION]
    parents: dict[str, str | None] = {MAIN_SECTION: None}
    repeat_rel: dict[str, tuple[str, ...]] = {MAIN_SECTION: ()}
    fields: dict[str, list[Field]] = {MAIN_SECTION: []}
    for rec in survey:
        kind = rec.get("type", "").replace(" ", "_", 1) if rec.get("type", "").startswith(
            ("begin ", "end ")) else rec.get("type", "")
        name = rec.get("name", "")
        if kind in ("begin_group", "begin_repeat"):
            stack.append((kind, name, rec.get("relevant", "")))
            if kind == "begin_repeat":
                parents[name] = section_of[-1]
                repeat_rel[name] = tuple(r for _, _, r in stack if r)
                section_of.append(name)
                fields[name] = []
            continue
        if kind in ("end_group", "end_repeat"):
            if not stack:
                raise InstrumentError(f"{path}: '{kind}' without a matching begin")
            closed = stack.pop()
            if closed[0] == "begin_repeat":
                section_of.pop()
            continue
        if not name:
            continue
        base, _, list_name = kind.partition(" ")
        section = section_of[-1]
        # Relevance inside a repeat: only the groups opened within that repeat apply per row.
        inner = _inner_stack(stack, section)
        own = (rec["relevant"],) if rec.get("relevant") else ()
        rel = tuple(r for _, _, r in inner if r) + own
        fields[section].append(Field(
            name=name, type=base, section=section,
            path=tuple(n for _, n, _ in stack) + (name,),
            list_name=list_name or None, relevant=rel,
            constraint=rec.get("constraint", ""),
            required=rec.get("required", "").lower() in ("yes", "true", "true()"),
            calculation=rec.get("calculation", ""), labels=_labels(rec),
        ))
    if stack:
        raise InstrumentError(f"{path}: group or repeat '{stack[-1][1]}' is never closed")
    sections = {
        s: Section(s, parents[s], tuple(fs), repeat_rel[s] if s != MAIN_SECTION else ())
        for s, fs in fields.items()
    }
    languages = sorted({k for f in sum((list(s.fields) for s in sections.values()), [])
                        for k in f.labels if k != "default"})
    return Instrument(
        title=settings.get("form_title", path.stem), form_id=settings.get("form_id", path.stem),
        version=settings.get("version", ""), languages=languages, sections=sections,
        choices=choices, path=path,
    )


def _inner_stack(stack: list[tuple[str, str, str]], section: str) -> list[tuple[str, str, str]]:
    if section == MAIN_SECTION:
        return stack
    for i in range(len(stack) - 1, -1, -1):
        if stack[i][0] == "begin_repeat" and stack[i][1] == section:
            return stack[i + 1:]
    return stack
