"""Turn the sample into KoboToolbox submissions: one dict of text answers per table row.

Values are the XML strings Kobo stores ("1", "2026-09-14", "A X"); a key is absent when the
question was not relevant or not answered, which the writer turns into an absent cell. The
relevance of every item family follows the XLSForm: codes of -1 in the population tables mean
"not asked" and are simply not written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

ROSTER_FIELDS = ("HL3", "HL4", "HL6", "HL12", "HL13", "HL14", "HL15", "HL16", "HL17", "HL18",
                 "HL19", "pcg_ln", "pcg_rel", "pcg_age", "pcg_sex", "sch_attend", "sch_level")
MIGRANT_FIELDS = ("mig_role", "mig_country", "mig_years_away", "mig_contact_freq",
                  "mig_remit_3m")
MULTI = {"EC5A": "who", "EC5B": "who", "EC5C": "who", "EC5D": "who", "EC5E": "who",
         "EC5F": "who", "cp_topics": "cptopics", "cp_barriers": "barriers"}
NOTES = (
    "Ibu anak sedang bekerja di luar negeri; wawancara dengan nenek.",
    "Responden kooperatif.",
    "Wawancara sempat terputus karena tamu, dilanjutkan sore hari.",
    "Anak balita sedang tidur, pertanyaan dijawab pengasuh.",
    "Rumah sulit ditemukan, dibantu kader desa.\nWawancara lancar.",
    "Ayah anak bekerja di Malaysia; kontak lewat video call.",
)


@dataclass
class Submission:
    """One household submission: the main row, its repeat rows and the server metadata."""

    main: dict[str, str]
    repeats: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    hh: int = -1
    responded: bool = False

    @property
    def uuid(self) -> str:
        return self.meta["_uuid"]


def _text(v: Any) -> str | None:
    """Kobo text of a population code; None for "not asked"."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, (np.datetime64, pd.Timestamp)):
        return None if pd.isna(v) else str(pd.Timestamp(v).date())
    if isinstance(v, (int, np.integer)):
        return None if v < 0 else str(int(v))
    return str(v)


def multi_text(mask: int, names: list[str], rng: np.random.Generator) -> str:
    """Space-separated choice names of a bit mask; enumerators tap them in any order."""
    chosen = [n for i, n in enumerate(names) if mask >> i & 1]
    if len(chosen) > 1 and rng.random() < 0.3:
        chosen = list(rng.permutation(chosen))
    return " ".join(chosen)


def row_text(rec: dict[str, Any], fields: tuple[str, ...], choices: dict[str, list[str]],
             rng: np.random.Generator) -> dict[str, str]:
    """The answered fields of one record as Kobo strings."""
    out: dict[str, str] = {}
    for name in fields:
        v = rec.get(name)
        if name in MULTI:
            if v is not None and int(v) >= 0:
                out[name] = multi_text(int(v), choices[MULTI[name]], rng)
            continue
        t = _text(v)
        if t is not None:
            out[name] = t
    return out


def child_rows(cm: pd.DataFrame, u5: dict, fs: dict, u5_fields: tuple[str, ...],
               fs_fields: tuple[str, ...], resp_ln: dict[int, int], choices,
               rng: np.random.Generator) -> dict[int, list[dict[str, str]]]:
    """Child-module rows per household: identification, result, and answers when complete."""
    out: dict[int, list[dict[str, str]]] = {}
    for r in cm.itertuples(index=False):
        row = {"ch_ln": str(r.line), "ch_type": str(r.ch_type), "ch_resp_ln": str(resp_ln[
            (r.hh, r.line)])}
        row["UF17" if r.ch_type == 1 else "FS17"] = str(r.result)
        if r.result == 1:
            rec = (u5 if r.ch_type == 1 else fs)[(r.hh, r.line)]
            row.update(row_text(rec, u5_fields if r.ch_type == 1 else fs_fields, choices, rng))
        out.setdefault(r.hh, []).append(row)
    return out


def caregiver_rows(cgm: pd.DataFrame, answers: dict, fields: tuple[str, ...], choices,
                   rng: np.random.Generator) -> dict[int, list[dict[str, str]]]:
    """Caregiver-module rows per household."""
    out: dict[int, list[dict[str, str]]] = {}
    for r in cgm.itertuples(index=False):
        row = {"cg_ln": str(r.cg_ln), "cg_result": str(r.cg_result)}
        if r.cg_result == 1:
            row.update(row_text(answers[(r.hh, r.cg_ln)], fields, choices, rng))
        out.setdefault(r.hh, []).append(row)
    return out


def migrant_rows(mig: pd.DataFrame, child_lines: dict[int, str]) -> dict[int, list[dict]]:
    """Migrant-parent rows per household, linked to all the household's children 0-17."""
    out: dict[int, list[dict[str, str]]] = {}
    for r in mig.itertuples(index=False):
        row = {"mig_role": str(r.mig_role), "mig_children": child_lines[r.hh],
               "mig_country": str(r.mig_country), "mig_years_away": str(r.mig_years_away),
               "mig_contact_freq": str(r.mig_contact_freq), "mig_remit_3m": str(r.mig_remit_3m)}
        out.setdefault(r.hh, []).append(row)
    return out


def note(mother_abroad: bool, rng: np.random.Generator) -> str | None:
    """An occasional enumerator note (never personal data)."""
    if rng.random() >= 0.08:
        return None
    if mother_abroad and rng.random() < 0.5:
        return NOTES[0]
    return NOTES[int(rng.integers(1, len(NOTES)))]
