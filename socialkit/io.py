"""Reading and writing design portfolios: a folder of CSV files or one ``.xlsx`` workbook.

Tables are read as text, exactly as the user typed them, so that writing them back
(or converting between formats) loses nothing. Every write goes to a temporary file
that is renamed into place only once complete.
"""

from __future__ import annotations

import dataclasses
import io
import os
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd

from ._transact import consistent_read
from .errors import (
    PortfolioNotFoundError,
    PortfolioReadError,
    ValidationError,
)
from .schema import REQUIRED_TABLES, TABLE_ORDER, TABLES, Portfolio
from .validation import validate

__all__ = [
    "catalog_path",
    "convert",
    "load_portfolio",
    "notebook_path",
    "read_tables",
    "sample_path",
    "write_tables",
]

_PACKAGE = Path(__file__).resolve().parent


def catalog_path() -> Path:
    """Folder of the tool catalog and organisation context shipped with socialkit."""
    return _PACKAGE / "catalog"


def notebook_path(name: str) -> Path:
    """A notebook shipped with socialkit (``notebooks/<name>.ipynb`` of a source checkout).

    Parameters
    ----------
    name : str
        ``"course_report"``, ``"portfolio_report"``, ``"tour"`` …, without ``.ipynb``.
    """
    installed = _PACKAGE / "notebooks"
    folder = installed if installed.is_dir() else _PACKAGE.parent / "notebooks"
    return folder / f"{name}.ipynb"


def sample_path() -> Path:
    """Folder of the bundled sample portfolio (``data/`` of a source checkout)."""
    installed = _PACKAGE / "sample_data"
    return installed if installed.is_dir() else _PACKAGE.parent / "data"


# --------------------------------------------------------------------------- reading
def _finish(df: pd.DataFrame, first_row: int = 2) -> pd.DataFrame:
    """Index rows by the number the user sees and drop rows that are entirely blank."""
    df.index = pd.RangeIndex(first_row, first_row + len(df))
    df.columns = [str(c).strip() for c in df.columns]
    return df.dropna(how="all").astype("str")


_CSV_OPTIONS = {"dtype": "str", "keep_default_na": False, "na_values": [""]}


def _read_csv(path: Path, table: str) -> pd.DataFrame:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PortfolioReadError(f"{path.name}: cannot be read ({exc.strerror})") from None
    if data.startswith(b"\xef\xbb\xbf"):  # the byte-order mark Excel writes
        data = data[3:]
    # Arrow's multithreaded reader is several times faster, but it skips blank lines,
    # which would shift the row numbers users see in messages. When its row count does
    # not account for every line break (blank lines, or line breaks inside quoted
    # cells), and for any file it rejects, pandas' own parser reads the file instead.
    if data and not data.isspace():
        try:
            df = pd.read_csv(io.BytesIO(data), engine="pyarrow", **_CSV_OPTIONS)
        except Exception:  # any failure: the parser below gives the clearer message
            df = None
        lines = data.count(b"\n") + (not data.endswith(b"\n"))
        if df is not None and lines == len(df) + 1:
            return _finish(df)
    try:
        df = pd.read_csv(io.BytesIO(data), skip_blank_lines=False, encoding="utf-8", **_CSV_OPTIONS)
    except UnicodeDecodeError as exc:
        raise PortfolioReadError(
            f"{path.name}: not UTF-8 text (byte {exc.start}); save the table as "
            "'CSV UTF-8 (comma delimited)'"
        ) from None
    except pd.errors.EmptyDataError:
        raise PortfolioReadError(f"{path.name}: the file is empty; expected a header row") from None
    except pd.errors.ParserError as exc:
        raise PortfolioReadError(f"{path.name}: not a readable CSV table: {exc}") from None
    return _finish(df)


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


def _read_xlsx(path: Path) -> dict[str, pd.DataFrame]:
    # calamine (Rust) reads a large workbook about ten times faster than openpyxl; it
    # returns cached formula results and decodes Excel's _xHHHH_ escapes itself
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
        names = {name.strip().lower(): name for name in wb.sheet_names}
        grids = {
            table: wb.get_sheet_by_name(names[table]).to_python(skip_empty_area=False)
            for table in TABLE_ORDER
            if table in names
        }
    except Exception as exc:  # damaged zip, bad XML, password: all one message
        raise PortfolioReadError(f"{path.name}: not a readable .xlsx workbook ({exc})") from None
    sheets = {}
    for table, rows in grids.items():
        if not rows:
            sheets[table] = pd.DataFrame(dtype="str")
            continue
        header = [_cell_text(v) or "" for v in rows[0]]
        while header and header[-1] == "":
            header.pop()
        width = len(header)
        body = [[_cell_text(v) for v in r[:width]] + [None] * (width - len(r)) for r in rows[1:]]
        df = pd.DataFrame(body, columns=header, dtype="object").replace("", None)
        sheets[table] = _finish(df)
    return sheets


