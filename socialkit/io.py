"""Reading and writing design portfolios: a folder of CSV files or one ``.xlsx`` workbook.

Tables are read as text, exactly as the user typed them, so that writing them back
(or converting between formats) loses nothing. Every write goes to a temporary file
that is renamed into place only once complete.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pandas as pd

from ._transact import consistent_read
from ._xlsx_read import _cell_text as _cell_text
from .errors import ValidationError
from .names import BUNDLED_ATTR
from .readers import _finish as _finish
from .readers import _read_csv as _read_csv
from .readers import read_tables as _read_tables
from .schema import Portfolio
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
# the readers live in socialkit.readers (CSV files) and socialkit._xlsx_read (workbooks);
# here a read never sees a CSV folder half written (see socialkit._transact)
read_tables = consistent_read(_read_tables)


def _read_defaults(table: str) -> pd.DataFrame:
    return _read_csv(catalog_path() / f"{table}.csv", table)


def _with_defaults(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Fill absent ``tools``/``organisations`` from the bundled catalog and context.

    The bundled ``default`` organisation is added to a portfolio's own organisations
    when they do not name one, so that a course with a blank organisation has a context
    (one that assumes nothing: no platforms, no blocks, no preference). A ``tools``
    table taken from the bundled catalog is flagged (:data:`socialkit.names.BUNDLED_ATTR`)
    so that advice can tell a portfolio without a catalog of its own.
    """
    out = dict(tables)
    if "tools" not in out:
        bundled = _read_defaults("tools")
        bundled.attrs[BUNDLED_ATTR] = True
        out["tools"] = bundled
    defaults = _read_defaults("organisations")
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
        raise ValidationError(exc.issues, exc.notices) from None
    # keep the tables exactly as read, without the defaults added for validation
    return dataclasses.replace(checked, raw=tables)


# --------------------------------------------------------------------------- writing
# in socialkit.writers; re-exported here, where they have always been
from .writers import convert, write_tables  # noqa: E402
