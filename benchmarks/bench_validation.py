"""Validation at national scale: about 1.2 million persons, time and peak memory per stage.

The bundled sample (1,262 submissions, 5,209 persons, with its injected defects) is ingested
and typed once, then its typed tables are replicated inside DuckDB - new submission keys, the
households spread over a national frame of synthetic villages (GPS moved with them, listing
numbers renumbered per village) - until the roster holds the target number of persons. No
giant XLSX is written. Then the validation stages, the fieldwork monitoring and the report run
as the pipeline runs them.

    .venv/bin/python benchmarks/bench_validation.py [--persons 1200000] [--villages 1000]

Memory: the process peak RSS (getrusage high-water mark) after each stage, which includes
DuckDB's buffers. ``--tracemalloc`` adds each stage's Python peak (pandas/GX allocations) but
slows pandas-heavy stages several-fold, so the timings of that run are not representative.
"""

from __future__ import annotations

import argparse
import math
import resource
import shutil
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

from parenting_assessment.frame import load_frame
from parenting_assessment.ingest.run import ingest_files
from parenting_assessment.instrument import load_instrument
from parenting_assessment.instrument.build import build_xlsform
from parenting_assessment.monitoring import build_monitoring, render_monitoring
from parenting_assessment.synth.frame import FRAME_COLUMNS, synthetic_villages
from parenting_assessment.typed import build_typed
from parenting_assessment.validate.report import render_validation_report
from parenting_assessment.validate.run import validate
from parenting_assessment.warehouse import connect

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
SECTIONS = ("household", "roster", "migrant", "child", "caregiver")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def national_frame(villages: int, out: Path):
    frame = synthetic_villages(0, villages, np.random.default_rng(1))
    frame.to_csv(out, index=False, columns=FRAME_COLUMNS)
    return frame


