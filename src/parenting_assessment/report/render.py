"""Render the mapping report in Indonesian and English: HTML, PDF, Excel, CSV, Parquet.

The HTML (self-contained) and the PDF come from one template; the Excel workbook has every
table; the full estimates are written as CSV and Parquet.

Each language is rendered in its own process when more than one is asked for: charts and the
PDF are CPU-bound and independent per language, so two languages on two cores take the time of
one. The workers are fresh interpreters (``report.worker``), never forks, so a DuckDB
connection or Dagster threads in the caller are never copied into a child.
"""

from __future__ import annotations

import base64
import os
import pickle
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from parenting_assessment.indicators.catalogue import Catalogue, load_catalogue
from parenting_assessment.report.annex import code_version
from parenting_assessment.report.chapters import chapter_indicators
from parenting_assessment.report.chart_specs import build_specs, draw_all
from parenting_assessment.report.data import ReportData, load_report_data
from parenting_assessment.report.document import Document, build_document
from parenting_assessment.report.formats import FORMATS
from parenting_assessment.report.profiles import columns, mono_header
from parenting_assessment.report.strings import LANGS, Strings

PER_LANGUAGE = ("html", "pdf", "xlsx")


@dataclass(frozen=True)
class RunInfo:
    """What identifies a run in the report.

    `time` is an input (not read from the clock when given) so that two renders of the same
    warehouse can be compared byte for byte.
    """

    run_id: str
    code_version: str = ""
    time: str = ""


@cache
def _env() -> Environment:
    return Environment(loader=PackageLoader("parenting_assessment.report", "templates"),
                       autoescape=select_autoescape(["html", "j2"]), trim_blocks=True,
                       lstrip_blocks=True)


def render_html(doc: Document, mode: str, images: dict[str, str] | None = None) -> str:
    """The report as one HTML string; ``mode`` is "html" (screen) or "pdf" (print).

    `images` maps chart names to image sources (default: those of the document).
    """
    t = doc.t
    return _env().get_template("report.html.j2").render(
        lang=doc.lang, s=t.data, mode=mode, run=doc.run, chapters=doc.chapters,
        images=doc.charts if images is None else images,
        mono_header=mono_header(t), profile_columns=columns(t),
        profile_classes=["est", "ci", "n", "est", "est", "num", "est"])


def _write_charts(charts: dict[str, bytes], folder: Path) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    uris = {}
    for name, data in charts.items():
        (folder / f"{name}.png").write_bytes(data)
        uris[name] = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    return uris


def render_language(data: ReportData, lang: str, formats: tuple[str, ...], out_dir: Path,
                    run: dict[str, str]) -> dict[tuple[str, str], Path]:
    """Everything of one language: charts, HTML, PDF, workbook (as asked in `formats`)."""
    from parenting_assessment.report.excel import write_workbook
    from parenting_assessment.report.pdf import write_pdf

    uris: dict[str, str] = {}
    if "html" in formats or "pdf" in formats:
        inds = [i for _, group in chapter_indicators(data.catalogue) for i in group]
        charts = draw_all(build_specs(data, Strings(lang), inds))
        uris = _write_charts(charts, out_dir / "figures" / lang)
    doc = build_document(data, lang, uris, run)
    paths: dict[tuple[str, str], Path] = {}
    if "html" in formats:
        path = out_dir / f"report_{lang}.html"
        path.write_text(render_html(doc, "html"), encoding="utf-8")
        paths[(lang, "html")] = path
    if "pdf" in formats:
        # The PDF reads the PNG files: WeasyPrint's pure-Python HTML parser would otherwise
        # walk megabytes of base64 and re-encode every image.
        files = {name: f"figures/{lang}/{name}.png" for name in uris}
        paths[(lang, "pdf")] = write_pdf(render_html(doc, "pdf", files),
                                         out_dir / f"report_{lang}.pdf")
    if "xlsx" in formats:
        created = datetime.fromisoformat(run["data_time"].replace("Z", "+00:00"))
        paths[(lang, "xlsx")] = write_workbook(doc, out_dir / f"tables_{lang}.xlsx",
                                               created.replace(tzinfo=None))
    return paths


def _in_workers(jobs: list[tuple], n: int) -> list[dict[tuple[str, str], Path]]:
    """Run `render_language` jobs in up to `n` worker interpreters at a time."""
    results: list[dict[tuple[str, str], Path]] = []
    with tempfile.TemporaryDirectory(prefix="pa-report-") as tmp:
        for start in range(0, len(jobs), n):
            running = []
            for i, job in enumerate(jobs[start:start + n], start=start):
                src, dst = Path(tmp) / f"job{i}.pkl", Path(tmp) / f"out{i}.pkl"
                src.write_bytes(pickle.dumps(job))
                cmd = [sys.executable, "-m", "parenting_assessment.report.worker", str(src),
                       str(dst)]
                running.append((job[1], subprocess.Popen(cmd), dst))
            for lang, proc, dst in running:
                if proc.wait() != 0:
                    raise RuntimeError(f"rendering the {lang!r} report failed "
                                       f"(worker exit status {proc.returncode})")
                results.append(pickle.loads(dst.read_bytes()))
    return results


def render_report(con: duckdb.DuckDBPyConnection, *, langs: tuple[str, ...] | list[str] = LANGS,
                  formats: tuple[str, ...] | list[str] = FORMATS, out_dir: Path,
                  run_info: RunInfo, frame: pd.DataFrame,
                  instrument_path: Path | str | None = None, catalogue: Catalogue | None = None,
                  workers: int | None = None) -> dict[tuple[str, str], Path]:
    """Render the report from the warehouse behind `con` (read-only is enough).

    Returns ``{(lang, format): path}``; language-independent files (``csv``, ``parquet``) are
    keyed ``("all", format)``. `workers` caps the processes (default: one per language, at most
    the number of CPUs); ``workers=1`` renders in this process.
    """
    langs = tuple(dict.fromkeys(langs))
    formats = tuple(dict.fromkeys(formats))
    for lang in langs:
        if lang not in LANGS:
            raise ValueError(f"unknown report language {lang!r}; use one of {LANGS}")
    for f in formats:
        if f not in FORMATS:
            raise ValueError(f"unknown report format {f!r}; use one of {FORMATS}")
    data = load_report_data(con, frame=frame, catalogue=catalogue or load_catalogue(),
                            instrument_path=instrument_path)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    run = {"run_id": run_info.run_id, "code_version": run_info.code_version or code_version(),
           "time": run_info.time or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
           "data_time": data.data_time}
    paths: dict[tuple[str, str], Path] = {}
    if "csv" in formats:
        paths[("all", "csv")] = out_dir / "estimates.csv"
        data.estimates.to_csv(paths[("all", "csv")], index=False)
    if "parquet" in formats:
        paths[("all", "parquet")] = out_dir / "estimates.parquet"
        data.estimates.to_parquet(paths[("all", "parquet")], index=False)
    per_lang = tuple(f for f in formats if f in PER_LANGUAGE)
    if not per_lang or not langs:
        return paths
    jobs = [(data, lang, per_lang, out_dir, run) for lang in langs]
    n = min(workers or len(jobs), len(jobs), os.cpu_count() or 1)
    results = _in_workers(jobs, n) if n > 1 else [render_language(*j) for j in jobs]
    for r in results:
        paths.update(r)
    return paths
