"""Detect an export's format from its content, never from its file name.

Landed files are stored under their sha256 and users rename downloads, so the name says
nothing. Magic bytes decide for zip/XLSX, SPSS and Stata; for text the header row does (Kobo
``_uuid``/``_index``, ODK ``KEY``/``SubmissionDate``, legacy ``meta/instanceID`` and ``[n]/``
columns). Decoding and CSV parsing live here too, because every CSV reader needs exactly what
detection worked out (encoding, delimiter, line numbers) and must refuse the same broken files.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from parenting_assessment.ingest.errors import IngestError

MAX_UNCOMPRESSED = 2 * 1024**3  # a zip that claims more than this is refused (zip bomb)
MAX_RATIO = 200  # a member expanding more than 200x ...
RATIO_FLOOR = 1 << 20  # ... to more than 1 MiB is a zip bomb, not a CSV
HEAD = 1 << 16
DELIMITERS = (",", ";", "\t", "|")
KEYS = ("_uuid", "_index", "meta/rootUuid", "meta/instanceID", "KEY")
LEGACY_INDEX = re.compile(r"\[\d+\]/")
XML_HEADER = re.compile(r"^[\w.\-:/\[\]]+$")
NOT_EXPORTS = {
    b"%PDF": "a PDF document", b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image", b"\x1f\x8b": "a gzip archive", b"7z\xbc\xaf": "a 7-Zip archive",
    b"Rar!": "a RAR archive", b"{\\rtf": "an RTF document",
}
STATA_OLD = (b"\x71", b"\x72", b"\x73")  # releases 113-115: version byte, then byte order

FORMAT_NAMES = {
    "kobo_xlsx": "KoboToolbox XLSX", "kobo_xlsx_labels": "KoboToolbox XLSX (label headers)",
    "kobo_csv": "KoboToolbox CSV", "kobo_legacy_csv": "KoboToolbox legacy CSV",
    "odk_zip": "ODK Central CSV zip", "odk_csv": "ODK Central CSV (root table only)",
    "spss_sav": "SPSS .sav", "stata_dta": "Stata .dta",
}
EXPECTED_DELIMITER = {"kobo_csv": ";", "kobo_legacy_csv": ",", "odk_csv": ","}


@dataclass(frozen=True)
class Detected:
    """What a file is: the reader key, a name for people, and how to read its text."""

    format: str
    name: str
    encoding: str | None = None
    delimiter: str | None = None


def detect_format(path: Path) -> str:
    """Return the reader key of ``path`` (see FORMAT_NAMES)."""
    return detect(path).format


def detect(path: Path) -> Detected:
    """Tell the format from the content; raise IngestError for anything that is not an export."""
    path = Path(path)
    if path.stat().st_size == 0:
        raise IngestError(path, "the file is empty")
    with open(path, "rb") as f:
        head = f.read(HEAD)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(path, head)
    if head.startswith((b"$FL2", b"$FL3")):
        return Detected("spss_sav", FORMAT_NAMES["spss_sav"])
    if head.startswith(b"<stata_dta>") or (
            head[:1] in STATA_OLD and head[1:4] in (b"\x01\x01\x00", b"\x02\x01\x00")):
        return Detected("stata_dta", FORMAT_NAMES["stata_dta"])
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise IngestError(path, "an old binary .xls workbook; export XLSX from KoboToolbox instead")
    for magic, what in NOT_EXPORTS.items():
        if head.startswith(magic):
            raise IngestError(path, f"not a survey export: it is {what}")
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise IngestError(path, "not a survey export (binary content of an unknown kind)")
    if len(head) == HEAD and b"\n" in head:
        head = head[: head.rindex(b"\n")]  # never cut a multi-byte character in two
    text, encoding = decode(head)
    fmt, delimiter, label_mode = _text_kind(path, text)
    name = FORMAT_NAMES[fmt] + (" (label headers)" if label_mode else "")
    return Detected(fmt, name, encoding, delimiter)


def decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (BOM dropped), UTF-16 with a BOM, else cp1252 then latin-1 (Excel on Windows)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    bom = data.startswith(codecs.BOM_UTF8)
    data = data[3:] if bom else data
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding), "utf-8-sig" if bom and encoding == "utf-8" else encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def read_text(path: Path) -> str:
    """The whole file as text, decoded like ``decode``."""
    return decode(Path(path).read_bytes())[0]


def sniff_delimiter(text: str) -> str | None:
    """The delimiter that splits the header row into the most fields (None: one column)."""
    first = _first_record(text)
    best, fields = None, 1
    for d in DELIMITERS:
        n = len(next(csv.reader(io.StringIO(first, newline=""), delimiter=d), []))
        if n > fields:
            best, fields = d, n
    return best


def require_delimiter(path: Path, text: str, fmt: str) -> None:
    """A reader's own check (it may be called without ``detect``), with detect's message."""
    found, expected = sniff_delimiter(text), EXPECTED_DELIMITER[fmt]
    if found != expected:
        raise IngestError(path, (
            f"wrong delimiter: columns are separated by {_show(found)}, but a "
            f"{FORMAT_NAMES[fmt]} uses '{expected}'; the file was re-saved, e.g. in Excel - "
            "land the original download"))


def csv_table(path: Path, text: str, delimiter: str) -> tuple[pd.DataFrame, list[str]]:
    """Parse CSV text into an all-text frame plus the 1-based line where each record starts.

    A real CSV parser is needed: Kobo records end in CRLF but values may hold bare LFs.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip() for h in next(reader, [])]
    if not any(header):
        raise IngestError(path, "the file has no header row")
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise IngestError(path, f"the header names column '{dupes[0]}' twice; export again with "
                          "group names in headers")
    rows: list[list[str]] = []
    lines: list[str] = []
    start = reader.line_num + 1
    try:
        for rec in reader:
            if rec and any(rec):
                if len(rec) != len(header):
                    raise IngestError(path, f"line {start}: {len(rec)} fields, but the header has "
                                      f"{len(header)} (delimiter '{delimiter}')")
                rows.append(rec)
                lines.append(str(start))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise IngestError(path, f"line {start}: not valid CSV ({exc})") from exc
    return pd.DataFrame(rows, columns=header, dtype=object), lines


