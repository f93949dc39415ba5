"""Ingest at national scale: an ODK Central export the size of a Susenas round.

Builds ``submissions.csv.zip`` for 345,000 households (~1.2 million roster rows, every section
of the form) from real generator submissions: a pool of ~1,250 synthetic households is written
by ``synth.odk_zip`` and each national household copies one of them under a fresh instance id,
so the file has exactly the Central shape (same headers, split columns, KEY/PARENT_KEY chains).
The pool is drawn so that the roster averages 1.2M / 345k rows per household.

Then, in one process, times the pipeline's ``ingest_files`` (landing + detection + reading +
writing the raw layer: Parquet files next to the DuckDB file, recorded in it, with a ``raw`` view
per section) and a naive pandas baseline (``read_csv`` of every
member, ``merge`` of each repeat onto the root by PARENT_KEY), with rows/second and peak memory
(resident set sampled every 20 ms per phase, and ``ru_maxrss``). The export is generated in a
child process so that its memory does not count. ``ingest_files`` writes each section in a
background thread while the next member is read, so its "seconds by step" ``write`` is only
the writing left once reading is done. It then counts the rows through the ``raw`` views (the
first read a later stage makes), to show the files are complete and what reading them costs.

``--xlsx-rows`` also times the XLSX reader on a Kobo workbook whose roster sheet has that many
rows: calamine alone on the roster sheet, ``read_sheets`` (every sheet as text), and
``read_kobo_xlsx``; ``--xlsx-pandas`` adds ``pd.read_excel(dtype=str)``, which ``read_sheets``
used before it built the text itself (about twice as slow and twice the memory).

Run: ``.venv/bin/python benchmarks/bench_ingest.py [--households 345000] [--roster 1200000]
[--workdir /tmp/bench_ingest] [--xlsx-rows 1000000 [--xlsx-pandas]] [--skip-odk]``.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
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
        self.cpu = 0.0
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


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed(fn: Callable[[], object]) -> tuple[float, Peak, object]:
    """Wall seconds, peak memory and result of ``fn()``; CPU seconds in ``peak.cpu``."""
    gc.collect()
    with Peak() as peak:
        t0, c0 = time.perf_counter(), cpu_seconds()
        out = fn()
        seconds, peak.cpu = time.perf_counter() - t0, cpu_seconds() - c0
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


def scan_raw(workdir: Path, expected: dict[str, int]) -> None:
    """Count every section through its ``raw`` view and hash one text column of each."""
    from parenting_assessment.warehouse import connect

    t0 = time.perf_counter()
    with connect(workdir / "warehouse.duckdb", read_only=True) as con:
        for section, n in expected.items():
            got = con.execute(f"select count(*), count(distinct _row_key) from raw.{section}"
                              ).fetchone()
            if got != (n, n):
                raise SystemExit(f"raw.{section}: {got} rows/keys, expected {n}")
    size = sum(p.stat().st_size for p in (workdir / "warehouse.duckdb.raw").rglob("*"))
    print(f"raw layer: {size / 2**20:,.0f} MiB of Parquet; every section counted and its row "
          f"keys checked distinct through the views in {time.perf_counter() - t0:.1f} s")


def gib(n: float) -> str:
    return f"{n / 2**30:.2f} GiB"


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--households", type=int, default=345_000)
    p.add_argument("--roster", type=int, default=1_200_000)
    p.add_argument("--workdir", default="/tmp/bench_ingest")
    p.add_argument("--xlsx-rows", type=int, default=0)
    p.add_argument("--xlsx-pandas", action="store_true")
    p.add_argument("--skip-odk", action="store_true", help="only the XLSX part")
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
    if args.skip_odk:
        xlsx_bench(workdir, args.xlsx_rows, pandas=args.xlsx_pandas)
        return
    if not export.exists():
        subprocess.run([sys.executable, __file__, "--generate-only", "--households",
                        str(args.households), "--roster", str(args.roster), "--workdir",
                        str(workdir)], check=True)
    for old in ("warehouse.duckdb", "warehouse.duckdb.wal"):
        (workdir / old).unlink(missing_ok=True)
    for folder in ("landing", "warehouse.duckdb.raw"):
        subprocess.run(["rm", "-rf", str(workdir / folder)], check=True)
    seconds, peak, result = timed(lambda: ingest(export, workdir))
    rows = sum(result.rows_per_section.values())
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"ingest_files: {seconds:.1f} s wall, {peak.cpu:.1f} s CPU, {rows:,} rows "
          f"({rows / seconds:,.0f} rows/s); peak RSS {gib(peak.peak)} (ru_maxrss {gib(maxrss)})"
          f"; {result.rows_per_section}; seconds by step {result.seconds}", flush=True)
    scan_raw(workdir, result.rows_per_section)
    b_seconds, b_peak, merged = timed(lambda: naive_baseline(export))
    print(f"naive pandas: {b_seconds:.1f} s wall, {b_peak.cpu:.1f} s CPU "
          f"({rows / b_seconds:,.0f} rows/s); peak RSS {gib(b_peak.peak)} "
          f"(+{gib(b_peak.peak - b_peak.start)} over its start); rows {merged}")
    print(f"naive / ingest_files: {b_seconds / seconds:.2f}x wall, {b_peak.cpu / peak.cpu:.2f}x "
          f"CPU; load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if args.xlsx_rows:
        xlsx_bench(workdir, args.xlsx_rows, pandas=args.xlsx_pandas)


def xlsx_bench(workdir: Path, rows: int, seed: int = 1, pandas: bool = False) -> None:
    """A Kobo XLSX whose roster sheet has ``rows`` rows (main sheet + roster, the other repeats
    left out): time calamine on the roster sheet, ``read_sheets`` and the whole XLSX reader."""
    from parenting_assessment.ingest.kobo_xlsx import read_kobo_xlsx, read_sheets
    from parenting_assessment.synth.kobo_xlsx import write_kobo_xlsx

    path = workdir / f"kobo_roster_{rows}.xlsx"
    ins, subs = pool(seed)
    if not path.exists():
        sizes = np.array([len(s.repeats.get("roster", [])) for s in subs], dtype=float)
        rng = np.random.default_rng(seed)
        pick = draw(sizes, int(rows / 3.48), 3.48, rng)
        clones = [Submission(subs[t].main, {"roster": subs[t].repeats.get("roster", [])},
                             {**subs[t].meta, "_uuid": str(uuid.UUID(int=i + 1, version=4)),
                              "_id": i + 1}) for i, t in enumerate(pick)]
        t0 = time.perf_counter()
        write_kobo_xlsx(path, ins, clones)
        print(f"wrote {path.name} ({path.stat().st_size / 2**20:.0f} MiB, {len(clones):,} "
              f"households) in {time.perf_counter() - t0:.0f} s", flush=True)
        del clones
    from python_calamine import CalamineWorkbook

    seconds, peak, raw = timed(lambda: CalamineWorkbook.from_path(str(path)).get_sheet_by_name(
        "roster").to_python())
    print(f"calamine alone (roster sheet to Python lists): {seconds:.1f} s for {len(raw):,} rows"
          f"; load average {os.getloadavg()[0]:.1f}", flush=True)
    del raw
    seconds, peak, sheets = timed(lambda: read_sheets(path))
    n = {k: len(v) for k, v in sheets.items()}
    del sheets
    print(f"read_sheets (calamine cells -> Arrow text, all sheets): {seconds:.1f} s, "
          f"{peak.cpu:.1f} s CPU for {n}, peak RSS {gib(peak.peak)}; load average "
          f"{os.getloadavg()[0]:.1f}", flush=True)
    if pandas:
        seconds, peak, sheets = timed(lambda: pd.read_excel(
            path, sheet_name=None, dtype=str, keep_default_na=False, engine="calamine"))
        del sheets
        print(f"pd.read_excel(dtype=str, engine='calamine'), the former read_sheets: "
              f"{seconds:.1f} s, peak RSS {gib(peak.peak)}; load average "
              f"{os.getloadavg()[0]:.1f}", flush=True)
    seconds, peak, export = timed(lambda: read_kobo_xlsx(path, ins, batch="x", sha256="0" * 64))
    print(f"read_kobo_xlsx: {seconds:.1f} s for {export.rows_per_section()}, peak RSS "
          f"{gib(peak.peak)}; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
