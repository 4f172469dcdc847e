"""Writing design portfolios: a CSV folder (all or nothing) or one ``.xlsx`` workbook.

Nothing the user had is lost:

- a workbook is written to a temporary file beside it and renamed into place;
- the tables of a CSV folder are staged beside their files and moved into place as one
  transaction (``socialkit.contract.transact``), so that a process killed at any instant leaves
  the old portfolio or the new one, never a mix, and a reader never sees a mix either;
- :func:`convert` refuses a destination holding anything it would not have written (a
  sheet or file of the user's), unless forced; into a folder it leaves exactly the
  source's tables;
- text a workbook cannot hold as it is (control characters, a carriage return) is
  written with Excel's own ``_xHHHH_`` escapes, which read back exactly; what a workbook
  cannot hold at all (a cell over 32,767 characters, U+FFFE, U+FFFF, a lone surrogate)
  is refused with its table, row and column. No text ever becomes a formula.

This module holds the writing half of :mod:`socialkit.contract.io`, which re-exports
:func:`write_tables` and :func:`convert`.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from socialkit.base.files import (
    atomic,
    dead_link,
    real_path,
    remove_stale_temps,
    temp_beside,
)
from socialkit.contract.destination import (
    ensure_empty,
    foreign_content,
    refuse_dead_links,
    refuse_foreign,
)
from socialkit.contract.io import load_portfolio, read_tables
from socialkit.contract.layout import TABLE_FILES, table_file
from socialkit.contract.schema import TABLE_ORDER
from socialkit.contract.transact import commit_files, portfolio_lock, recover
from socialkit.errors import PortfolioWriteError

__all__ = [
    "PROGRESS_STEP",
    "XLSX_CELL_LIMIT",
    "CsvStyle",
    "Progress",
    "convert",
    "csv_style",
    "ensure_empty",
    "foreign_content",
    "formula_risks",
    "write_tables",
    "xlsx_text",
]

#: The most characters a workbook cell holds (Excel's limit; openpyxl cuts beyond it).
XLSX_CELL_LIMIT = 32767
#: Columns written as numbers in a workbook when their text is a plain whole number.
NUMERIC = frozenset({"seq", "minutes"})
#: Text that reads back unchanged from a number cell: ASCII digits, no leading zero.
PLAIN_WHOLE = re.compile(r"0|[1-9][0-9]{0,14}")

_LITERAL_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")  # every start, overlaps included
#: What XML 1.0 cannot hold but Excel's escapes can: C0 controls but tab and line feed
#: (a carriage return is escaped too, since XML readers turn it into a line feed).
_ESCAPED = re.compile("[\x00-\x08\x0b-\x1f]")
#: What no workbook cell can hold: U+FFFE, U+FFFF (not decoded from an escape) and
#: lone surrogates (no UTF-8 for them).
_UNHOLDABLE = re.compile("[\ud800-\udfff\ufffe\uffff]")
#: The first characters of a CSV cell that Excel runs as a formula when it opens the file.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: A plain number, which Excel opens as that number: not a formula risk.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?%?")


def _where(table: str, row: int, column: str) -> str:
    return f"{table}, row {row}, column {column!r}"


def _shown(text: str) -> str:
    return repr(text) if len(text) <= 60 else f"{text[:40]!r}... ({len(text):,} characters)"


def xlsx_text(text: str, *, where: str = "") -> str:
    """Text as it is stored in a workbook cell, so that it reads back exactly.

    Control characters, a carriage return and a cell of white space only are written with
    Excel's escapes (``_x000B_``); text that already looks like such an escape gets its
    underscore escaped (``_x005F_``), so a reader that decodes escapes, as Excel and
    calamine do, gives the same text back.

    Parameters
    ----------
    text : str
        The cell's text.
    where : str
        The cell, as the user knows it (``"activities, row 5, column 'title'"``), for
        the message.

    Raises
    ------
    PortfolioWriteError
        If a workbook cannot hold the text: a character no cell can hold, or more than
        32,767 characters once written.
    """
    bad = _UNHOLDABLE.search(text)
    if bad:
        raise PortfolioWriteError(
            f"{where}: value {_shown(text)} holds the character U+{ord(bad[0]):04X}, which "
            "a workbook cell cannot hold; nothing was written. Remove it, or keep the "
            "portfolio as a CSV folder"
        )
    if text and text.isspace():  # XML readers may drop a cell of white space only
        out = "".join(f"_x{ord(ch):04X}_" for ch in text)
    else:
        out = _LITERAL_ESCAPE.sub("_x005F_", text) if "_x" in text else text
        out = _ESCAPED.sub(lambda m: f"_x{ord(m[0]):04X}_", out)
    if len(out) > XLSX_CELL_LIMIT:
        stored = f" ({len(out):,} once its control characters are escaped)" if out != text else ""
        raise PortfolioWriteError(
            f"{where}: value {_shown(text)} has {len(text):,} characters{stored}; a workbook "
            f"cell holds at most {XLSX_CELL_LIMIT:,}, so it would be cut. Nothing was "
            "written: shorten it, or keep the portfolio as a CSV folder"
        )
    return out


def formula_risks(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """Cells that Excel would run as a formula when it opens the CSV files of ``tables``.

    A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return counts,
    unless it is a plain number (``-5``, ``+3.5``, ``1e3``), which Excel opens as that
    number. Rows are numbered as in the written CSV file (header = row 1).

    Returns
    -------
    list of str
        One warning per cell: file, row, column, value and what Excel would do.
    """
    out = []

    def risky(text: str) -> bool:
        return text[:1] in FORMULA_STARTS and not _NUMBER.fullmatch(text.strip())

    for name, df in tables.items():
        for column in map(str, df.columns):
            if risky(column):
                out.append(
                    f"{name}.csv, row 1 (the header): column name {_shown(column)} starts with "
                    f"{column[0]!r}, so Excel runs it as a formula when it opens the file; it is "
                    "written as it is"
                )
        for column in df.columns:
            values = df[column]
            first = values.str[:1]
            starts = first.isin(FORMULA_STARTS).fillna(False).to_numpy(dtype=bool)
            for pos in starts.nonzero()[0]:
                value = values.iloc[pos]
                if not risky(value):
                    continue
                out.append(
                    f"{name}.csv, row {pos + 2}, column {column!r}: value {_shown(value)} "
                    f"starts with {value[0]!r}, so Excel runs it as a formula when it opens "
                    "the file; the value is written as it is. Check it before opening the "
                    "file in Excel"
                )
    return out


@dataclass(frozen=True)
class CsvStyle:
    """How a CSV file is laid out: a UTF-8 byte-order mark (as Excel writes), line endings,
    and the separator (``;`` as Excel writes CSV in much of Europe)."""

    bom: bool = False
    newline: str = "\n"
    sep: str = ","


def csv_style(path: str | os.PathLike[str]) -> CsvStyle:
    """The :class:`CsvStyle` of an existing CSV file (the default one when unreadable)."""
    try:
        with open(path, "rb") as file:
            head = file.read(1 << 16)
    except OSError:
        return CsvStyle()
    end = head.find(b"\n")
    header = head[: end if end >= 0 else len(head)]
    return CsvStyle(
        bom=head.startswith(b"\xef\xbb\xbf"),
        newline="\r\n" if end > 0 and head[end - 1 : end] == b"\r" else "\n",
        sep=";" if b";" in header and b"," not in header else ",",
    )


def _stage_csv(df: pd.DataFrame, target: Path, style: CsvStyle) -> Path:
    tmp = temp_beside(target)
    try:
        # a carriage return inside a cell only survives when its cell is quoted
        has_cr = any(df[c].str.contains("\r", regex=False).any() for c in df.columns)
        with open(tmp, "w", encoding="utf-8-sig" if style.bom else "utf-8", newline="") as out:
            df.to_csv(
                out,
                sep=style.sep,
                index=False,
                quoting=csv.QUOTE_ALL if has_cr else csv.QUOTE_MINIMAL,
                lineterminator=style.newline,
            )
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _write_csv_folder(
    tables: dict[str, pd.DataFrame],
    dest: Path,
    *,
    styles: Mapping[str, CsvStyle],
    exact: bool,
) -> None:
    if dest.exists() and not dest.is_dir():
        raise PortfolioWriteError(f"{str(dest)!r} exists and is not a folder")
    for name in tables:
        file = table_file(dest, name)
        dead = dead_link(file)
        if dead:
            raise PortfolioWriteError(dead)
        if file.is_dir():
            raise PortfolioWriteError(f"{str(file)!r} is a folder; expected a CSV file there")
    with portfolio_lock(dest):
        recover(dest, error=PortfolioWriteError)
        remove = []
        if exact:  # the tables of an earlier portfolio that this one does not hold
            remove = [f for f, t in TABLE_FILES.items() if t not in tables and (dest / f).exists()]
        staged: list[tuple[Path, str]] = []
        try:
            for name, df in tables.items():
                style = styles.get(name, CsvStyle())
                file = table_file(dest, name)
                staged.append((_stage_csv(df, file, style), file.name))
            commit_files(dest, staged, remove)
        except BaseException:
            if not (dest / ".socialkit-journal.json").exists():  # not committed: undo
                for tmp, _ in staged:
                    tmp.unlink(missing_ok=True)
            raise


def _typed(ws, value: str | None, column: str, where: str):
    """The value of a workbook cell for a table cell's text: a number for a plain whole
    number in a numeric column, otherwise text that never becomes a formula or an error."""
    from openpyxl.cell import WriteOnlyCell

    if not isinstance(value, str):
        return None
    if column in NUMERIC and PLAIN_WHOLE.fullmatch(value):
        return int(value)  # a number in Excel, the same text when read
    stored = xlsx_text(value, where=where)
    if stored[:1] not in ("=", "#"):
        return stored  # openpyxl would type "=…" as a formula and "#N/A" as an error
    cell = WriteOnlyCell(ws, value=stored)
    cell.data_type = "s"  # text stays text: never a formula or an error value
    return cell


#: Rows written between two calls of a ``progress`` callback.
PROGRESS_STEP = 5000

Progress = Callable[[int, int], None]


def _write_xlsx(tables: dict[str, pd.DataFrame], dest: Path, progress: Progress | None) -> None:
    from openpyxl import Workbook

    if dest.is_dir():
        raise PortfolioWriteError(f"{str(dest)!r} is a folder; expected a workbook file there")
    wb = Workbook(write_only=True)
    try:
        _fill_sheets(wb, tables, progress)
    except BaseException:
        for ws in wb.worksheets:  # end the sheets' streams: nothing is saved
            ws.close()
        raise
    with portfolio_lock(dest):
        real = real_path(dest)
        remove_stale_temps(real.parent, of=real.name)
        with atomic(dest, suffix=".xlsx") as tmp:
            wb.save(tmp)


def _fill_sheets(wb, tables: dict[str, pd.DataFrame], progress: Progress | None) -> None:
    """Add a sheet per table; every cell is checked before anything is written."""
    total, done = sum(len(df) for df in tables.values()), 0
    for name, df in tables.items():
        ws = wb.create_sheet(name)
        ws.append([_typed(ws, str(c), "", _where(name, 1, str(c))) for c in df.columns])
        columns = [str(c) for c in df.columns]
        for row, values in zip(df.index, df.itertuples(index=False, name=None), strict=True):
            ws.append(
                [
                    _typed(ws, v, c, _where(name, int(row), c))
                    for v, c in zip(values, columns, strict=True)
                ]
            )
            done += 1
            if progress is not None and done % PROGRESS_STEP == 0:
                progress(done, total)
        if progress is not None and done % PROGRESS_STEP:  # the end of each sheet
            progress(done, total)


def write_tables(
    tables: dict[str, pd.DataFrame],
    dest: str | os.PathLike[str],
    *,
    styles: Mapping[str, CsvStyle] | None = None,
    exact: bool = False,
    progress: Progress | None = None,
) -> Path:
    """Write tables as a CSV folder or, for a ``.xlsx`` path, one workbook.

    A workbook is written to a temporary name and renamed into place; the files of a CSV
    folder are replaced all together or not at all, even if the process is killed, and
    readers never see some replaced and others not. Text cells are written as text in a
    workbook (a value starting with ``=``, ``+``, ``-`` or ``@`` never becomes a formula),
    with Excel's escapes for control characters.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Tables keyed by table name, written in the contract's table order.
    dest : path-like
        A folder (created if needed) or a path ending in ``.xlsx``.
    styles : mapping of str to CsvStyle, optional
        Byte-order mark and line endings per table of a CSV folder (default: UTF-8
        without a mark, ``\\n``).
    exact : bool, default False
        In a CSV folder, also delete the table files that ``tables`` does not hold, so
        that the folder holds exactly these tables.
    progress : callable, optional
        For a workbook, called as ``progress(rows_written, rows_in_all)`` every
        :data:`PROGRESS_STEP` rows and at the end of each sheet (writing 400,000 rows
        takes about a minute); the workbook is then saved.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    PortfolioWriteError
        If the destination cannot be written, or a workbook cannot hold a cell's text
        (the message names table, row and column); nothing is written.
    PortfolioBusyError
        If another process kept the portfolio locked for too long.
    """
    dest = Path(dest)
    ordered = {t: tables[t] for t in TABLE_ORDER if t in tables}
    try:
        if dest.suffix.lower() == ".xlsx":
            _write_xlsx(ordered, dest, progress)
        else:
            _write_csv_folder(ordered, dest, styles=styles or {}, exact=exact)
    except OSError as exc:
        raise PortfolioWriteError(f"cannot write {str(dest)!r}: {exc.strerror or exc}") from None
    return dest


#: Parts of a workbook package that replacing it would lose, by what the user calls them.
def convert(
    src: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    *,
    check: bool = True,
    force: bool = False,
    on_warning: Callable[[str], None] | None = None,
    progress: Progress | None = None,
) -> Path:
    """Convert a portfolio between a CSV folder and an ``.xlsx`` workbook, losslessly.

    Parameters
    ----------
    src, dest : path-like
        Source and destination; each a folder or an ``.xlsx`` path. A folder destination
        ends up holding exactly the source's tables (an older ``tools.csv`` the source
        does not have is deleted).
    check : bool, default True
        Validate the source first and write nothing if it breaks the contract.
    force : bool, default False
        Replace a destination even when it holds something convert would not have
        written: a workbook with sheets, charts, drawings, images, comments, pivot
        tables, defined names or columns of the user's (columns the source does not
        have) is replaced, and those are lost; in a folder, the user's other files are
        left as they are.
    on_warning : callable, optional
        Called with each warning: a cell of a CSV destination that Excel would run as a
        formula when it opens the file (see :func:`formula_risks`).
    progress : callable, optional
        Passed to :func:`write_tables`: the rows written to a workbook so far.

    Returns
    -------
    pathlib.Path
        The destination written.

    Raises
    ------
    DestinationNotEmptyError
        If ``dest`` holds a sheet or file of the user's and ``force`` is not set.
    """
    dest = Path(dest)
    tables = load_portfolio(src).raw if check else read_tables(src)[0]
    tables = {t: tables[t] for t in TABLE_ORDER if t in tables}
    if dest.suffix.lower() != ".xlsx" and on_warning is not None:
        for message in formula_risks(tables):
            on_warning(message)
    refuse_dead_links(dest)
    try:
        refuse_foreign(dest, tables, force=force)  # before the lock: a refusal makes no lock file
        with portfolio_lock(dest):
            refuse_foreign(dest, tables, force=force)  # again: it may have changed meanwhile
            return write_tables(tables, dest, exact=True, progress=progress)
    except OSError as exc:
        raise PortfolioWriteError(f"cannot write {str(dest)!r}: {exc.strerror or exc}") from None
