"""Reading and writing design portfolios: a folder of CSV files or one ``.xlsx`` workbook.

Tables are read as text, exactly as the user typed them, so that writing them back
(or converting between formats) loses nothing. Every write goes to a temporary file
that is renamed into place only once complete.
"""

from __future__ import annotations

import csv
import dataclasses
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from ._workbook import _cell_text as _cell_text
from .errors import PortfolioWriteError, ValidationError
from .readers import _finish as _finish
from .readers import _read_csv as _read_csv
from .readers import read_tables
from .schema import TABLE_ORDER, Portfolio
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
#: Columns written as numbers in a workbook when their text is a plain whole number.
_NUMERIC = {"seq", "minutes"}
#: Text that reads back unchanged from a number cell: ASCII digits, no leading zero.
_PLAIN_WHOLE = re.compile(r"0|[1-9][0-9]{0,14}")


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
# the readers live in socialkit.readers (CSV) and socialkit._workbook (.xlsx)

_LITERAL_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")  # every start, overlaps included


def _to_xlsx_text(text: str) -> str:
    """Encode what XML cannot keep (a carriage return, a cell of white space only) as
    Excel does: ``_x000D_``, ``_x0020_``.

    Text that already looks like such an escape gets its underscore escaped
    (``_x005F_``), so that a reader that decodes escapes, as Excel does, gives the
    same text back.
    """
    if text and text.isspace():  # XML readers may drop a cell of white space only
        return "".join(f"_x{ord(ch):04X}_" for ch in text)
    if "_x" in text:
        text = _LITERAL_ESCAPE.sub("_x005F_", text)
    return text.replace("\r", "_x000D_") if "\r" in text else text


def _read_defaults(table: str) -> pd.DataFrame:
    return _read_csv(catalog_path() / f"{table}.csv", table)


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


def load_portfolio(path: str | os.PathLike[str] | None = None) -> Portfolio:
    """Read and validate a portfolio.

    Parameters
    ----------
    path : path-like, optional
        A CSV folder or an ``.xlsx`` workbook; the bundled sample when omitted.

    Returns
    -------
    Portfolio

    Raises
    ------
    PortfolioNotFoundError, PortfolioReadError
        If the portfolio cannot be read.
    ValidationError
        With every failure against the data contract.
    """
    path = Path(path) if path is not None else sample_path()
    tables, notices = read_tables(path)
    try:
        checked = validate(_with_defaults(tables), source=path, notices=tuple(notices))
    except ValidationError as exc:
        raise ValidationError(exc.issues, tuple(notices)) from None
    # keep the tables exactly as read, without the defaults added for validation
    return dataclasses.replace(checked, raw=tables)


# --------------------------------------------------------------------------- writing
def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _temp_beside(dest: Path, *, suffix: str = ".tmp") -> Path:
    """A new empty file beside ``dest`` with the permissions ``dest`` has or would get."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=suffix, dir=dest.parent)
    os.close(fd)
    mode = dest.stat().st_mode & 0o7777 if dest.is_file() else 0o666 & ~_umask()
    os.chmod(tmp, mode)
    return Path(tmp)


@contextmanager
def _atomic(dest: Path, *, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``dest``; rename it over ``dest`` on success."""
    tmp_path = _temp_beside(dest, suffix=suffix + ".tmp")
    try:
        yield tmp_path
        os.replace(tmp_path, dest)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def _write_csv_folder(tables: dict[str, pd.DataFrame], dest: Path) -> None:
    if dest.exists() and not dest.is_dir():
        raise PortfolioWriteError(f"{str(dest)!r} exists and is not a folder")
    targets = {name: dest / f"{name}.csv" for name in tables}
    for target in targets.values():
        if target.is_dir():
            raise PortfolioWriteError(f"{str(target)!r} is a folder; expected a CSV file there")
    dest.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    try:
        for name, df in tables.items():
            tmp = _temp_beside(targets[name])
            staged.append((tmp, targets[name]))
            # a carriage return inside a cell only survives when its cell is quoted
            has_cr = any(df[c].str.contains("\r", regex=False).any() for c in df.columns)
            df.to_csv(
                tmp,
                index=False,
                encoding="utf-8",
                quoting=csv.QUOTE_ALL if has_cr else csv.QUOTE_MINIMAL,
                lineterminator="\n",
            )
        _replace_all(staged)
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)


