"""Reading and writing design portfolios: a folder of CSV files or one ``.xlsx`` workbook.

Tables are read as text, exactly as the user typed them, so that writing them back
(or converting between formats) loses nothing. Every write goes to a temporary file
that is renamed into place only once complete.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ._transact import consistent_read
from .errors import ValidationError
from .readers import _finish as _finish
from .readers import _read_csv as _read_csv
from .readers import read_tables as _read_tables
from .schema import Portfolio

if TYPE_CHECKING:
    from .writers import convert, write_tables

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
def _import_meanwhile(name: str) -> None:
    """Start importing module ``name`` in a thread, unless it is imported already.

    The validation rules need pandera, whose import takes a command's start some 0.2-0.3 s;
    imported while the portfolio's files are read (Arrow parses them without holding the
    interpreter), most of that time is not waited for. Whoever uses the module imports
    it as usual, which waits for this import to finish (or raises its error).
    """
    if name in sys.modules:
        return

    def run() -> None:
        try:
            importlib.import_module(name)
        except BaseException:
            pass

    threading.Thread(target=run, name=f"import {name}", daemon=True).start()


# the readers live in socialkit.readers (CSV files) and socialkit._xlsx_read (workbooks);
# here a read never sees a CSV folder half written (see socialkit._transact)
read_tables = consistent_read(_read_tables)


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
    _import_meanwhile(f"{__package__}.validation")
    tables, notices = read_tables(path)
    from .validation import validate

    try:
        checked = validate(
            _with_defaults(tables), source=path, notices=tuple(notices), partial=partial
        )
    except ValidationError as exc:
        raise ValidationError(exc.issues, tuple(notices)) from None
    # keep the tables exactly as read, without the defaults added for validation
    return dataclasses.replace(checked, raw=tables)


# --------------------------------------------------------------------------- writing
# in socialkit.writers; re-exported here, where they have always been, and imported on
# first use (as ``_cell_text`` of socialkit._xlsx_read): a command that only reads does
# not pay for them
_LATER = {"convert": ".writers", "write_tables": ".writers", "_cell_text": "._xlsx_read"}


def __getattr__(name: str) -> object:
    if name not in _LATER:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LATER[name], __package__), name)
    globals()[name] = value
    return value
