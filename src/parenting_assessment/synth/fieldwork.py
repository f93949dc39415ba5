"""Fieldwork metadata: enumerators, devices, interview times and KoboToolbox ids.

Real batches carry the traces of fieldwork (a few enumerators per district, one device each,
interviews one after another through the day, uploads in the evening), and the pipeline's
monitoring and duration checks read them. Device clocks are local time (WIB +07:00, WITA
+08:00 in NTB); the server's ``_submission_time`` is UTC without a zone, always after ``end``.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from parenting_assessment.synth.frame import utc_offset_hours

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
SHORTUUID = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
ENUMERATORS_PER_DISTRICT = 3


def asset_version_uid(form_id: str, version: str) -> str:
    """A KPI-style asset-version uid ('v' + 21 characters), stable for one form version."""
    digest = int.from_bytes(hashlib.sha256(f"{form_id}:{version}".encode()).digest(), "big")
    chars = []
    for _ in range(21):
        digest, r = divmod(digest, len(SHORTUUID))
        chars.append(SHORTUUID[r])
    return "v" + "".join(chars)


def new_uuid(rng: np.random.Generator) -> str:
    """A random (version 4) UUID drawn from ``rng``, so outputs are reproducible."""
    return str(uuid.UUID(bytes=rng.bytes(16), version=4))


def assign_enumerators(sample: pd.DataFrame, frame: pd.DataFrame, codes: list[str],
                       rng: np.random.Generator) -> pd.DataFrame:
    """enum_id, deviceid and Kobo user for each selected household: a team per district."""
    district = pd.factorize(frame["kode_kabupaten"])[0][sample["village"]]
    j = rng.integers(0, ENUMERATORS_PER_DISTRICT, len(sample))
    idx = (district * ENUMERATORS_PER_DISTRICT + j) % len(codes)
    devices = ["collect:" + "".join(ALNUM[i] for i in rng.integers(0, len(ALNUM), 16))
               for _ in codes]
    return pd.DataFrame({
        "enum_id": np.array(codes)[idx], "deviceid": np.array(devices)[idx],
        "submitted_by": [f"pemetaan_{c.lower()}" for c in np.array(codes)[idx]],
    }, index=sample.index)


def schedule(sample: pd.DataFrame, minutes: np.ndarray, frame: pd.DataFrame,
             rng: np.random.Generator) -> pd.DataFrame:
    """start / end / today / _submission_time strings, one enumerator's visits in sequence."""
    out = pd.DataFrame(index=sample.index, columns=["start", "end", "today", "submission"])
    offset = frame["kode_provinsi"].map(utc_offset_hours).to_numpy()
    order = sample.assign(_k=rng.random(len(sample))).sort_values(
        ["village", "enum_id", "date", "_k"])
    clock: dict[tuple, datetime] = {}
    for i, row in zip(order.index, order.itertuples(index=False), strict=True):
        day = pd.Timestamp(row.date).to_pydatetime()
        key = (row.village, row.enum_id, day)
        if key not in clock:
            clock[key] = day + timedelta(hours=8, minutes=float(rng.uniform(0, 75)))
        start = clock[key] + timedelta(seconds=float(rng.uniform(0, 59)))
        end = start + timedelta(minutes=float(minutes[sample.index.get_loc(i)]),
                                seconds=float(rng.uniform(0, 59)))
        clock[key] = end + timedelta(minutes=float(rng.uniform(8, 40)))
        hours = int(offset[row.village])
        delay = (timedelta(minutes=float(rng.uniform(1, 30))) if rng.random() < 0.6
                 else timedelta(hours=float(rng.uniform(2, 14))))
        out.loc[i] = [_local(start, hours), _local(end, hours), start.date().isoformat(),
                      (end - timedelta(hours=hours) + delay).strftime("%Y-%m-%dT%H:%M:%S")]
    return out


def _local(t: datetime, hours: int) -> str:
    """ODK device timestamp: local time with milliseconds and the UTC offset."""
    return f"{t.strftime('%Y-%m-%dT%H:%M:%S')}.{t.microsecond // 1000:03d}+{hours:02d}:00"


def interview_minutes(persons: np.ndarray, u5: np.ndarray, fs: np.ndarray, cg: np.ndarray,
                      mig: np.ndarray, responded: np.ndarray,
                      rng: np.random.Generator) -> np.ndarray:
    """Interview length: 35-90 minutes by content; a non-response visit takes a few minutes."""
    n = len(persons)
    full = (18 + 2.5 * persons + 9 * u5 + 8 * fs + 6 * cg + 2.5 * mig
            + rng.normal(0, 6, n))
    return np.where(responded, np.clip(full, 35, 90), rng.uniform(3, 9, n))


def submission_ids(times: pd.Series, rng: np.random.Generator) -> pd.Series:
    """Kobo ``_id``: increasing with submission time, with gaps (the server is shared)."""
    order = times.sort_values(kind="stable").index
    ids = 481_200_000 + np.cumsum(rng.integers(1, 60, len(times)))
    return pd.Series(ids, index=order).reindex(times.index)
