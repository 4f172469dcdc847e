"""Reading a portfolio workbook (``.xlsx``) by its real content, within limits.

Before calamine reads a sheet it allocates the whole rectangle from A1 to the farthest
cell in use: one value in ``XFD1048576`` would take 512 GiB. So the parts of the
workbook that will be read are first unpacked as a stream, counting the bytes that come
out (never trusting the sizes the zip declares) and scanning each table's sheet for the
rows and columns its cells use (never trusting its ``<dimension>`` tag). A workbook past
a limit of :mod:`socialkit._limits` is refused with the sheet and cell at fault.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from ._limits import MAX_CELLS, MAX_COLUMNS, MAX_ROWS, MAX_UNPACKED_BYTES
from .errors import PortfolioReadError
from .readers import _finish, _shown, check_header, column_letter, drop_blank_headed
from .schema import TABLE_ORDER

__all__ = ["read_workbook"]

_CHUNK = 1 << 20
_MIB = 1024 * 1024
#: Parts calamine never reads for a portfolio's tables: not counted against the limit.
_NOT_READ = (
    "xl/worksheets/",
    "xl/chartsheets/",
    "xl/drawings/",
    "xl/charts/",
    "xl/pivotCache/",
    "xl/pivotTables/",
    "xl/externalLinks/",
    "xl/media/",
    "customXml/",
)
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"

# The fast scans read cells as Excel, LibreOffice and openpyxl write them: <c r="B7" ...>,
# row after row. Anything else (no r, r not first, a namespace prefix, an odd reference)
# sends the sheet to the exact scan, which follows the XML tag by tag.
# a cell with a value: not self-closing (<c r="B7" s="1"/> is formatting only)
_VALUE_COLUMNS = re.compile(rb'<c r="([A-Z]{1,3})[0-9]+"[^>]*(?<!/)>')
_VALUE_ROWS = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"[^>]*(?<!/)>')
_VALUE_REST = rb'"[^>]*(?<!/)>'  # the rest of a value cell's tag, after its reference
_REF_AT = re.compile(rb'([A-Z])([1-9][0-9]{0,6})"')
_IRREGULAR = re.compile(rb'<c(?:/?>|\s(?!r="[A-Z]{1,3}[1-9][0-9]{0,6}"))')
_NARROW = re.compile(rb'<c(?:/?>|\s(?!r="[A-Z][1-9][0-9]{0,6}"))')  # one letter only
_PREFIXED = re.compile(rb":c[\s>/]")  # <x:c ...>: a namespace prefix
_TAG = re.compile(rb"<(/?)(?:[\w.-]+:)?(row|c)\b([^>]*)>")
_R_ATTR = re.compile(rb"""\br\s*=\s*["']([^"']*)["']""")
_REF = re.compile(rb"([A-Za-z]{1,4})([0-9]{1,9})$")


@dataclass(frozen=True)
class _Sheet:
    name: str
    part: str
    state: str  # visible, hidden, veryHidden
    kind: str  # worksheet, chartsheet, dialogsheet, macrosheet...


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


def _column_index(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _greater_than(n: int) -> bytes:
    """A regex matching decimal numbers greater than ``n`` (≥ 0), without leading zeros."""
    s = str(n)
    branches = [rb"[1-9][0-9]{%d,}" % len(s)]
    for i, ch in enumerate(s):
        if ch != "9":
            rest = len(s) - i - 1
            branches.append(s[:i].encode() + b"[%d-9][0-9]{%d}" % (int(ch) + 1, rest))
    return b"(?:" + b"|".join(branches) + b")"


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
    if info.file_size > 16 * _MIB:
        raise PortfolioReadError(
            f"{name}: the part {part!r} declares {info.file_size:,} bytes; a workbook's "
            "own description is never that large",
            file=name,
        )
    with zf.open(info) as fh:  # zipfile never gives more than the size declared
        return ElementTree.fromstring(fh.read())


def _targets(zf: zipfile.ZipFile, rels_part: str, base: str, name: str) -> dict[str, tuple]:
    root = _small_part(zf, rels_part, name)
    out = {}
    for rel in [] if root is None else root.iter(_REL):
        target = rel.get("Target", "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
        out[rel.get("Id", "")] = (posixpath.normpath(part), rel.get("Type", "").rsplit("/")[-1])
    return out


def _sheets(zf: zipfile.ZipFile, name: str) -> list[_Sheet]:
    office = [p for p, kind in _targets(zf, "_rels/.rels", "", name).values()]
    book = next((p for p in office if p.endswith(".xml") and "workbook" in p), "xl/workbook.xml")
    base = posixpath.dirname(book)
    rels = _targets(
        zf, posixpath.join(base, "_rels", posixpath.basename(book) + ".rels"), base, name
    )
    root = _small_part(zf, book, name)
    if root is None:
        raise PortfolioReadError(f"{name}: not an .xlsx workbook (no {book!r} part)", file=name)
    sheets = []
    for el in root.iter(f"{_MAIN}sheet"):
        part, kind = rels.get(el.get(_R_ID, ""), ("", "worksheet"))
        sheets.append(_Sheet(el.get("name", ""), part, el.get("state", "visible"), kind))
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


# --------------------------------------------------------------------------- limits
@dataclass
class _Extent:
    rows: int = 0
    columns: int = 0
    irregular: bool = False


def _too_far(where: str, ref: str, what: str, sheet: str, name: str) -> PortfolioReadError:
    return PortfolioReadError(
        f"{where}: cell {ref} is in use, past {what}; clear it (Excel: select the rows or "
        "columns beyond the table and delete them)",
        file=name,
        sheet=sheet,
        column=ref.rstrip("0123456789"),
        row=int(ref[len(ref.rstrip("0123456789")) :] or 0),
    )


def _too_many(
    where: str, far_row: tuple[int, str], far_col: tuple[int, str], sheet: str, name: str
) -> PortfolioReadError:
    area = f"A1:{column_letter(far_col[0] - 1)}{far_row[0]}"
    return PortfolioReadError(
        f"{where}: the cells in use span {area} ({far_row[0] * far_col[0]:,} cells: "
        f"last row at {far_row[1]}, last column at {far_col[1]}), past the "
        f"{MAX_CELLS:,} cells socialkit reads from a sheet; clear the cells beyond the table",
        file=name,
        sheet=sheet,
    )


_LIMIT_ROWS = f"the last row socialkit reads ({MAX_ROWS:,})"
_LIMIT_COLUMNS = (
    f"the last column socialkit reads ({column_letter(MAX_COLUMNS - 1)}, {MAX_COLUMNS:,})"
)


class _Unpacker:
    """Unpack parts as a stream, refusing the workbook once they pass the size limit."""

    def __init__(self, zf: zipfile.ZipFile, name: str) -> None:
        self.zf, self.name, self.total = zf, name, 0

    def chunks(self, part: str):
        try:
            with self.zf.open(part) as fh:
                while block := fh.read(_CHUNK):
                    self.total += len(block)
                    if self.total > MAX_UNPACKED_BYTES:
                        raise PortfolioReadError(
                            f"{self.name}: the part {part!r} unpacks to more than the "
                            f"{MAX_UNPACKED_BYTES // _MIB} MiB socialkit reads from a "
                            "workbook (a compression bomb, or far more than a portfolio)",
                            file=self.name,
                        )
                    yield block
        except PortfolioReadError:
            raise
        except Exception as exc:  # bad CRC, truncated data, unknown compression...
            raise PortfolioReadError(
                f"{self.name}: not a readable .xlsx workbook (part {part!r}: {exc})",
                file=self.name,
            ) from None

    def count(self, part: str) -> None:
        for _ in self.chunks(part):
            pass

    def tags(self, part: str):
        """Complete chunks of XML: a tag cut by a chunk boundary goes to the next one."""
        tail = b""
        for block in self.chunks(part):
            buf = tail + block
            cut = buf.rfind(b"<")
            if cut >= 0 and buf.find(b">", cut) < 0:
                buf, tail = buf[:cut], buf[cut:]
                if len(tail) > _CHUNK:
                    raise PortfolioReadError(
                        f"{self.name}: not a readable .xlsx workbook (part {part!r} holds "
                        "a tag of over 1 MiB)",
                        file=self.name,
                    )
            else:
                tail = b""
            yield buf
        yield tail

    def fast_extent(self, part: str) -> _Extent:
        """The extent of a sheet written as Excel writes one, in one cheap pass.

        Cells come row by row, so the last cell of each chunk holds the last row so far;
        one search per chunk finds any cell beyond it, in a column past Z, or written
        otherwise. Then the wide scan (columns past Z) or the exact one decides.
        """
        last_row, flagged, start = 0, False, self.total
        for chunk in self.tags(part):
            at = chunk.rfind(b'<c r="')
            if at >= 0:
                ref = _REF_AT.match(chunk, at + 6)
                if ref is None:
                    flagged = True
                    break
                last_row = max(last_row, int(ref.group(2)))
            beyond = re.compile(b'<c r="[A-Z]' + _greater_than(last_row) + b'"')
            if _NARROW.search(chunk) or _PREFIXED.search(chunk) or beyond.search(chunk):
                flagged = True
            if flagged:
                break
        if flagged:
            self.total = start  # the scan that follows unpacks the part again: count it once
            return _Extent(irregular=True)
        return _Extent(rows=last_row, columns=26 if last_row else 0)

    def wide_check(self, part: str, where: str, sheet: str) -> bool:
        """Check a sheet whose cells all say where they are (``<c r="AB7"``), value cells
        only; refuse the first cell past a limit. False: the exact scan must decide."""
        columns = rows = 0
        far_col = far_row = b""
        start = self.total
        for chunk in self.tags(part):
            if _IRREGULAR.search(chunk) or _PREFIXED.search(chunk):
                self.total = start
                return False
            letters = set(_VALUE_COLUMNS.findall(chunk))
            if letters:
                widest = max(letters, key=_column_index)
                if _column_index(widest) > columns:
                    columns = _column_index(widest)
                    far_col = re.search(b'<c r="(' + widest + b"[0-9]+)" + _VALUE_REST, chunk)[1]
                    if columns > MAX_COLUMNS:  # name the first such cell in the sheet
                        past = b"|".join(c for c in letters if _column_index(c) > MAX_COLUMNS)
                        first = re.search(b'<c r="((?:' + past + b")[0-9]+)" + _VALUE_REST, chunk)
                        raise _too_far(where, first[1].decode(), _LIMIT_COLUMNS, sheet, self.name)
            numbers = set(_VALUE_ROWS.findall(chunk))
            if numbers:
                lowest = max(numbers, key=int)
                if int(lowest) > rows:
                    rows = int(lowest)
                    far_row = re.search(b'<c r="([A-Z]{1,3}' + lowest + b")" + _VALUE_REST, chunk)[
                        1
                    ]
                    if rows > MAX_ROWS:
                        raise _too_far(where, far_row.decode(), _LIMIT_ROWS, sheet, self.name)
        if rows * columns > MAX_CELLS:
            raise _too_many(
                where, (rows, far_row.decode()), (columns, far_col.decode()), sheet, self.name
            )
        return True

    def exact_check(self, part: str, where: str, sheet: str) -> None:
        """Follow the sheet tag by tag; refuse the first cell with a value past a limit."""
        row = col = 0
        far_row = far_col = (0, "")
        for chunk in self.tags(part):
            for m in _TAG.finditer(chunk):
                closing, tag, attrs = m.groups()
                if closing:
                    continue
                r = _R_ATTR.search(attrs)
                if tag == b"row":
                    row = int(r.group(1)) if r and r.group(1).isdigit() else row + 1
                    col = 0
                    continue
                if r:
                    ref = _REF.match(r.group(1).strip())
                    if ref is None:
                        raise PortfolioReadError(
                            f"{where}: not a readable sheet (cell reference "
                            f"{r.group(1).decode(errors='replace')!r})",
                            file=self.name,
                            sheet=sheet,
                        )
                    col, row = _column_index(ref.group(1)), int(ref.group(2))
                else:
                    col += 1
                if attrs.rstrip().endswith(b"/"):
                    continue  # an empty cell (formatting only): calamine skips it
                here = f"{column_letter(col - 1)}{row}"
                if col > MAX_COLUMNS:
                    raise _too_far(where, here, _LIMIT_COLUMNS, sheet, self.name)
                if row > MAX_ROWS:
                    raise _too_far(where, here, _LIMIT_ROWS, sheet, self.name)
                far_row = max(far_row, (row, here))
                far_col = max(far_col, (col, here))
        if far_row[0] * far_col[0] > MAX_CELLS:
            raise _too_many(where, far_row, far_col, sheet, self.name)


def _check_limits(zf: zipfile.ZipFile, name: str, tables: dict[str, _Sheet]) -> None:
    parts = {s.part for s in tables.values()}
    read = [
        i
        for i in zf.infolist()
        if i.filename in parts
        or (i.filename.lower().endswith((".xml", ".rels")) and not i.filename.startswith(_NOT_READ))
    ]
    declared = sum(i.file_size for i in read)
    if declared > MAX_UNPACKED_BYTES:
        big = max(read, key=lambda i: i.file_size)
        raise PortfolioReadError(
            f"{name}: its parts declare {declared:,} bytes unpacked ({big.filename!r}: "
            f"{big.file_size:,}), past the {MAX_UNPACKED_BYTES // _MIB} MiB socialkit reads "
            "from a workbook",
            file=name,
        )
    unpacker = _Unpacker(zf, name)
    for info in read:
        if info.filename not in parts:
            unpacker.count(info.filename)
    for sheet in tables.values():
        if not sheet.part or sheet.part not in zf.NameToInfo:
            raise PortfolioReadError(
                f"{name}: not a readable .xlsx workbook (sheet {sheet.name!r} has no part)",
                file=name,
                sheet=sheet.name,
            )
        where = f"{name}, sheet {sheet.name!r}"
        before = unpacker.total
        extent = unpacker.fast_extent(sheet.part)
        if not extent.irregular and extent.rows * extent.columns <= MAX_CELLS:
            continue  # rows ≤ 384,615 with columns ≤ 26: every limit kept
        unpacker.total = before  # the part counts once, not twice
        if not unpacker.wide_check(sheet.part, where, sheet.name):
            unpacker.exact_check(sheet.part, where, sheet.name)


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
            value = _shown(str(_cell_text(grid.iat[i, j])))
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
    return _finish(drop_blank_headed(grid, header, where, cell="cell {letter}1"))


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
        :mod:`socialkit._limits` is passed.
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
        _check_limits(zf, name, tables)
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
