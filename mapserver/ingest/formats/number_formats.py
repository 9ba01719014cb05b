"""Which cells of a spreadsheet are formatted as percentages.

A spreadsheet keeps 12.3% as 0.123 with a percent number format; the cell reader gives
the number only, so the format is read here from the file's own XML (the standard
library's zipfile and ElementTree): an .xlsx's styles and sheet, an .ods's content.
Only the one sheet read is looked at, and not at all when no style is a percentage.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
DOC_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
# Excel's built-in number formats 9 ("0%") and 10 ("0.00%").
BUILTIN_PERCENT = {9, 10}
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_CELL = re.compile(r"([A-Z]+)(\d+)")


def percent_cells(path: Path, sheet: str) -> set[tuple[int, int]]:
    """(row, column), from 0, of the sheet's cells with a percent format; empty if none
    or if the file is of a kind (.xls) whose formats are not read here."""
    suffix = path.suffix.lower()
    try:
        with zipfile.ZipFile(path) as archive:
            if suffix in (".xlsx", ".xlsm"):
                return _xlsx(archive, sheet)
            if suffix == ".ods":
                return _ods(archive, sheet)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError):
        return set()  # the values are read all the same; only their format is unknown
    return set()


def is_percent_format(code: str) -> bool:
    """Whether an Excel number format code shows its number as a percentage."""
    return "%" in _QUOTED.sub("", code)


def _xlsx(archive: zipfile.ZipFile, sheet: str) -> set[tuple[int, int]]:
    styles = _percent_styles(archive)
    if not styles:
        return set()
    target = _sheet_part(archive, sheet)
    found = set()
    for _, element in ElementTree.iterparse(archive.open(target)):
        if element.tag == f"{MAIN}c":
            style = element.get("s")
            kind = element.get("t", "n")
            valued = element.find(f"{MAIN}v") is not None
            if style is not None and int(style) in styles and kind == "n" and valued:
                cell = _CELL.fullmatch(element.get("r", ""))
                if cell:
                    found.add((int(cell[2]) - 1, _column_number(cell[1])))
        elif element.tag == f"{MAIN}row":
            element.clear()
    return found


def _percent_styles(archive: zipfile.ZipFile) -> set[int]:
    """Indices of the cell formats (cellXfs) whose number format is a percentage."""
    root = ElementTree.fromstring(archive.read("xl/styles.xml"))
    custom = {
        int(item.get("numFmtId")): item.get("formatCode", "") for item in root.iter(f"{MAIN}numFmt")
    }
    percent = {n for n, code in custom.items() if is_percent_format(code)} | BUILTIN_PERCENT
    formats = root.find(f"{MAIN}cellXfs")
    if formats is None:
        return set()
    return {
        index
        for index, item in enumerate(formats.iter(f"{MAIN}xf"))
        if int(item.get("numFmtId", "0")) in percent
    }


def _sheet_part(archive: zipfile.ZipFile, sheet: str) -> str:
    """The zip member holding a sheet, through the workbook's relationships."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    ids = {item.get("name"): item.get(f"{DOC_RELS}id") for item in workbook.iter(f"{MAIN}sheet")}
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {item.get("Id"): item.get("Target", "") for item in rels.iter(f"{RELS}Relationship")}
    target = targets[ids[sheet]]
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join("xl", target))


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number - 1


def _ods(archive: zipfile.ZipFile, sheet: str) -> set[tuple[int, int]]:
    content = archive.read("content.xml")
    if b'value-type="percentage"' not in content:
        return set()
    root = ElementTree.fromstring(content)
    for table in root.iter(f"{TABLE}table"):
        if table.get(f"{TABLE}name") == sheet:
            return _ods_cells(table)
    return set()


def _ods_cells(table: ElementTree.Element) -> set[tuple[int, int]]:
    found, row = set(), 0
    for element in table.iter(f"{TABLE}table-row"):
        rows = int(element.get(f"{TABLE}number-rows-repeated", "1"))
        column = 0
        for cell in element:
            if cell.tag not in (f"{TABLE}table-cell", f"{TABLE}covered-table-cell"):
                continue
            columns = int(cell.get(f"{TABLE}number-columns-repeated", "1"))
            if cell.get(f"{OFFICE}value-type") == "percentage":
                found.update(
                    (row + r, column + c) for r in range(min(rows, 1000)) for c in range(columns)
                )
            column += columns
        row += rows
    return found