def _read_defaults(table: str) -> pd.DataFrame:
    return _read_csv(catalog_path() / f"{table}.csv", table)


@consistent_read  # never a CSV folder half written: see socialkit._transact
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
        If a file cannot be read as a table.
    """
    path = Path(path)
    if not path.exists():
        raise PortfolioNotFoundError(f"no portfolio at {str(path)!r}: the path does not exist")
    if path.is_dir():
        tables = {
            t: _read_csv(path / f"{t}.csv", t) for t in TABLE_ORDER if (path / f"{t}.csv").is_file()
        }
        where = "CSV file"
    elif path.suffix.lower() == ".xlsx":
        tables = _read_xlsx(path)
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
    notices = []
    for table, df in tables.items():
        known = {s.name for s in TABLES[table]}
        extra = [c for c in df.columns if c not in known]
        if extra:
            notices.append(
                f"{table}: unknown column(s) {', '.join(map(repr, extra))} kept but ignored"
            )
    return tables, notices


def _with_defaults(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Fill absent ``tools``/``organisations`` from the bundled catalog and context.

    The bundled ``default`` organisation is added to a portfolio's own organisations
    when they do not name one, so that a course with a blank organisation has a context.
    Its platforms are limited to tools of the portfolio's catalog: the user never wrote
    that row, so it must not be the cause of an error.
    """
    out = dict(tables)
    out.setdefault("tools", _read_defaults("tools"))
    defaults = _read_defaults("organisations")
    tools = out["tools"]
    known = set(tools["tool"].str.strip().str.lower().dropna()) if "tool" in tools else set()
    platforms = (
        defaults["platforms"]
        .str.split(";")
        .map(
            lambda items: ";".join(t for t in items if t.strip().lower() in known),
            na_action="ignore",
        )
    )
    defaults = defaults.assign(platforms=platforms.replace("", None).astype("str"))
    orgs = out.get("organisations")
    if orgs is None:
        out["organisations"] = defaults
        return out
    names = set(orgs["organisation"].str.strip().dropna()) if "organisation" in orgs else set()
    extra = defaults[~defaults["organisation"].isin(names)]
    if len(extra):
        start = int(orgs.index.max()) + 1 if len(orgs) else 2
        extra = extra.set_axis(pd.RangeIndex(start, start + len(extra)))
        out["organisations"] = pd.concat([orgs, extra]).astype("str")
    return out


def load_portfolio(
    path: str | os.PathLike[str] | None = None, *, partial: bool = False
) -> Portfolio:
    """Read and validate a portfolio.

    Parameters
    ----------
    path : path-like, optional
        A CSV folder or an ``.xlsx`` workbook; the bundled sample when omitted.
    partial : bool, default False
        Leave out the courses that break the data contract instead of raising: an
        issue in a row of ``courses``, ``objectives`` or ``activities`` belongs to the
        course that row names, and only that course is left out. The result holds
        the valid courses, and the left-out courses' issues in
        :attr:`Portfolio.invalid <socialkit.schema.Portfolio.invalid>`.

    Returns
    -------
    Portfolio

    Raises
    ------
    PortfolioNotFoundError, PortfolioReadError
        If the portfolio cannot be read.
    ValidationError
        With every failure against the data contract; with ``partial=True`` only
        when a failure concerns the whole portfolio (a missing required column, a
        row of ``tools`` or ``organisations``, a row whose ``course_id`` is blank).
    """
    path = Path(path) if path is not None else sample_path()
    tables, notices = read_tables(path)
    try:
        checked = validate(
            _with_defaults(tables), source=path, notices=tuple(notices), partial=partial
        )
    except ValidationError as exc:
        raise ValidationError(exc.issues, tuple(notices)) from None
    # keep the tables exactly as read, without the defaults added for validation
    return dataclasses.replace(checked, raw=tables)


# --------------------------------------------------------------------------- writing
# in socialkit.writers; re-exported here, where they have always been
from .writers import convert, write_tables  # noqa: E402
