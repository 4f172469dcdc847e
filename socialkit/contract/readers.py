"""Reading a portfolio's tables as text: CSV files here, workbooks in :mod:`.xlsx_read`.

Tables are read exactly as the user typed them. What cannot be read safely is refused
with one :class:`~socialkit.errors.PortfolioReadError` that says where (file or sheet,
row as the user sees it with the header as row 1, column) and what was expected:

- a header that names one column twice (``title`` and ``title `` or ``Title``), a blank
  header cell with values under it, values to the right of the last header (in a CSV
  file: a row with more values than the header, as an unquoted comma makes);
- a file that is not UTF-8 text (UTF-16 with a byte-order mark, as Excel's "Unicode
  text" is, is read), holds NUL bytes, or is a workbook under a ``.csv`` name;
- more than :data:`MAX_COLUMNS` columns; in a workbook also the limits of
  :mod:`socialkit.contract.limits` (rows, cells, unpacked size).

A header separated by ``;`` or tabs instead of commas (as Excel writes CSV in much of
Europe) is read with that separator when it names columns of its table, with a notice.
"""

from __future__ import annotations

import csv
import io
import os
import warnings
from pathlib import Path

import pandas as pd

from socialkit._compat import row_of_unclosed_quote, wrong_width
from socialkit.contract.headers import (
    check_header,
    column_letter,
    drop_blank_headed,
    finish_table,
    shown_value,
)
from socialkit.contract.layout import TABLE_FILES
from socialkit.contract.limits import MAX_COLUMNS
from socialkit.contract.schema import REQUIRED_TABLES, TABLES
from socialkit.errors import PortfolioNotFoundError, PortfolioReadError

__all__ = ["MAX_COLUMNS", "column_letter", "read_csv_table", "read_tables"]

_CSV_OPTIONS = {"dtype": "str", "keep_default_na": False, "na_values": [""]}
#: Separators a header may use instead of a comma, with the name a message gives them.
_OTHER_SEPARATORS = {";": "semicolons (;)", "\t": "tabs"}


# --------------------------------------------------------------------------- CSV
def _refuse_non_text(data: bytes, name: str) -> None:
    if data.startswith(b"PK\x03\x04"):
        raise PortfolioReadError(
            f"{name}: is a zip archive (an .xlsx workbook?), not CSV text; save the table "
            "as 'CSV UTF-8 (comma delimited)', or give socialkit the workbook itself",
            file=name,
        )
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise PortfolioReadError(
            f"{name}: is an Excel 97-2003 (.xls) or password-protected file, not CSV text; "
            "save the table as 'CSV UTF-8 (comma delimited)'",
            file=name,
        )
    # a NUL in a cell is text (a workbook keeps it as _x0000_), but never in a header:
    # there it says UTF-16 without a byte-order mark, or a file that is not text at all
    nul = _first_line(data).find(b"\x00")
    if nul >= 0:
        raise PortfolioReadError(
            f"{name}, row 1: a NUL byte (byte {nul}) in the header: the file is UTF-16 "
            "without a byte-order mark, or not text at all; save the table as 'CSV UTF-8 "
            "(comma delimited)'",
            file=name,
            row=1,
        )


def _as_utf8(data: bytes, name: str, notices: list[str]) -> bytes:
    """UTF-8 bytes without a byte-order mark; UTF-16 with one (Excel's "Unicode text")
    is decoded; other binary content is refused."""
    if data.startswith(b"\xef\xbb\xbf"):  # the byte-order mark Excel writes
        while data.startswith(b"\xef\xbb\xbf"):  # twice, when a program added its own
            data = data[3:]
        return data
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise PortfolioReadError(
                f"{name}: starts as UTF-16 text but byte {exc.start} is not UTF-16; save "
                "the table as 'CSV UTF-8 (comma delimited)'",
                file=name,
            ) from None
        notices.append(f"{name}: read as UTF-16 text (Excel's 'Unicode text')")
        return text.lstrip("\ufeff").encode("utf-8")
    _refuse_non_text(data, name)
    return data


