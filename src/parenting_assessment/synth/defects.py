"""Inject the data-quality problems real fieldwork produces, and record every one.

The pipeline's validation must find exactly these, so each injected defect goes into a manifest
(``submission_uuid, section, row_key, field, defect_type``) that a test can check against the
validation output. Defects touch only responding households, one defect per household, and are
chosen so that each leaves the rest of the row valid (no accidental second defect). Repeat rows
are keyed ODK-style: ``<uuid>/<repeat>[n]`` with n the 1-based position in the submission.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from parenting_assessment.synth.fieldwork import new_uuid
from parenting_assessment.synth.names import gps_point, phone_number
from parenting_assessment.synth.records import Submission

DEFECT_TYPES = ("duplicate_submission", "duplicate_household", "age_out_of_range",
                "skip_logic_violation", "missing_required", "invalid_choice",
                "village_code_mistyped", "gps_far", "short_interview", "age_inconsistent")
MANIFEST_COLUMNS = ["submission_uuid", "section", "row_key", "field", "defect_type"]
TS = "%Y-%m-%dT%H:%M:%S"
Row = tuple[str, str, str, str]  # section, row_key, field, defect_type


class Ctx:
    """What the defect functions need besides the submission."""

    def __init__(self, frame: pd.DataFrame, rng: np.random.Generator):
        self.rng = rng
        self.codes = set(frame["kode_kemendagri"])
        self.centroid = frame.set_index("kode_kemendagri")[["centroid_lat", "centroid_lon"]]
        self.extra: list[Submission] = []


def _key(sub: Submission, section: str, n: int | None = None) -> str:
    return sub.uuid if n is None else f"{sub.uuid}/{section}[{n}]"


def _pick(rows: list[tuple[int, dict]], rng) -> tuple[int, dict] | None:
    return rows[int(rng.integers(0, len(rows)))] if rows else None


def _later(ts: str, rng, lo: float = 5, hi: float = 600) -> str:
    t = datetime.strptime(ts, TS) + timedelta(minutes=float(rng.uniform(lo, hi)))
    return t.strftime(TS)


def dup_submission(sub: Submission, c: Ctx) -> list[Row]:
    twin = copy.deepcopy(sub)
    twin.meta["_submission_time"] = _later(sub.meta["_submission_time"], c.rng)
    c.extra.append(twin)
    return [("household", _key(sub, "household"), "", "duplicate_submission")]


def dup_household(sub: Submission, c: Ctx) -> list[Row]:
    twin = copy.deepcopy(sub)
    uid = new_uuid(c.rng)
    twin.meta.update({"_uuid": uid, "meta/rootUuid": f"uuid:{uid}"})
    shift = timedelta(days=1, minutes=float(c.rng.uniform(-90, 90)))
    for k in ("start", "end"):
        local, zone = twin.main[k][:23], twin.main[k][23:]
        t = datetime.strptime(local, "%Y-%m-%dT%H:%M:%S.%f") + shift
        twin.main[k] = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}" + zone
    twin.main["today"] = twin.main["start"][:10]
    twin.meta["_submission_time"] = _later(sub.meta["_submission_time"], c.rng, 1440, 1600)
    lat, lon = c.centroid.loc[twin.main["village"]]
    twin.main["gps"] = gps_point(lat, lon, float(twin.main["gps"].split()[2]), c.rng)
    twin.main["resp_phone"] = phone_number(c.rng)
    twin.main.pop("enum_notes", None)
    c.extra.append(twin)
    return [("household", _key(twin, "household"), "hh_listing_no", "duplicate_household")]


def age_out_of_range(sub: Submission, c: Ctx) -> list[Row] | None:
    carers = {r["cg_ln"] for r in sub.repeats.get("caregiver", [])}
    adults = [(i, r) for i, r in enumerate(sub.repeats["roster"], 1)
              if int(r["HL6"]) >= 18 and r["HL1"] not in carers]
    hit = _pick(adults, c.rng)
    if hit is None:
        return None
    hit[1]["HL6"] = str(int(c.rng.choice([130, 150, 125, 210])))
    return [("roster", _key(sub, "roster", hit[0]), "HL6", "age_out_of_range")]


def skip_logic(sub: Submission, c: Ctx) -> list[Row] | None:
    roster = list(enumerate(sub.repeats["roster"], 1))
    options = [(i, r, "HL15", "2") for i, r in roster if r.get("HL13") == "1"]
    options += [(i, r, "sch_attend", "1") for i, r in roster if int(r["HL6"]) < 7]
    if not options:
        return None
    i, r, name, value = options[int(c.rng.integers(0, len(options)))]
    r[name] = value
    return [("roster", _key(sub, "roster", i), name, "skip_logic_violation")]


def missing_required(sub: Submission, c: Ctx) -> list[Row] | None:
    options = [("roster", i, r, "HL4") for i, r in enumerate(sub.repeats["roster"], 1)
               if int(r["HL6"]) <= 17]
    options += [("child", i, r, "EC1") for i, r in enumerate(sub.repeats.get("child", []), 1)
                if "EC1" in r]
    if not options:
        return None
    section, i, r, name = options[int(c.rng.integers(0, len(options)))]
    del r[name]
    return [(section, _key(sub, section, i), name, "missing_required")]


def invalid_choice(sub: Submission, c: Ctx) -> list[Row] | None:
    options = [("roster", i, r, "pcg_rel", "9") for i, r in enumerate(sub.repeats["roster"], 1)
               if "pcg_rel" in r]
    options += [("migrant", i, r, "mig_contact_freq", "7")
                for i, r in enumerate(sub.repeats.get("migrant", []), 1)]
    if not options:
        return None
    section, i, r, name, value = options[int(c.rng.integers(0, len(options)))]
    r[name] = value
    return [(section, _key(sub, section, i), name, "invalid_choice")]


def village_mistyped(sub: Submission, c: Ctx) -> list[Row] | None:
    code = sub.main["village"]
    digits = [i for i, ch in enumerate(code) if ch.isdigit()]
    pairs = [(a, b) for a, b in zip(digits, digits[1:], strict=False) if code[a] != code[b]]
    for j in c.rng.permutation(len(pairs)):
        a, b = pairs[j]
        new = list(code)
        new[a], new[b] = new[b], new[a]
        if "".join(new) not in c.codes:
            sub.main["village"] = "".join(new)
            return [("household", _key(sub, "household"), "village", "village_code_mistyped")]
    return None


def gps_far(sub: Submission, c: Ctx) -> list[Row]:
    lat, lon, alt, acc = (float(x) for x in sub.main["gps"].split())
    dist, theta = c.rng.uniform(25_000, 60_000), c.rng.uniform(0, 2 * np.pi)
    lat += dist * np.cos(theta) / 111_320
    lon += dist * np.sin(theta) / (111_320 * np.cos(np.radians(lat)))
    sub.main["gps"] = " ".join(repr(round(float(x), 7)) for x in (lat, lon, alt, acc))
    return [("household", _key(sub, "household"), "gps", "gps_far")]


def short_interview(sub: Submission, c: Ctx) -> list[Row]:
    local, zone = sub.main["start"][:23], sub.main["start"][23:]
    t = datetime.strptime(local, "%Y-%m-%dT%H:%M:%S.%f") + timedelta(
        minutes=float(c.rng.uniform(4, 9.5)))
    sub.main["end"] = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}" + zone
    return [("household", _key(sub, "household"), "end", "short_interview")]


def age_inconsistent(sub: Submission, c: Ctx) -> list[Row] | None:
    options = []
    for i, r in enumerate(sub.repeats.get("child", []), 1):
        if r.get("UB2") in ("3", "4"):
            options.append((i, r, "UB2", "4" if r["UB2"] == "3" else "3"))
        elif "CB3" in r:
            age = int(r["CB3"])
            options.append((i, r, "CB3", str(age - 1 if age in (14, 17) else age + 1)))
    if not options:
        return None
    i, r, name, value = options[int(c.rng.integers(0, len(options)))]
    r[name] = value
    return [("child", _key(sub, "child", i), name, "age_inconsistent")]


INJECT: dict[str, Callable[[Submission, Ctx], list[Row] | None]] = dict(zip(DEFECT_TYPES, (
    dup_submission, dup_household, age_out_of_range, skip_logic, missing_required,
    invalid_choice, village_mistyped, gps_far, short_interview, age_inconsistent), strict=True))


def inject_defects(subs: list[Submission], frame: pd.DataFrame, rate: float,
                   rng: np.random.Generator) -> tuple[list[Submission], pd.DataFrame]:
    """Affect about ``rate`` of the submissions; every type at least once when there is room."""
    ctx = Ctx(frame, rng)
    n = int(round(rate * len(subs)))
    kinds = list(DEFECT_TYPES) if n >= len(DEFECT_TYPES) else []
    kinds += list(rng.choice(DEFECT_TYPES, n - len(kinds))) if n > len(kinds) else []
    kinds = [str(k) for k in rng.permutation(kinds)] if kinds else []
    candidates = [int(i) for i in rng.permutation(len(subs)) if subs[int(i)].responded]
    used: set[int] = set()
    rows = []
    for kind in kinds:
        for i in candidates:
            if i in used:
                continue
            got = INJECT[kind](subs[i], ctx)
            if got:
                used.add(i)
                target = ctx.extra[-1] if kind.startswith("duplicate_") else subs[i]
                rows += [(target.uuid, *r) for r in got]
                break
    manifest = pd.DataFrame(rows, columns=MANIFEST_COLUMNS)
    return subs + ctx.extra, manifest