def _replace_all(staged: list[tuple[Path, Path]]) -> None:
    """Rename every temporary file over its target, or, if one rename fails, none.

    Targets that existed are first moved aside, and moved back if anything fails.
    """
    moved: list[tuple[Path, Path | None]] = []
    try:
        for tmp, target in staged:
            backup = None
            if target.exists():
                backup = _temp_beside(target, suffix=".bak")
                os.replace(target, backup)
            moved.append((target, backup))
            os.replace(tmp, target)
    except BaseException:
        for target, backup in reversed(moved):
            if backup is not None:
                os.replace(backup, target)
            else:
                target.unlink(missing_ok=True)
        raise
    for _, backup in moved:
        if backup is not None:
            backup.unlink(missing_ok=True)


def _write_xlsx(tables: dict[str, pd.DataFrame], dest: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    def text(ws, value: str) -> WriteOnlyCell | str:
        value = _to_xlsx_text(value)
        if value[:1] not in ("=", "#"):
            return value  # openpyxl would type "=…" as a formula and "#N/A" as an error
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"  # text stays text: never a formula or an error value
        return cell

    wb = Workbook(write_only=True)
    for name, df in tables.items():
        ws = wb.create_sheet(name)
        ws.append([text(ws, str(c)) for c in df.columns])
        numeric = [c in _NUMERIC for c in df.columns]
        for row in df.itertuples(index=False, name=None):
            cells = []
            for value, is_num in zip(row, numeric, strict=True):
                if not isinstance(value, str):
                    cells.append(None)
                elif is_num and _PLAIN_WHOLE.fullmatch(value):
                    cells.append(int(value))  # a number in Excel, the same text when read
                else:
                    cells.append(text(ws, value))
            ws.append(cells)
    with _atomic(dest, suffix=".xlsx") as tmp:
        wb.save(tmp)


def write_tables(tables: dict[str, pd.DataFrame], dest: str | os.PathLike[str]) -> Path:
    """Write tables as a CSV folder or, for a ``.xlsx`` path, one workbook.

    Each file is written to a temporary name and renamed into place, so an existing
    portfolio is never left half-written. Text cells are written as text in a workbook
    (a value starting with ``=``, ``+``, ``-`` or ``@`` never becomes a formula).

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Tables keyed by table name, written in the contract's table order.
    dest : path-like
        A folder (created if needed) or a path ending in ``.xlsx``.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    dest = Path(dest)
    ordered = {t: tables[t] for t in TABLE_ORDER if t in tables}
    try:
        if dest.suffix.lower() == ".xlsx":
            _write_xlsx(ordered, dest)
        else:
            _write_csv_folder(ordered, dest)
    except OSError as exc:
        raise PortfolioWriteError(f"cannot write {str(dest)!r}: {exc.strerror or exc}") from None
    return dest


def convert(
    src: str | os.PathLike[str], dest: str | os.PathLike[str], *, check: bool = True
) -> Path:
    """Convert a portfolio between a CSV folder and an ``.xlsx`` workbook, losslessly.

    Parameters
    ----------
    src, dest : path-like
        Source and destination; each a folder or an ``.xlsx`` path.
    check : bool, default True
        Validate the source first and write nothing if it breaks the contract.

    Returns
    -------
    pathlib.Path
        The destination written.
    """
    tables = load_portfolio(src).raw if check else read_tables(src)[0]
    return write_tables(tables, dest)
