"""Reading a portfolio workbook (``.xlsx``) by its real content, within limits.

First what is not a workbook is told apart (a CSV file, an old ``.xls``, a
password-protected file), then each table's sheet is found (two sheets for one table, a
chart sheet, a hidden sheet are said), then :mod:`socialkit.contract.xlsx_scan` checks the parts
against the limits of :mod:`socialkit.contract.limits`, and only then calamine reads the sheets,
whose grids become tables of text with their headers checked.
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from socialkit.contract.headers import (
    check_header,
    column_letter,
    drop_blank_headed,
    finish_table,
    shown_value,
)
from socialkit.contract.schema import TABLE_ORDER
from socialkit.contract.xlsx_scan import check_limits
from socialkit.errors import PortfolioReadError

__all__ = ["read_workbook"]

_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
#: Bytes a workbook's own description (workbook.xml, its relationships) may declare.
_DESCRIPTION_BYTES = 16 * 1024 * 1024
#: The workbook part calamine reads, whatever the package's relationships say.
_BOOK = "xl/workbook.xml"


@dataclass(frozen=True)
class _Sheet:
    name: str
    part: str
    state: str  # visible, hidden, veryHidden
    kind: str  # worksheet, chartsheet, dialogsheet, macrosheet...
    others: tuple[str, ...] = ()  # parts other id attributes of its <sheet> name


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


# --------------------------------------------------------------------------- not a workbook
def _refuse_not_a_workbook(path: Path) -> None:
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise PortfolioReadError(
            f"{path.name}: cannot be read ({exc.strerror or exc})", file=path.name
        ) from None
    if head.startswith(b"PK"):
        return
    name = path.name
    if not head:
        raise PortfolioReadError(
            f"{name}: the file is empty; expected an .xlsx workbook", file=name
        )
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # an OLE compound file
        data = path.read_bytes()
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise PortfolioReadError(
                f"{name}: the workbook is protected by a password; save a copy without "
                "one (File > Info > Protect Workbook > Encrypt with Password, cleared)",
                file=name,
            )
        raise PortfolioReadError(
            f"{name}: is an Excel 97-2003 workbook (.xls) under an .xlsx name; save it as "
            "'Excel Workbook (.xlsx)'",
            file=name,
        )
    try:
        head.decode("utf-8")
        is_text = b"\x00" not in head
    except UnicodeDecodeError as exc:
        is_text = exc.start > len(head) - 4  # a character cut by the 4096-byte read
    if is_text:
        raise PortfolioReadError(
            f"{name}: is a text file (CSV?) under an .xlsx name, not a workbook; give "
            "socialkit a folder of CSV files, or save the table as 'Excel Workbook (.xlsx)'",
            file=name,
        )
    raise PortfolioReadError(f"{name}: not an .xlsx workbook (not a zip archive)", file=name)


# --------------------------------------------------------------------------- structure
def _small_part(zf: zipfile.ZipFile, part: str, name: str) -> ElementTree.Element | None:
    try:
        info = zf.getinfo(part)
    except KeyError:
        return None
    if info.file_size > _DESCRIPTION_BYTES:
        raise PortfolioReadError(
            f"{name}: the part {part!r} declares {info.file_size:,} bytes; a workbook's "
            "own description is never that large",
            file=name,
        )
    with zf.open(info) as fh:  # zipfile never gives more than the size declared
        return ElementTree.fromstring(fh.read())


def _targets(zf: zipfile.ZipFile, rels_part: str, name: str) -> dict[str, tuple]:
    """Each relationship's part, named as the reader of the sheets resolves it: a target
    is taken under ``xl/`` (a leading ``/`` dropped), never normalised."""
    root = _small_part(zf, rels_part, name)
    out = {}
    for rel in [] if root is None else root.iter(_REL):
        target = rel.get("Target", "")
        part = target[1:] if target.startswith("/") else target
        part = part if part.startswith("xl/") else "xl/" + part
        out[rel.get("Id", "")] = (part, rel.get("Type", "").rsplit("/")[-1])
    return out


def _sheets(zf: zipfile.ZipFile, name: str) -> list[_Sheet]:
    """The sheets calamine will read: it always reads ``xl/workbook.xml`` and its
    relationships, so a package whose main part is another one is refused."""
    office = _small_part(zf, "_rels/.rels", name)
    for rel in [] if office is None else office.iter(_REL):
        if rel.get("Type", "").endswith("/officeDocument"):
            main = rel.get("Target", "").lstrip("/")
            if posixpath.normpath(main) != _BOOK:
                raise PortfolioReadError(
                    f"{name}: not a readable .xlsx workbook (its main part is {main!r}, "
                    f"socialkit reads {_BOOK!r}); open it in Excel and save it again",
                    file=name,
                )
    rels = _targets(zf, "xl/_rels/workbook.xml.rels", name)
    root = _small_part(zf, _BOOK, name)
    if root is None:
        raise PortfolioReadError(f"{name}: not an .xlsx workbook (no {_BOOK!r} part)", file=name)
    sheets = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag.rsplit("}", 1)[-1] != "sheet":
            continue  # any <sheet> calamine may find, whatever its namespace
        ids = [v for k, v in el.attrib.items() if k.rsplit("}", 1)[-1] == "id"]
        part, kind = rels.get(el.get(_R_ID, ""), ("", "worksheet"))
        # every part an id attribute may name, whatever its prefix: all are scanned
        others = tuple(rels[i][0] for i in ids if i in rels and rels[i][0] != part)
        sheets.append(_Sheet(el.get("name", ""), part, el.get("state", "visible"), kind, others))
    return sheets


def _table_sheets(sheets: list[_Sheet], name: str, notices: list[str]) -> dict[str, _Sheet]:
    """The sheet of each table: two sheets for one table, or a chart sheet, are refused."""
    by_table: dict[str, list[_Sheet]] = {}
    for sheet in sheets:
        key = sheet.name.strip().lower()
        if key in TABLE_ORDER:
            by_table.setdefault(key, []).append(sheet)
    out = {}
    for table, found in by_table.items():
        if len(found) > 1:
            shown = " and ".join(
                repr(s.name) + ("" if s.state == "visible" else f" ({s.state})") for s in found
            )
            raise PortfolioReadError(
                f"{name}: sheets {shown} both hold the {table} table; delete or rename one",
                file=name,
                sheet=found[0].name,
            )
        sheet = found[0]
        if sheet.kind != "worksheet":
            raise PortfolioReadError(
                f"{name}, sheet {sheet.name!r}: is a {sheet.kind}, not a table of cells; "
                f"the {table} table needs a worksheet",
                file=name,
                sheet=sheet.name,
            )
        if sheet.state != "visible":
            what = "very hidden" if sheet.state == "veryHidden" else "hidden"
            notices.append(
                f"{name}: the {table} table is read from sheet {sheet.name!r}, which is {what}"
            )
        out[table] = sheet
    return out


# --------------------------------------------------------------------------- frames
def _frame(rows: list[list[object]], name: str, sheet: str) -> pd.DataFrame:
    """The table of a sheet's grid (row 1 the header), its cells as text."""
    where = f"{name}, sheet {sheet!r}"
    if not rows:
        return pd.DataFrame(dtype="str")
    header = [_cell_text(v) or "" for v in rows[0]]
    while header and not header[-1].strip():
        header.pop()
    width = len(header)
    check_header(header, where, cell="cell {letter}1")
    grid = pd.DataFrame(rows[1:], dtype="object")
    del rows
    grid.index = pd.RangeIndex(2, 2 + len(grid))
    if grid.shape[1] > width:
        beyond = grid.iloc[:, width:]
        filled = (beyond.notna() & beyond.ne("")).to_numpy()
        if filled.any():
            i = int(np.flatnonzero(filled.any(axis=1))[0])
            j = width + int(np.flatnonzero(filled[i])[0])
            ref = f"{column_letter(j)}{i + 2}"
            value = shown_value(str(_cell_text(grid.iat[i, j])))
            if width:
                problem = (
                    f"cell {ref} holds {value}, right of the last header (the last named "
                    f"column is column {column_letter(width - 1)}); give its column a name "
                    "in row 1 or clear it"
                )
            else:
                problem = (
                    f"row 1, the header, is empty, yet cell {ref} holds {value}; expected "
                    "the column names in row 1"
                )
            raise PortfolioReadError(
                f"{where}: {problem}",
                file=name,
                sheet=sheet,
                row=i + 2,
                column=column_letter(j),
            )
        grid = grid.iloc[:, :width]
    for j in range(grid.shape[1]):
        column = grid.iloc[:, j]
        if pd.api.types.infer_dtype(column, skipna=False) != "string":
            grid.isetitem(j, column.map(_cell_text))
    grid = grid.reindex(columns=range(width)).replace("", None)
    return finish_table(drop_blank_headed(grid, header, where, cell="cell {letter}1"))


