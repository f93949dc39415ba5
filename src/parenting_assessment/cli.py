"""Command line: ``parenting-assessment run | ingest | synth | build-form``.

User errors end with one readable line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from parenting_assessment.config import ConfigError, Settings
from parenting_assessment.report.formats import FORMATS, LANGS

USER_ERRORS: tuple[type[Exception], ...] = (ConfigError, FileNotFoundError)


def _fail(message: str) -> int:
    sys.stderr.write(f"error: {message}\n")
    return 2


def cmd_run(args: argparse.Namespace) -> int:
    from parenting_assessment.frame import FrameError, load_frame
    from parenting_assessment.instrument.model import InstrumentError, load_instrument

    base = Settings()
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    settings = Settings(
        raw=Path(args.raw or base.raw).resolve(), frame=Path(args.frame or base.frame).resolve(),
        instrument=Path(args.instrument or base.instrument).resolve(),
        warehouse=Path(args.warehouse or base.warehouse).resolve(), landing=base.landing,
        reports=base.reports, run_id=run_id)
    out_dir = Path(args.out).resolve() if args.out else settings.reports / run_id
    if not settings.raw.exists():
        return _fail(f"{settings.raw}: no such file or folder of exports")
    try:
        load_frame(settings.frame)
        load_instrument(settings.instrument)
        settings.pseudonym_key()
    except (FrameError, InstrumentError, ConfigError) as exc:
        return _fail(str(exc))
    from pipelines.resources import SurveyResource
    from pipelines.run import PipelineError, materialize_all

    survey = SurveyResource(
        raw=str(settings.raw), frame=str(settings.frame), instrument=str(settings.instrument),
        warehouse=str(settings.warehouse), landing=str(settings.landing),
        reports=str(out_dir.parent), run_id=out_dir.name)
    print(f"parenting-assessment: running on {settings.raw}", flush=True)
    report_config = {"langs": _choices(args.lang, LANGS), "formats": _choices(args.format, FORMATS)}
    try:
        seconds = materialize_all(survey, progress=lambda m: print(m, flush=True),
                                  report_config=report_config)
    except PipelineError as exc:
        return _fail(str(exc))
    print(f"done in {seconds:.1f} s; warehouse: {settings.warehouse}")
    for label, pattern in (("report", "report_*.*"), ("tables", "tables_*.xlsx"),
                           ("data", "*.csv"), ("data", "*.parquet")):
        for path in sorted(out_dir.glob(pattern)):
            print(f"{label}: {path}")
    for extra in ("validation/validation_report.html", "fieldwork_monitoring.html"):
        if (out_dir / extra).exists():
            print(f"{extra.split('/')[-1].removesuffix('.html').replace('_', ' ')}: "
                  f"{out_dir / extra}")
    return 0


def _choices(values: list[str] | None, known: tuple[str, ...]) -> list[str]:
    """Repeated or comma-separated options (``--lang id,en``); ``all`` means every one."""
    picked = [v.strip() for item in values or ["all"] for v in item.split(",") if v.strip()]
    return list(known) if "all" in picked else list(dict.fromkeys(picked))


def _option_type(known: tuple[str, ...], what: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        bad = [v for v in value.split(",") if v.strip() and v.strip() not in (*known, "all")]
        if bad:
            raise argparse.ArgumentTypeError(
                f"unknown {what} {', '.join(bad)} (choose from {', '.join(known)} or all)")
        return value
    return check


def cmd_ingest(args: argparse.Namespace) -> int:
    """Ingest and validate a file or folder of exports (no indicators, no report)."""
    from pipelines.resources import SurveyResource
    from pipelines.run import PipelineError, materialize_all

    base = Settings()
    raw = Path(args.path).resolve()
    if not raw.exists():
        return _fail(f"{raw}: no such file or folder of exports")
    survey = SurveyResource(raw=str(raw), frame=str(Path(args.frame or base.frame).resolve()),
                            instrument=str(base.instrument),
                            warehouse=str(Path(args.warehouse or base.warehouse).resolve()),
                            landing=str(base.landing), reports=str(base.reports))
    try:
        materialize_all(survey, progress=lambda m: print(m, flush=True),
                        stages=("raw_batch", "typed_tables", "validated_tables"))
    except PipelineError as exc:
        return _fail(str(exc))
    from parenting_assessment.warehouse import connect

    with connect(survey.warehouse, read_only=True) as con:
        print(con.execute("select * from validated.reconciliation").df().to_string(index=False))
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    from parenting_assessment.synth import synthesize

    result = synthesize(seed=args.seed, out_dir=Path(args.out), villages=args.villages,
                        households_per_village=args.households_per_village,
                        frame_csv=Path(args.frame) if args.frame else None,
                        export_format=args.format)
    print(f"export: {result.export_path}")
    print(f"frame: {result.frame_path}\ntruth: {result.truth_path}\n"
          f"defects manifest: {result.defects_path}")
    return 0


def cmd_build_form(args: argparse.Namespace) -> int:
    from parenting_assessment.config import DATA_DIR
    from parenting_assessment.instrument.build import build_xlsform

    out = build_xlsform(DATA_DIR / "instrument" / "source", Path(args.frame or Settings().frame),
                        Path(args.out or Settings().instrument))
    print(f"XLSForm: {out}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="parenting-assessment", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run the whole pipeline and print the report's path")
    r.add_argument("--raw", help="an export file or a folder of exports (default: bundled sample)")
    r.add_argument("--frame", help="sampling frame CSV (default: data/frame/frame.csv)")
    r.add_argument("--instrument", help="XLSForm (default: data/instrument/...xlsx)")
    r.add_argument("--warehouse", help="DuckDB file (default: data/warehouse.duckdb)")
    r.add_argument("--out", help="report folder (default: reports/<run-id>/)")
    r.add_argument("--lang", action="append", type=_option_type(LANGS, "language"),
                   help="report language(s): id, en or all (default: all; repeat or use commas)")
    r.add_argument("--format", action="append", type=_option_type(FORMATS, "format"),
                   help=f"report format(s): {', '.join(FORMATS)} or all (default: all)")
    r.set_defaults(func=cmd_run)
    i = sub.add_parser("ingest", help="land, read and validate a file or folder of exports")
    i.add_argument("path", help="an export file, a batch folder, or a folder of batch folders")
    i.add_argument("--frame")
    i.add_argument("--warehouse")
    i.set_defaults(func=cmd_ingest)
    s = sub.add_parser("synth", help="generate a synthetic survey with known truth")
    s.add_argument("--seed", type=int, required=True)
    s.add_argument("--villages", type=int)
    s.add_argument("--households-per-village", type=int)
    s.add_argument("--frame")
    s.add_argument("--format", choices=("kobo_xlsx", "kobo_csv", "odk_zip"), default="kobo_xlsx",
                   help="export shape (Kobo CSV carries the main table only: no roster)")
    s.add_argument("--out", required=True)
    s.set_defaults(func=cmd_synth)
    b = sub.add_parser("build-form", help="build the XLSForm workbook from its CSV source")
    b.add_argument("--frame")
    b.add_argument("--out")
    b.set_defaults(func=cmd_build_form)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except USER_ERRORS as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return _fail("interrupted")


if __name__ == "__main__":
    sys.exit(main())
