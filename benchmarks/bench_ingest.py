"""Ingest at national scale: an ODK Central export the size of a Susenas round.

Builds ``submissions.csv.zip`` for 345,000 households (~1.2 million roster rows, every section
of the form) from real generator submissions: a pool of ~1,250 synthetic households is written
by ``synth.odk_zip`` and each national household copies one of them under a fresh instance id,
so the file has exactly the Central shape (same headers, split columns, KEY/PARENT_KEY chains).
The pool is drawn so that the roster averages 1.2M / 345k rows per household.

Then, in one process, times the pipeline's ``ingest_files`` (landing + detection + reading +
writing the raw tables into a DuckDB file) and a naive pandas baseline (``read_csv`` of every
member, ``merge`` of each repeat onto the root by PARENT_KEY), with rows/second and peak memory
(resident set sampled every 20 ms per phase, and ``ru_maxrss``). The export is generated in a
child process so that its memory does not count. ``--xlsx-rows`` also times the XLSX reader on
a Kobo workbook whose roster sheet has that many rows.

Run: ``.venv/bin/python benchmarks/bench_ingest.py [--households 345000] [--roster 1200000]
[--workdir /tmp/bench_ingest] [--xlsx-rows 1000000]``.
"""

from __future__ import annotations

import argparse
import gc
import io
import resource
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from parenting_assessment.instrument import Instrument, load_instrument
from parenting_assessment.instrument.model import MAIN_SECTION
from parenting_assessment.synth.api import DEFAULT_FRAME, DEFAULT_INSTRUMENT
from parenting_assessment.synth.frame import prepare_frame, read_frame
from parenting_assessment.synth.generate import generate, stage_rngs
from parenting_assessment.synth.odk_zip import csv_text, odk_tables
from parenting_assessment.synth.records import Submission

CHUNK = 5_000


def pool(seed: int = 1) -> tuple[Instrument, list[Submission]]:
    """Synthetic households of every village of the bundled frame (no defects)."""
    ins = load_instrument(DEFAULT_INSTRUMENT)
    frame = prepare_frame(read_frame(DEFAULT_FRAME), villages=None, households_per_village=None,
                          rng=stage_rngs(seed)["frame"])
    return ins, generate(frame, ins, seed, defect_rate=0.0).submissions


def draw(sizes: np.ndarray, n: int, mean: float, rng: np.random.Generator) -> np.ndarray:
    """n template indices whose roster sizes average ``mean`` (exponential tilting)."""
    lo, hi = -5.0, 5.0
    for _ in range(60):
        lam = (lo + hi) / 2
        w = np.exp(-lam * (sizes - sizes.mean()))
        if (w * sizes).sum() / w.sum() > mean:
            lo = lam
        else:
            hi = lam
    return rng.choice(len(sizes), n, p=w / w.sum())


def write_national(path: Path, households: int, roster: int, seed: int = 1) -> dict[str, int]:
    """The national export; returns rows per section."""
    ins, subs = pool(seed)
    tables = odk_tables(ins, subs)
    keys = [s.meta["_uuid"] for s in subs]
    texts: dict[str, list[str]] = {}
    for name, rows in tables.items():
        by_key: dict[str, list[list[str]]] = {k: [] for k in keys}
        col = rows[0].index("KEY") if "PARENT_KEY" not in rows[0] else rows[0].index("PARENT_KEY")
        for row in rows[1:]:
            by_key[row[col].removeprefix("uuid:")].append(row)
        texts[name] = [csv_text([rows[0]])] + [csv_text(by_key[k]) for k in keys]
    sizes = np.array([len(s.repeats.get("roster", [])) for s in subs], dtype=float)
    rng = np.random.default_rng(seed)
    pick = draw(sizes, households, roster / households, rng)
    raw = rng.bytes(16 * households)
    fresh = [str(uuid.UUID(bytes=raw[16 * i:16 * i + 16], version=4)) for i in range(households)]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, parts in texts.items():
            with zf.open(name, "w", force_zip64=True) as fh:
                fh.write(parts[0].encode())
                for start in range(0, households, CHUNK):
                    fh.write("".join(parts[1 + t].replace(keys[t], fresh[start + i]) for i, t in
                                     enumerate(pick[start:start + CHUNK])).encode())
    sections = {MAIN_SECTION: households}
    for s in ins.sections:
        if s != MAIN_SECTION:
            sections[s] = int(sum(len(subs[t].repeats.get(s, [])) for t in pick))
    return sections