def check_archive(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse zip slip entries and zip bombs before any member is read."""
    total = 0
    for info in infos:
        name = info.filename
        parts = re.split(r"[\\/]", name)
        if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts:
            raise IngestError(path, f"refused: the archive entry '{name}' points outside the "
                              "archive (zip slip)")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise IngestError(path, f"refused: the archive entry '{name}' would expand {ratio:.0f} "
                              f"times to {info.file_size / 2**20:.0f} MiB (zip bomb)")
        total += info.file_size
    if total > MAX_UNCOMPRESSED:
        raise IngestError(path, f"refused: the archive would expand to {total / 2**30:.1f} GiB, "
                          "more than 2 GiB (zip bomb)")


def _zip_kind(path: Path, head: bytes) -> Detected:
    kind = "XLSX workbook" if b"[Content_Types].xml" in head or b"xl/" in head else "zip archive"
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise IngestError(path, f"a damaged or truncated {kind} ({exc})") from exc
    check_archive(path, infos)
    names = [i.filename for i in infos]
    if "xl/workbook.xml" in names:
        return _xlsx_kind(path)
    if any(n.lower().endswith(".csv") for n in names):
        return Detected("odk_zip", FORMAT_NAMES["odk_zip"], "utf-8", ",")
    raise IngestError(path, "a zip file that holds neither an XLSX workbook nor CSV exports")


def _xlsx_kind(path: Path) -> Detected:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
        sheets = list(wb.sheet_names)
        rows = wb.get_sheet_by_index(0).to_python(nrows=1) if sheets else []
    except Exception as exc:  # calamine raises its own types for broken zips and XML
        raise IngestError(path, f"not a readable XLSX workbook, possibly truncated ({exc})"
                          ) from exc
    if {"survey", "choices"} <= set(sheets):
        raise IngestError(path, "an XLSForm (the form definition), not a data export")
    header = [str(h).strip() for h in (rows[0] if rows else [])]
    if not set(header) & set(KEYS):
        first = sheets[0] if sheets else "?"
        raise IngestError(path, f"not a survey export: sheet '{first}' has none of the key "
                          f"columns {', '.join(KEYS[:3])}")
    fmt = "kobo_xlsx_labels" if looks_like_labels(header) else "kobo_xlsx"
    return Detected(fmt, FORMAT_NAMES[fmt])


def looks_like_labels(header: list[str]) -> bool:
    """Label-mode headers: at least a quarter of the answer headers are not XML names."""
    answers = [h for h in header if h and not h.startswith(("_", "meta/")) and h not in (
        "start", "end", "today", "deviceid")]
    odd = [h for h in answers if not XML_HEADER.match(h)]
    return bool(answers) and len(odd) * 4 >= len(answers)


def _first_record(text: str) -> str:
    """The header record: physical lines until the quotes balance (labels may hold newlines)."""
    record = ""
    for line in io.StringIO(text, newline=""):
        record += line
        if record.count('"') % 2 == 0:
            break
    return record


def _text_kind(path: Path, text: str) -> tuple[str, str | None, bool]:
    if not text.strip():
        raise IngestError(path, "the file is empty (only blank lines)")
    found = sniff_delimiter(text)
    first = _first_record(text)
    header = {h.strip() for h in next(csv.reader(io.StringIO(first, newline=""),
                                                 delimiter=found or ","), [])}
    fmt = _kind_of(header)
    if fmt is None:
        for d in DELIMITERS:  # names glued into one column: the file was re-saved
            glued = {h.strip().strip('"') for col in header for h in col.split(d)}
            fmt = _kind_of(glued)
            if fmt is not None and len(glued) > len(header):
                raise IngestError(path, (
                    f"wrong delimiter: the header is a single column holding '{d}'-separated "
                    f"names (found delimiter: {_show(found)}, expected '{d}' for a "
                    f"{FORMAT_NAMES[fmt]}); the file was re-saved, e.g. in Excel - land the "
                    "original download"))
        raise IngestError(path, (
            "not a survey export: the header has none of the key columns "
            f"{', '.join(KEYS)} (first columns: {', '.join(sorted(header)[:4]) or 'none'})"))
    if fmt == "odk_repeat":
        raise IngestError(path, "an ODK Central repeat table on its own (it has 'PARENT_KEY'); "
                          "land the whole submissions.csv.zip")
    require_delimiter(path, text, fmt)
    return fmt, found, fmt == "kobo_csv" and looks_like_labels(sorted(header))


def _kind_of(header: set[str]) -> str | None:
    if "KEY" in header and "PARENT_KEY" in header and "SubmissionDate" not in header:
        return "odk_repeat"
    if "KEY" in header and "SubmissionDate" in header:
        return "odk_csv"
    if "meta/instanceID" in header or any(LEGACY_INDEX.search(h) for h in header):
        return "kobo_legacy_csv"
    if header & {"_uuid", "_index", "meta/rootUuid"}:
        return "kobo_csv"
    return None


def _show(delimiter: str | None) -> str:
    return {None: "nothing (one column)", "\t": "tab"}.get(delimiter, f"'{delimiter}'")
