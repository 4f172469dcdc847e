"""Scanning a workbook's parts before they are read: real extent, real unpacked size.

Before calamine reads a sheet it allocates the whole rectangle from A1 to the farthest
cell in use: one value in ``XFD1048576`` would take 512 GiB. So the parts that will be
read are first unpacked as a stream, counting the bytes that come out (never trusting
the sizes the zip declares), and each table's sheet is scanned for the rows and columns
its cells use (never trusting its ``<dimension>`` tag). A sheet past a limit of
:mod:`socialkit.contract.limits` is refused with the cell at fault.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

from socialkit.contract.headers import column_letter
from socialkit.contract.limits import MAX_CELLS, MAX_COLUMNS, MAX_ROWS, MAX_UNPACKED_BYTES
from socialkit.errors import PortfolioReadError

__all__ = ["NOT_READ", "check_limits"]

_CHUNK = 1 << 20
_MIB = 1024 * 1024
#: Parts calamine never reads for a portfolio's tables: not counted against the limit.
NOT_READ = (
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

    def chunks(self, part: str) -> Iterator[bytes]:
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

    def tags(self, part: str) -> Iterator[bytes]:
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


class _Sheet(Protocol):
    name: str
    part: str
    others: tuple[str, ...]


def check_limits(zf: zipfile.ZipFile, name: str, tables: Mapping[str, _Sheet]) -> None:
    """Refuse a workbook whose parts to read unpack past the limit, or whose tables'
    sheets use cells past a limit; the message names the part or the cell."""
    parts = {p for s in tables.values() for p in (s.part, *s.others)}
    read = [
        i
        for i in zf.infolist()
        if i.filename in parts
        or (i.filename.lower().endswith((".xml", ".rels")) and not i.filename.startswith(NOT_READ))
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
        for part in dict.fromkeys((sheet.part, *sheet.others)):
            if part not in zf.NameToInfo:
                continue  # named by an id calamine may not follow: nothing to read there
            before = unpacker.total
            extent = unpacker.fast_extent(part)
            if not extent.irregular and extent.rows * extent.columns <= MAX_CELLS:
                continue  # rows ≤ 384,615 with columns ≤ 26: every limit kept
            unpacker.total = before  # the part counts once, not twice
            if not unpacker.wide_check(part, where, sheet.name):
                unpacker.exact_check(part, where, sheet.name)