class Peak:
    """Peak resident set size of this process while a block runs, sampled in a thread."""

    def __init__(self) -> None:
        self.peak = self.start = rss()
        self._stop = threading.Event()

    def __enter__(self) -> Peak:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss())


def rss() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def timed(fn: Callable[[], object]) -> tuple[float, Peak, object]:
    gc.collect()
    with Peak() as peak:
        t0 = time.perf_counter()
        out = fn()
        seconds = time.perf_counter() - t0
    return seconds, peak, out


def naive_baseline(path: Path) -> dict[str, int]:
    """What one would write by hand: read every member with pandas, merge repeats onto the root."""
    with zipfile.ZipFile(path) as zf:
        frames = {n: pd.read_csv(io.BytesIO(zf.read(n)), dtype=str, keep_default_na=False)
                  for n in zf.namelist()}
    root_name = next(n for n, df in frames.items() if "SubmissionDate" in df.columns)
    root = frames.pop(root_name)
    merged = {root_name: len(root)}
    for name, df in frames.items():
        joined = df.merge(root, left_on="PARENT_KEY", right_on="KEY", how="left",
                          suffixes=("", "_parent"))
        merged[name] = len(joined)
        del joined
    return merged


def ingest(path: Path, workdir: Path) -> object:
    from parenting_assessment.ingest.run import ingest_files
    from parenting_assessment.warehouse import connect

    ins = load_instrument(DEFAULT_INSTRUMENT)
    with connect(workdir / "warehouse.duckdb") as con:
        result = ingest_files(con, [path], ins, batch="national", landing_dir=workdir / "landing")
    if result.status != "ok":
        raise SystemExit(f"ingest failed: {result.message}")
    return result


def gib(n: float) -> str:
    return f"{n / 2**30:.2f} GiB"


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--households", type=int, default=345_000)
    p.add_argument("--roster", type=int, default=1_200_000)
    p.add_argument("--workdir", default="/tmp/bench_ingest")
    p.add_argument("--xlsx-rows", type=int, default=0)
    p.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    export = workdir / f"national_{args.households}.csv.zip"
    if args.generate_only:
        t0 = time.perf_counter()
        sections = write_national(export, args.households, args.roster)
        print(f"generated {export} ({export.stat().st_size / 2**20:.0f} MiB) in "
              f"{time.perf_counter() - t0:.1f} s: {sections}", flush=True)
        return
    if not export.exists():
        subprocess.run([sys.executable, __file__, "--generate-only", "--households",
                        str(args.households), "--roster", str(args.roster), "--workdir",
                        str(workdir)], check=True)
    for old in ("warehouse.duckdb", "warehouse.duckdb.wal"):
        (workdir / old).unlink(missing_ok=True)
    subprocess.run(["rm", "-rf", str(workdir / "landing")], check=True)
    seconds, peak, result = timed(lambda: ingest(export, workdir))
    rows = sum(result.rows_per_section.values())
    print(f"ingest_files: {seconds:.1f} s, {rows:,} rows ({rows / seconds:,.0f} rows/s), "
          f"peak RSS {gib(peak.peak)} (+{gib(peak.peak - peak.start)} over start) "
          f"{result.rows_per_section} timings {getattr(result, 'timings', {})}", flush=True)
    b_seconds, b_peak, merged = timed(lambda: naive_baseline(export))
    print(f"naive pandas: {b_seconds:.1f} s ({rows / b_seconds:,.0f} rows/s), peak RSS "
          f"{gib(b_peak.peak)} (+{gib(b_peak.peak - b_peak.start)} over start) {merged}")
    print(f"ratio naive / ingest_files: {b_seconds / seconds:.2f}x; ru_maxrss "
          f"{gib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)}")
    if args.xlsx_rows:
        xlsx_bench(workdir, args.xlsx_rows)


def xlsx_bench(workdir: Path, rows: int) -> None:
    """Not implemented yet."""
    _ = (workdir, rows)


if __name__ == "__main__":
    main()