def _utf8(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        row = _record_at(data, exc.start)
        raise PortfolioReadError(
            f"{name}, row {row}: not UTF-8 text (byte {exc.start}); save the table as "
            "'CSV UTF-8 (comma delimited)'",
            file=name,
            row=row,
        ) from None


def _record_at(data: bytes, at: int) -> int:
    """The row, as the user sees it, of the record holding byte ``at``: line breaks in a
    quoted cell do not start a row; LF, CR LF and a lone CR do (the bytes before ``at``
    are valid UTF-8)."""
    _long_fields()
    text = data[:at].decode("utf-8") + "x"  # the record of byte ``at`` counts, even empty
    try:
        return sum(1 for _ in csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        return len(text.splitlines())


def _first_line(data: bytes) -> bytes:
    """The bytes before the first line break (LF, CR LF or a lone CR, as old Macs wrote)."""
    end = data.find(b"\n")
    line = data if end < 0 else data[:end]
    cr = line.find(b"\r")
    return line if cr < 0 else line[:cr]


def _long_fields() -> None:
    """Let the csv module read cells of any length, as pandas does (its default: 128 KiB)."""
    if csv.field_size_limit() < 2**31 - 1:
        csv.field_size_limit(2**31 - 1)


def _first_record(data: bytes, name: str, sep: str) -> list[str]:
    line = _first_line(data)
    if b'"' not in line:
        return _utf8(line, name).split(sep)
    _long_fields()
    try:
        return next(csv.reader(io.StringIO(_utf8(data, name), newline=""), delimiter=sep), [])
    except csv.Error as exc:
        raise PortfolioReadError(
            f"{name}, row 1: not a readable CSV header ({exc})", file=name, row=1
        ) from None


def _separator(data: bytes, name: str, table: str, notices: list[str]) -> str:
    """``,``, or the separator the header line uses when it names the table's columns."""
    line = _utf8(_first_line(data), name)
    if "," in line:
        return ","
    known = {s.name for s in TABLES[table]}
    for sep, called in _OTHER_SEPARATORS.items():
        if sep not in line:
            continue
        names = [n.strip().strip('"').strip() for n in line.split(sep)]
        if known.intersection(names):
            notices.append(f"{name}: read as separated by {called}, not commas")
            return sep
        raise PortfolioReadError(
            f"{name}, row 1: the header is separated by {called}, not commas, and names "
            f"no column of the {table} table ({', '.join(map(repr, sorted(known)))}); save "
            "the table as 'CSV UTF-8 (comma delimited)'",
            file=name,
            row=1,
        )
    return ","


def _few(values: list[str], first: int = 5) -> str:
    """The first few values as a message shows them, and how many more there are."""
    shown = ", ".join(shown_value(v) for v in values[:first])
    return shown + (f", … {len(values) - first:,} more" if len(values) > first else "")


def _read_records(
    text: str,
    name: str,
    sep: str,
    width: int,
    notices: list[str] | None = None,
    named: int | None = None,
) -> pd.DataFrame:
    """Read with the csv module, record by record: the slow path for ragged files.

    A row with more values than the header is refused, blank or not (a trailing
    separator the header lacks shifts nothing only by luck); a row with fewer is read
    with its last columns blank, and a notice names it if it lacks a named column
    (``named``: the header's width without its trailing blank cells).
    """
    rows: list[list[str | None]] = []
    short: list[int] = []
    _long_fields()
    records = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    n = 0  # the row being read, as the user sees it
    while True:
        n += 1
        try:
            record = next(records)
        except StopIteration:
            break
        except csv.Error as exc:
            raise PortfolioReadError(
                f"{name}, row {n}: not a readable CSV row ({exc})", file=name, row=n
            ) from None
        if n == 1:
            continue  # the header
        if len(record) > width:
            raise PortfolioReadError(
                f"{name}: row {n} has {len(record):,} values, the header has {width} "
                f"({_few(record)}); a value that holds a separator must be in double "
                "quotes, and a column needs a name in row 1",
                file=name,
                row=n,
            )
        if len(record) < (width if named is None else named) and any(v.strip() for v in record):
            short.append(n)
        cells: list[str | None] = [v if v != "" else None for v in record[:width]]
        rows.append(cells + [None] * (width - len(cells)))
    if short and notices is not None:
        shown = ", ".join(map(str, short[:5])) + (", …" if len(short) > 5 else "")
        notices.append(
            f"{name}: {len(short):,} row(s) have fewer values than the header (rows "
            f"{shown}); their last columns are read as blank"
        )
    return pd.DataFrame(rows, columns=range(width), dtype="object")


def read_csv_table(path: Path, table: str, notices: list[str] | None = None) -> pd.DataFrame:
    """Read one CSV table as text; remarks for the user go to ``notices``.

    Parameters
    ----------
    path : pathlib.Path
        The table's CSV file.
    table : str
        The table it holds (a key of :data:`socialkit.contract.schema.TABLES`), whose
        column names tell a header written with ``;`` or tabs.
    notices : list of str, optional
        Where remarks for the user go.

    Raises
    ------
    PortfolioReadError
        If the file cannot be read as a table.
    """
    notices = [] if notices is None else notices
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PortfolioReadError(
            f"{name}: cannot be read ({exc.strerror or exc})", file=name
        ) from None
    data = _as_utf8(data, name, notices)
    if not data or data.isspace():
        raise PortfolioReadError(f"{name}: the file is empty; expected a header row", file=name)
    sep = _separator(data, name, table, notices)
    header = _first_record(data, name, sep)
    if not any(h.strip() for h in header):
        raise PortfolioReadError(
            f"{name}: row 1, the header, is empty; expected the column names there",
            file=name,
            row=1,
        )
    check_header(header, name)
    width = len(header)
    named = width
    while named and not header[named - 1].strip():
        named -= 1
    df = _parse(data, name, sep, width, notices, named)
    df.index = pd.RangeIndex(2, 2 + len(df))
    return finish_table(drop_blank_headed(df, header, name))


def _parse(
    data: bytes,
    name: str,
    sep: str,
    width: int,
    notices: list[str] | None = None,
    named: int | None = None,
) -> pd.DataFrame:
    # Arrow's multithreaded reader is several times faster, but it skips blank lines,
    # which would shift the row numbers users see in messages. When its row count does
    # not account for every line break (blank lines, or line breaks inside quoted
    # cells), and for any file it rejects (a row with more or fewer values than the
    # header among them), pandas' own parser reads the file instead; and when pandas
    # meets a row longer than the header (left alone, it would take the first values as
    # an index and shift every column), the csv module reads it record by record.
    options = {**_CSV_OPTIONS, "sep": sep}
    try:
        df = pd.read_csv(io.BytesIO(data), engine="pyarrow", **options)
    except Exception:  # any failure: the parsers below give the clearer message
        df = None
    lines = data.count(b"\n") + (not data.endswith(b"\n"))
    if df is not None and lines == len(df) + 1 and len(df.columns) == width:
        return df
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)  # "loss of data"
        try:
            df = pd.read_csv(
                io.BytesIO(data),
                skip_blank_lines=False,
                encoding="utf-8",
                index_col=False,
                **options,
            )
        except pd.errors.ParserWarning:
            df = None
        except UnicodeDecodeError as exc:
            _utf8(data, name)  # raises, with the byte and row in the whole file
            raise PortfolioReadError(f"{name}: not UTF-8 text ({exc})", file=name) from None
        except pd.errors.EmptyDataError:
            raise PortfolioReadError(f"{name}: expected a header row", file=name) from None
        except pd.errors.ParserError as exc:
            if not wrong_width(exc):  # not a row of another length
                raise _parser_error(name, exc) from None
            df = None
        except Exception:  # anything else pandas may raise: the csv module decides
            df = None
    # pandas fills a short row with blanks and says nothing: a row with a blank last
    # cell may be one, and the csv module then counts each row's values
    # a row with blank values past the header; pandas drops a trailing separator unsaid
    b = sep.encode()
    trailing = b + b"\n" in data or b + b"\r" in data or data.endswith(b)
    if df is None or len(df.columns) != width or trailing or df.iloc[:, -1].isna().any():
        return _read_records(_utf8(data, name), name, sep, width, notices, named)
    return df


def _parser_error(name: str, exc: Exception) -> PortfolioReadError:
    record = row_of_unclosed_quote(exc)
    if record is not None:  # pandas counts records from 0, the header included
        row = record + 1
        return PortfolioReadError(
            f"{name}, row {row}: a double quote opens a value that never closes; close it, "
            'or double a quote that is part of the value ("")',
            file=name,
            row=row,
        )
    return PortfolioReadError(f"{name}: not a readable CSV table: {exc}", file=name)


# --------------------------------------------------------------------------- portfolio
def read_tables(path: str | os.PathLike[str]) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Read a portfolio's tables as text, without validating them.

    Parameters
    ----------
    path : path-like
        A folder of ``<table>.csv`` files or an ``.xlsx`` workbook with one sheet per table.

    Returns
    -------
    tables : dict of str to pandas.DataFrame
        The tables the portfolio holds, indexed by the row number the user sees
        (header = 1). Absent optional tables stay absent: :func:`load_portfolio` fills
        them from the bundled catalog and context.
    notices : list of str
        Remarks for the user, such as unknown columns that are kept but ignored.

    Raises
    ------
    PortfolioNotFoundError
        If the path does not exist or holds none of the required tables.
    PortfolioReadError
        If a file cannot be read as a table, or passes a limit (see
        :mod:`socialkit.contract.limits`).
    """
    path = Path(path)
    if not path.exists():
        raise PortfolioNotFoundError(f"no portfolio at {str(path)!r}: the path does not exist")
    notices: list[str] = []
    if path.is_dir():
        tables = {
            t: read_csv_table(path / name, t, notices)
            for name, t in TABLE_FILES.items()
            if (path / name).is_file()
        }
        where = "CSV file"
    elif path.suffix.lower() == ".xlsx":
        # imported here: zipfile, ElementTree and the workbook reader (some 15-40 ms
        # at a command's start) are of no use for a folder of CSV files
        from socialkit.contract.xlsx_read import read_workbook

        tables = read_workbook(path, notices)
        where = "sheet"
    else:
        raise PortfolioNotFoundError(
            f"{str(path)!r} is neither a folder of CSV files nor an .xlsx workbook"
        )
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        raise PortfolioNotFoundError(
            f"{str(path)!r} has no {where} for {', '.join(map(repr, missing))}; a portfolio "
            f"needs {', '.join(repr(t) for t in REQUIRED_TABLES)}"
        )
    for table, df in tables.items():
        known = {s.name for s in TABLES[table]}
        extra = [c for c in df.columns if c not in known]
        if extra:
            notices.append(
                f"{table}: unknown column(s) {', '.join(map(repr, extra))} kept but ignored"
            )
    return tables, notices