def _unreadable(name: str, exc: Exception) -> PortfolioReadError:
    return PortfolioReadError(f"{name}: not a readable .xlsx workbook ({exc})", file=name)


def read_workbook(path: Path, notices: list[str]) -> dict[str, pd.DataFrame]:
    """Read the portfolio tables of an ``.xlsx`` workbook, as text.

    Parameters
    ----------
    path : pathlib.Path
        The workbook.
    notices : list of str
        Remarks for the user (a table read from a hidden sheet) are appended here.

    Returns
    -------
    dict of str to pandas.DataFrame
        One table per sheet named like a table (case and outer spaces aside).

    Raises
    ------
    PortfolioReadError
        If the file is not a readable workbook, two sheets hold one table, or a limit of
        :mod:`socialkit.contract.limits` is passed.
    """
    # calamine (Rust) reads a large workbook about ten times faster than openpyxl; it
    # returns cached formula results and decodes Excel's _xHHHH_ escapes itself
    from python_calamine import CalamineWorkbook

    name = path.name
    _refuse_not_a_workbook(path)
    try:
        zf = zipfile.ZipFile(path)
    except Exception as exc:  # not a zip, an unknown zip version, an unreadable file...
        raise PortfolioReadError(
            f"{name}: not a readable .xlsx workbook ({exc})", file=name
        ) from None
    with zf:
        try:
            sheets = _sheets(zf, name)
        except PortfolioReadError:
            raise
        except Exception as exc:  # bad XML, bad CRC, an unknown compression method...
            raise PortfolioReadError(
                f"{name}: not a readable .xlsx workbook ({exc})", file=name
            ) from None
        tables = _table_sheets(sheets, name, notices)
        check_limits(zf, name, tables)
    grids = {}
    try:
        wb = CalamineWorkbook.from_path(str(path))
        for table in TABLE_ORDER:
            if table in tables:
                sheet = wb.get_sheet_by_name(tables[table].name)
                grids[table] = sheet.to_python(skip_empty_area=False)
        wb.close()
    except Exception as exc:  # damaged zip, bad XML, password: all one message
        raise PortfolioReadError(
            f"{name}: not a readable .xlsx workbook ({exc})", file=name
        ) from None
    out = {}
    for table in list(grids):
        sheet = tables[table].name
        out[table] = _frame(grids.pop(table), name, sheet)
    return out
