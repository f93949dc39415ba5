"""Land each incoming file in a content-addressed store, once.

The store keeps the exact bytes under their sha256, so a file can always be re-read and
re-landing the same file is a no-op. The manifest row says what the file was.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 20


@dataclass(frozen=True)
class LandedFile:
    """A file copied into the landing store."""

    source: Path
    stored: Path
    sha256: str
    size: int
    is_new: bool


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def land_file(path: Path, store: Path) -> LandedFile:
    """Copy ``path`` into ``store/<sha[:2]>/<sha><suffix>`` unless it is already there."""
    digest = sha256_of(path)
    target = store / digest[:2] / f"{digest}{path.suffix.lower()}"
    is_new = not target.exists()
    if is_new:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".part")
        shutil.copyfile(path, tmp)
        tmp.replace(target)
    return LandedFile(path, target, digest, path.stat().st_size, is_new)


EXPORT_SUFFIXES = {".xlsx", ".csv", ".zip", ".sav", ".dta", ".txt"}


def export_files(raw: Path) -> list[Path]:
    """The export files in ``raw`` (a file or a folder); sidecar CSVs of the generator excluded."""
    if raw.is_file():
        return [raw]
    if not raw.exists():
        return []
    skip = ("frame", "truth", "defects_manifest", "readme")
    return sorted(
        p for p in raw.rglob("*")
        if p.is_file() and p.suffix.lower() in EXPORT_SUFFIXES
        and not any(s in p.name.lower() for s in skip) and not p.name.startswith(".")
    )
