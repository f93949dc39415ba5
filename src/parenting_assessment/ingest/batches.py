"""Which files form which batch: ``data/raw/<batch>/`` folders, or one file or folder given.

A fieldwork batch is the set of exports received together. Batch names become Dagster
partition keys, so they are derived from folder names, never from file contents.
"""

from __future__ import annotations

import re
from pathlib import Path

from parenting_assessment.ingest.landing import export_files

SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def batch_key(name: str) -> str:
    return SAFE.sub("_", name).strip("_") or "batch"


def discover_batches(raw: Path) -> dict[str, list[Path]]:
    """Map batch name → export files. Files directly in ``raw`` form a batch named after it."""
    if raw.is_file():
        return {batch_key(raw.parent.name): [raw]}
    if not raw.is_dir():
        return {}
    batches: dict[str, list[Path]] = {}
    direct = [p for p in export_files(raw) if p.parent == raw]
    if direct:
        batches[batch_key(raw.name)] = direct
    for sub in sorted(p for p in raw.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files = export_files(sub)
        if files:
            batches[batch_key(sub.name)] = files
    return batches


def signature(files: list[Path]) -> str:
    """Cheap change detector for the sensor: names, sizes and modification times."""
    return "|".join(f"{p.name}:{p.stat().st_size}:{int(p.stat().st_mtime)}" for p in files)
