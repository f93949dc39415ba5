"""Entry point of the synthetic survey generator (``parenting-assessment synth``).

``synthesize`` writes one synthetic fieldwork round: the export (KoboToolbox XLSX by default, or
Kobo CSV, or an ODK Central CSV zip), the frame it was drawn from, the true village values and
the manifest of injected defects. Same seed, same bytes, so the bundled sample under
``data/sample/`` can be regenerated and diffed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from parenting_assessment.instrument import Instrument, load_instrument
from parenting_assessment.instrument.build import build_xlsform
from parenting_assessment.instrument.model import MAIN_SECTION
from parenting_assessment.synth.frame import prepare_frame, read_frame
from parenting_assessment.synth.generate import Synthesis, generate, stage_rngs
from parenting_assessment.synth.kobo_csv import write_kobo_csv
from parenting_assessment.synth.kobo_xlsx import write_kobo_xlsx
from parenting_assessment.synth.odk_zip import write_odk_zip

ROOT = Path(__file__).resolve().parents[3]
DEFAULT_FRAME = ROOT / "data" / "frame" / "frame.csv"
DEFAULT_INSTRUMENT = ROOT / "data" / "instrument" / "pemetaan_pengasuhan.xlsx"
INSTRUMENT_SOURCE = ROOT / "data" / "instrument" / "source"
PII_FIELDS = ("resp_name", "resp_phone", "gps", "HL2")
EXPORT_FORMATS = ("kobo_xlsx", "kobo_csv", "odk_zip")


@dataclass(frozen=True)
class SynthResult:
    """Paths written and what they contain."""

    export_file: Path
    frame_csv: Path
    truth_csv: Path
    manifest_csv: Path
    instrument: Path
    seed: int
    villages: int
    households_selected: int
    households_responding: int
    persons: int
    children: int
    child_modules_u5: int
    child_modules_5_17: int
    caregivers: int
    migrants: int
    defects: int
    submissions: int
    population_households: int
    population_persons: int
    defects_by_type: dict[str, int] = field(default_factory=dict)
    pii: dict[str, frozenset[str]] = field(default_factory=dict)
    export_format: str = "kobo_xlsx"

    @property
    def kobo_xlsx(self) -> Path:
        if self.export_format != "kobo_xlsx":
            raise AttributeError(f"this round was written as {self.export_format}, not kobo_xlsx")
        return self.export_file

    # Aliases used by the CLI and the end-to-end tests.
    @property
    def export_path(self) -> Path:
        return self.export_file

    @property
    def frame_path(self) -> Path:
        return self.frame_csv

    @property
    def truth_path(self) -> Path:
        return self.truth_csv

    @property
    def defects_path(self) -> Path:
        return self.manifest_csv

    @property
    def pii_values(self) -> frozenset[str]:
        """Every planted name, phone number and GPS value: none may leave the raw layer."""
        return frozenset().union(*self.pii.values())


def synthesize(*, seed: int, out_dir: Path, frame_csv: Path | None = None,
               villages: int | None = None, households_per_village: int | None = None,
               instrument_path: Path | None = None, defect_rate: float = 0.03,
               export_format: str = "kobo_xlsx") -> SynthResult:
    """Generate one synthetic survey round into ``out_dir`` and describe it.

    ``export_format``: ``kobo_xlsx`` (default), ``kobo_csv`` (main table only, as Kobo writes
    it) or ``odk_zip`` (ODK Central ``submissions.csv.zip``).
    """
    if export_format not in EXPORT_FORMATS:
        raise ValueError(f"export_format must be one of {', '.join(EXPORT_FORMATS)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    frame = prepare_frame(read_frame(Path(frame_csv or DEFAULT_FRAME)), villages=villages,
                          households_per_village=households_per_village,
                          rng=stage_rngs(seed)["frame"])
    frame_out = out_dir / "frame.csv"
    frame.to_csv(frame_out, index=False, lineterminator="\n")
    ins_path = Path(instrument_path or DEFAULT_INSTRUMENT)
    ins = load_instrument(ins_path)
    known = {c.name for c in ins.choices.get("desa", [])}
    if instrument_path is None and not set(frame["kode_kemendagri"]) <= known:
        # Synthetic villages: the form must offer them, so build it from the written frame.
        # "frame" in the name keeps the pipeline's landing from taking it for an export.
        ins_path = build_xlsform(INSTRUMENT_SOURCE, frame_out,
                                 out_dir / f"{ins.form_id}_xlsform_frame.xlsx")
        ins = load_instrument(ins_path)
    syn = generate(frame, ins, seed, defect_rate=defect_rate)
    return write_outputs(syn, ins, ins_path, out_dir, seed, frame_out, export_format)


def write_export(syn: Synthesis, ins: Instrument, out_dir: Path, seed: int,
                 export_format: str = "kobo_xlsx") -> Path:
    """Write the submissions in one export format; return the file."""
    last = max(s.meta["_submission_time"] for s in syn.submissions)
    created = (datetime.strptime(last, "%Y-%m-%dT%H:%M:%S") + timedelta(days=2)).replace(
        hour=3, minute=0, second=0)
    if export_format == "kobo_csv":
        return write_kobo_csv(out_dir / f"{ins.form_id}_kobo_{seed}.csv", ins, syn.submissions)
    if export_format == "odk_zip":
        return write_odk_zip(out_dir / f"{ins.form_id}_odk_{seed}.csv.zip", ins,
                             syn.submissions, created)
    return write_kobo_xlsx(out_dir / f"{ins.form_id}_kobo_{seed}.xlsx", ins, syn.submissions,
                           created=created)


def in_export(syn: Synthesis, export_format: str) -> tuple[pd.DataFrame, int]:
    """The defects an export of this format carries, and its number of submissions.

    Kobo CSV has no repeat tables, so defects planted in repeat rows are not in it; ODK Central
    keeps one submission per instanceID, so an exact duplicate submission is not in a zip.
    """
    manifest = syn.manifest
    if export_format == "kobo_csv":
        manifest = manifest[manifest["section"] == MAIN_SECTION]
    if export_format == "odk_zip":
        manifest = manifest[manifest["defect_type"] != "duplicate_submission"]
        return manifest.reset_index(drop=True), len({s.uuid for s in syn.submissions})
    return manifest.reset_index(drop=True), len(syn.submissions)


def write_outputs(syn: Synthesis, ins: Instrument, ins_path: Path, out_dir: Path, seed: int,
                  frame_out: Path, export_format: str = "kobo_xlsx") -> SynthResult:
    """Write the export, truth and manifest of a Synthesis and count what is in them."""
    export = write_export(syn, ins, out_dir, seed, export_format)
    truth_out = out_dir / "truth.csv"
    syn.truth.to_csv(truth_out, index=False, lineterminator="\n")
    manifest, submissions = in_export(syn, export_format)
    manifest_out = out_dir / "defects_manifest.csv"
    manifest.to_csv(manifest_out, index=False, lineterminator="\n")
    s = syn.sample
    hh = s.households
    resp = hh.loc[hh["responded"], "hh"]
    persons = syn.population.persons
    in_sample = persons[persons["hh"].isin(resp)]
    return SynthResult(
        export_file=export, frame_csv=frame_out, truth_csv=truth_out, manifest_csv=manifest_out,
        instrument=ins_path, seed=seed, villages=len(syn.frame),
        households_selected=len(hh), households_responding=len(resp),
        persons=len(in_sample), children=int(in_sample["is_child"].sum()),
        child_modules_u5=int((s.child_modules["ch_type"] == 1).sum()),
        child_modules_5_17=int((s.child_modules["ch_type"] == 2).sum()),
        caregivers=len(s.caregiver_modules),
        migrants=int(syn.population.migrants["hh"].isin(resp).sum()),
        defects=len(manifest), submissions=submissions,
        population_households=len(syn.population.households),
        population_persons=len(persons),
        defects_by_type=dict(sorted(Counter(manifest["defect_type"]).items())),
        pii={k: frozenset(v) for k, v in syn.pii.items()}, export_format=export_format,
    )


def pii_values_from_export(xlsx: Path) -> frozenset[str]:
    """The names, phone numbers and GPS values found in a synthetic Kobo export.

    Lets a privacy test check the bundled sample without regenerating it: every value returned
    here must be absent from all pipeline outputs beyond the raw layer.
    """
    wb = load_workbook(xlsx, read_only=True)
    found: set[str] = set()
    for ws in wb.worksheets:
        rows = ws.iter_rows(values_only=True)
        header = [str(h) for h in next(rows)]
        keep = [i for i, h in enumerate(header)
                if h.rsplit("/", 1)[-1] in PII_FIELDS or h.endswith(("_gps_latitude",
                                                                     "_gps_longitude"))]
        for row in rows:
            found.update(str(row[i]) for i in keep if row[i] not in (None, ""))
    wb.close()
    return frozenset(found)


