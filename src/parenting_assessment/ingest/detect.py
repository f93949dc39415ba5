"""Detect an export's format from its content, never from its file name."""

from __future__ import annotations

import zipfile
from pathlib import Path

from parenting_assessment.ingest.errors import IngestError

MAX_UNCOMPRESSED = 2 * 1024**3  # a zip that claims more than this is refused (zip bomb)


def detect_format(path: Path) -> str:
    """Return one of 'kobo_xlsx', 'odk_zip', 'csv', 'spss_sav', 'stata_dta'."""
    size = path.stat().st_size
    if size == 0:
        raise IngestError(path, "the file is empty")
    with open(path, "rb") as f:
        head = f.read(4096)
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path)
    if head.startswith((b"$FL2", b"$FL3")):
        return "spss_sav"
    if head.startswith(b"<stata_dta>") or (
            head[:1] in (b"\x71", b"\x72", b"\x73") and head[1:4] in (b"\x01\x01\x00", b"\x02\x01\x00")):
        return "stata_dta"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise IngestError(path, "an old binary .xls workbook; export XLSX from KoboToolbox instead")
    if b"\x00" in head:
        raise IngestError(path, "not a survey export (binary content of an unknown kind)")
    return "csv"


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise IngestError(path, f"a damaged or truncated zip/XLSX file ({exc})") from exc
    if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED:
        raise IngestError(path, "refused: the archive would expand to more than 2 GiB")
    names = [i.filename for i in infos]
    if "xl/workbook.xml" in names:
        return "kobo_xlsx"
    if any(n.lower().endswith(".csv") for n in names):
        return "odk_zip"
    raise IngestError(path, "a zip file that holds neither an XLSX workbook nor CSV exports")