def replicate(con, copies: int, villages: int) -> None:
    """Turn the sample's typed layer into ``copies`` copies spread over the national frame."""
    con.execute("""create or replace temp table _vmap as
        select s.village as old, s.rn as idx, f.centroid_lat as lat, f.centroid_lon as lon
        from (select distinct village, dense_rank() over (order by village) - 1 as rn
              from typed.household) s
        left join _old_frame f on f.kode_kemendagri = s.village""")
    con.execute(f"create or replace temp table _rep as select range as rep "
                f"from range({copies})")
    key = "submission_uuid || '-' || lpad(rep::varchar, 4, '0')"
    for s in SECTIONS:
        cols = [r[0] for r in con.execute(f"describe typed.{s}").fetchall()]
        sel = []
        for c in cols:
            if c in ("submission_uuid", "submission_root"):
                sel.append(f"{c} || '-' || lpad(rep::varchar, 4, '0') as {c}")
            elif c in ("_row_key", "_parent_key"):
                sel.append(f"replace({c}, submission_uuid, {key}) as {c}")
            else:
                sel.append(f'"{c}"')
        con.execute(f"create or replace table typed._big_{s} as select {', '.join(sel)} "
                    f"from typed.{s}, _rep")
    # Spread households over the national villages; move GPS with them; renumber listings.
    con.execute(f"""
        create or replace table typed._big_household as
        with m as (select h.*, v.lat as olat, v.lon as olon,
                          (h.rep_no * 42 + v.idx) % {villages} as vi
                   from (select *, try_cast(split_part(submission_uuid, '-', 6) as int) as rep_no
                         from typed._big_household) h
                   left join _vmap v on v.old = h.village)
        select m.* exclude (olat, olon, vi, rep_no, village, kab, gps_lat, gps_lon, hh_listing_no),
               case when m.olat is null then m.village || '-' || m.rep_no  -- stays unknown
                    else f.kode_kemendagri end as village,
               case when m.olat is null then m.kab else f.kode_kabupaten end as kab,
               m.gps_lat - m.olat + f.centroid_lat as gps_lat,
               m.gps_lon - m.olon + f.centroid_lon as gps_lon,
               row_number() over (partition by coalesce(f.kode_kemendagri, m.village)
                                  order by m.submission_uuid) as hh_listing_no
        from m left join _new_frame f on f.idx = m.vi""")
    for s in SECTIONS:
        con.execute(f"drop table typed.{s}")
        con.execute(f"alter table typed._big_{s} rename to {s}")
        con.execute(f"drop view if exists raw.{s}")  # the ingested Parquet layer's view
        con.execute(f"create or replace table raw.{s} as select _row_key from typed.{s}")
    con.execute("""create or replace table typed.duplicates as
        select d.* replace (submission_uuid || '-' || lpad(rep::varchar, 4, '0') as
                            submission_uuid, kept_uuid || '-' || lpad(rep::varchar, 4, '0')
                            as kept_uuid)
        from typed.duplicates d, _rep""")
    for s in SECTIONS:
        con.execute(f"insert into raw.{s} select _row_key from typed.duplicates "
                    f"where section = '{s}'")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=1_200_000)
    ap.add_argument("--villages", type=int, default=1000)
    ap.add_argument("--keep", help="keep the work folder here")
    ap.add_argument("--tracemalloc", action="store_true", help="also Python peaks (slow)")
    args = ap.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="bench_validation_"))
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    frame = national_frame(args.villages, work / "frame.csv")
    ins = load_instrument(build_xlsform(ROOT / "data" / "instrument" / "source",
                                        work / "frame.csv", work / "form.xlsx"))
    sample_ins = load_instrument(ROOT / "data" / "instrument" / "pemetaan_pengasuhan.xlsx")
    db = work / "w.duckdb"
    with connect(db) as con:
        ingest_files(con, sorted(SAMPLE.glob("*.xlsx")), sample_ins, batch="sample",
                     landing_dir=work / "landing")
        build_typed(con, sample_ins)
        persons = con.execute("select count(*) from typed.roster").fetchall()[0][0]
        copies = math.ceil(args.persons / persons)
        old = load_frame(SAMPLE / "frame.csv")
        con.register("_o", old)
        con.execute("create temp table _old_frame as select * from _o")
        con.register("_n", frame.assign(idx=range(len(frame))))
        con.execute("create temp table _new_frame as select * from _n")
        replicate(con, copies, args.villages)
        sizes = {s: con.execute(f"select count(*) from typed.{s}").fetchall()[0][0]
                 for s in SECTIONS}
    print(f"setup {time.perf_counter() - t0:.1f} s: {copies} copies of the sample, "
          f"{args.villages} villages; rows {sizes}")
    nat = load_frame(work / "frame.csv")
    if args.tracemalloc:
        tracemalloc.start()
    rows = []
    rss0 = rss_mb()
    with connect(db) as con:
        stages = {}

        def timed_validate():
            res = validate(con, ins, nat, docs_dir=work / "out" / "validation" / "data_docs",
                           overrides=None)
            stages["validate"] = res
            return res

        for name, fn in (
                ("validate", timed_validate),
                ("monitoring", lambda: render_monitoring(*build_monitoring(con, ins, nat),
                                                         work / "out")),
                ("validation_report", lambda: render_validation_report(con, work / "out"))):
            if args.tracemalloc:
                tracemalloc.reset_peak()
            t = time.perf_counter()
            fn()
            sec = time.perf_counter() - t
            peak = tracemalloc.get_traced_memory()[1] / 2**20 if args.tracemalloc else None
            if name == "validate" and args.tracemalloc:  # the stages reset the peak
                peak = max(stages["validate"].python_peak_mb.values())
            if name == "validate":
                res = stages["validate"]
                for stage, s in res.timings.items():
                    rows.append((f"  validate.{stage}", s, res.python_peak_mb.get(stage),
                                 None))
            rows.append((name, sec, peak, rss_mb()))
    print(f"\nstart RSS {rss0:.0f} MB")
    print(f"{'stage':<32}{'seconds':>9}{'peak RSS MB':>13}{'python peak MB':>16}")
    for name, sec, peak, rss in rows:
        print(f"{name:<32}{sec:>9.1f}{'' if rss is None else format(rss, '.0f'):>13}"
              f"{'' if peak is None else format(peak, '.0f'):>16}")
    total = sum(r[1] for r in rows if not r[0].startswith(" "))
    print(f"{'total':<32}{total:>9.1f}")
    recon = res.reconciliation.set_index("section")
    print(f"process peak RSS {rss_mb():.0f} MB; findings {len(res.findings)}; quarantined "
          f"rows {int(recon['quarantined'].sum())}; reconciliation balanced: "
          f"{bool(recon['balanced'].all())}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
