"""What the desk receives: a file's bytes and name, or a table pasted from a spreadsheet,
within a size limit; and the same bytes as a file the readers of `mapserver add` open."""

from __future__ import annotations

import io
import math
import re
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import DataError
from ..ingest.formats.spreadsheet import SUFFIXES as SPREADSHEETS

# Names the readers know by their suffix (text.py reads any other name as CSV text).
TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".gz", ".xz", ".bz2")
PASTED = "pasted.tsv"
MEGABYTE = 1_000_000
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an old Excel (.xls) workbook
_ODS = b"application/vnd.oasis.opendocument.spreadsheet"
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


@dataclass(frozen=True)
class Upload:
    """A file as the desk receives it: its bytes and the name it was chosen under."""

    content: bytes
    filename: str
    pasted: bool = False

    @property
    def name(self) -> str:
        """The file's name as messages and the log give it: no folders, no odd characters,
        and the suffix the readers go by (sniffed from the bytes when it has none)."""
        base = _UNSAFE.sub("-", Path(self.filename.replace("\\", "/")).name).strip(" .-")
        base = base or "upload"
        suffix = Path(base).suffix.lower()
        if suffix in SPREADSHEETS or suffix in TEXT_SUFFIXES:
            return base
        return base + sniffed_suffix(self.content)


def pasted(text: str) -> Upload:
    """A table copied from a spreadsheet and pasted: tab-separated, perhaps with Windows
    line ends and an empty last line, which are not rows."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    return Upload(("\n".join(lines) + "\n").encode("utf-8"), PASTED, pasted=True)


def sniffed_suffix(content: bytes) -> str:
    """`.xlsx`, `.ods` or `.xls` for a workbook's bytes; `.csv` for anything else."""
    if content.startswith(_OLE):
        return ".xls"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
                if "mimetype" in names and archive.read("mimetype").strip() == _ODS:
                    return ".ods"
                if "xl/workbook.xml" in names:
                    return ".xlsx"
        except zipfile.BadZipFile:
            pass
    return ".csv"


def check_size(upload: Upload, limit_mb: float) -> None:
    """Refuse an upload over the limit, in one line saying both sizes."""
    size = len(upload.content)
    if size > limit_mb * MEGABYTE:
        what = "The pasted table" if upload.pasted else "The file"
        # Rounded up, so that a file just over the limit never reads as at it.
        shown = math.ceil(size / MEGABYTE * 10) / 10
        raise DataError(f"{what} is {shown:,.1f} MB; the limit is {limit_mb:g} MB.")


@contextmanager
def as_file(upload: Upload) -> Iterator[Path]:
    """The upload written to a file of its name in a private temporary folder (removed
    after), for the readers, which open files by path and name them in messages."""
    with tempfile.TemporaryDirectory(prefix="mapserver-upload-") as folder:
        path = Path(folder) / upload.name
        path.write_bytes(upload.content)
        yield path
