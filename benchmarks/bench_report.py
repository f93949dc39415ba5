"""Render time of the mapping report for 400 villages (not a test; run by hand).

.venv/bin/python benchmarks/bench_report.py [--work DIR] [--repeat 3] [--formats html,pdf]

The first run generates a synthetic survey of 400 villages with the project's generator and
runs the pipeline up to the model results (cached in --work); then the report is rendered in
both languages, `--repeat` times, and the median wall time is printed. Target: ≤ 90 s on the
2-core reference machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time
from pathlib import Path

import duckdb

from parenting_assessment.frame import load_frame
from parenting_assessment.report import RunInfo, render_report

STAGES = ("raw_batch", "typed_tables", "validated_tables", "core_model", "indicator_values",
          "survey_estimates", "needs_index", "model_results")


def prepare(work: Path, villages: int, households: int) -> tuple[Path, Path, Path]:
    """Warehouse, frame and XLSForm of a generated survey (built once, then reused)."""
    from pipelines.resources import SurveyResource
    from pipelines.run import materialize_all

    from parenting_assessment.synth import synthesize

    warehouse = work / "warehouse.duckdb"
    done = work / "ready"
    synth_dir = work / "raw"
    if not done.exists():
        work.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        syn = synthesize(seed=400, out_dir=synth_dir, villages=villages,
                         households_per_village=households, defect_rate=0.0)
        survey = SurveyResource(raw=str(syn.export_path), frame=str(syn.frame_path),
                                instrument=str(syn.instrument), warehouse=str(warehouse),
                                landing=str(work / "landing"), reports=str(work / "reports"),
                                run_id="bench")
        materialize_all(survey, stages=STAGES)
        (work / "instrument.txt").write_text(str(syn.instrument))
        done.write_text("ok")
        print(f"prepared {villages} villages in {time.perf_counter() - t0:.0f} s")
    instrument = Path((work / "instrument.txt").read_text().strip())
    return warehouse, synth_dir / "frame.csv", instrument


def _cpu() -> float:
    """User + system CPU seconds of this process and its finished children (the workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--work", default="/tmp/pa_bench_report")
    p.add_argument("--villages", type=int, default=400)
    p.add_argument("--households-per-village", type=int, default=8)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--formats", default="html,pdf")
    args = p.parse_args()
    work = Path(args.work)
    warehouse, frame_csv, instrument = prepare(work, args.villages, args.households_per_village)
    frame = load_frame(frame_csv)
    times, cpus = [], []
    for i in range(args.repeat):
        out = work / f"out{i}"
        t0 = time.perf_counter()
        c0 = _cpu()
        with duckdb.connect(str(warehouse), read_only=True) as con:
            paths = render_report(con, langs=("id", "en"), formats=tuple(args.formats.split(",")),
                                  out_dir=out, run_info=RunInfo("bench", "bench", "bench"),
                                  frame=frame, instrument_path=instrument)
        times.append(time.perf_counter() - t0)
        cpus.append(_cpu() - c0)
        print(f"run {i + 1}: {times[-1]:.1f} s wall, {cpus[-1]:.1f} s CPU (all processes), "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
    pdf = [v for (_, f), v in paths.items() if f == "pdf"]
    if pdf:
        import subprocess

        info = subprocess.run(["pdfinfo", str(pdf[0])], capture_output=True, text=True).stdout
        pages = next((ln.split()[-1] for ln in info.splitlines() if ln.startswith("Pages")), "?")
        print(f"PDF pages ({pdf[0].name}): {pages}")
    print(f"{len(frame)} villages, langs id+en, formats {args.formats}: "
          f"median {statistics.median(times):.1f} s over {len(times)} runs (target <= 90 s); "
          f"median CPU {statistics.median(cpus):.1f} s on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
