"""``--lang`` / ``--format`` on the CLI reach the ``mapping_report`` asset as Dagster config
and only the chosen files are written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pipelines.resources import SurveyResource
from pipelines.run import materialize_all
from report_helpers import INSTRUMENT, ReportRun

from parenting_assessment.cli import _choices, main, parser
from parenting_assessment.report import FORMATS, LANGS


@pytest.mark.parametrize(("argv", "langs", "formats"), [
    ([], ["id", "en"], list(FORMATS)),
    (["--lang", "en"], ["en"], list(FORMATS)),
    (["--lang", "all", "--format", "html,pdf"], ["id", "en"], ["html", "pdf"]),
    (["--lang", "id", "--lang", "en", "--format", "xlsx"], ["id", "en"], ["xlsx"]),
])
def test_cli_options_become_report_config(argv: list[str], langs: list[str],
                                          formats: list[str]) -> None:
    args = parser().parse_args(["run", *argv])
    assert _choices(args.lang, LANGS) == langs
    assert _choices(args.format, FORMATS) == formats


@pytest.mark.parametrize("argv", [["--lang", "fr"], ["--format", "html,docx"]])
def test_cli_rejects_unknown_language_or_format(argv: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["run", *argv])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "unknown" in err and ("fr" in err or "docx" in err)
    assert "Traceback" not in err


def test_mapping_report_renders_only_the_selected_language_and_formats(
        report_run: ReportRun, tmp_path) -> None:
    warehouse = tmp_path / "w.duckdb"
    shutil.copy(report_run.warehouse, warehouse)
    survey = SurveyResource(raw=str(tmp_path), frame=str(report_run.frame_path),
                            instrument=str(INSTRUMENT), warehouse=str(warehouse),
                            landing=str(tmp_path / "landing"), reports=str(tmp_path / "reports"),
                            run_id="sel")
    (tmp_path / "export.xlsx").write_bytes(b"")  # a batch to register; not read by this stage
    materialize_all(survey, stages=("mapping_report",),
                    report_config={"langs": ["en"], "formats": ["html", "xlsx"]})
    written = sorted(p.name for p in (tmp_path / "reports" / "sel").iterdir() if p.is_file())
    assert [n for n in written if n.startswith(("report_", "tables_", "estimates"))] == [
        "report_en.html", "tables_en.xlsx"]


def test_cli_run_prints_the_path_of_every_output(tmp_path, capsys, monkeypatch) -> None:
    from generated_survey import generated_survey

    syn, _ = generated_survey(tmp_path, seed=5, villages=2, households_per_village=10)
    monkeypatch.setenv("PA_LANDING", str(tmp_path / "landing"))
    code = main(["run", "--raw", str(syn.export_path), "--frame", str(syn.frame_path),
                 "--warehouse", str(tmp_path / "w.duckdb"), "--out", str(tmp_path / "out"),
                 "--lang", "id", "--format", "html,xlsx,csv,parquet"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    listed = {line.split(": ", 1)[1] for line in printed.splitlines()
              if line.startswith(("report: ", "tables: ", "data: "))}
    out = tmp_path / "out"
    expected = {out / "report_id.html", out / "tables_id.xlsx", out / "estimates.csv",
                out / "estimates.parquet"}
    assert {str(p) for p in expected} <= listed
    assert all(Path(p).is_file() for p in listed)
    assert not (out / "report_en.html").exists() and not (out / "report_id.pdf").exists()
