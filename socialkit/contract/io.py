"""Reading and writing design portfolios: a folder of CSV files or one ``.xlsx`` workbook.

Tables are read as text, exactly as the user typed them, so that writing them back
(or converting between formats) loses nothing. Every write goes to a temporary file
that is renamed into place only once complete.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import os
import sys
import threading
from pathlib import Path

import pandas as pd

from socialkit.contract.readers import read_csv_table
from socialkit.contract.readers import read_tables as _read_tables
from socialkit.contract.schema import Portfolio
from socialkit.contract.tool_names import BUNDLED_ATTR, name_key
from socialkit.contract.transact import consistent_read
from socialkit.errors import ValidationError

__all__ = [
    "catalog_path",
    "convert",  # noqa: F822 (imported on first use: see __getattr__)
    "load_portfolio",
    "notebook_path",
    "read_defaults",
    "read_tables",
    "sample_path",
    "with_defaults",
    "write_tables",  # noqa: F822
]

_PACKAGE = Path(__file__).resolve().parents[1]  # the socialkit package


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

    Imported while the portfolio's files are read (Arrow parses them without holding the
    interpreter), the validation modules and the parts of pandas and pyarrow they bring
    are not waited for. Whoever uses the module imports
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


# the readers live in socialkit.contract.readers (CSV files) and socialkit.contract.xlsx_read
# (workbooks);
# here a read never sees a CSV folder half written (see socialkit.contract.transact)
read_tables = consistent_read(_read_tables)


def read_defaults(table: str) -> pd.DataFrame:
    """The bundled ``tools`` or ``organisations`` table (:func:`catalog_path`), read as a
    portfolio's own table is.

    Read once per version of the file in a process (a few milliseconds each time a
    portfolio is loaded otherwise, most of the editor's reload); each call gets its own
    copy.
    """
    path = catalog_path() / f"{table}.csv"
    try:
        stat = path.stat()
    except OSError:  # the reader says what is wrong
        return read_csv_table(path, table)
    return _read_bundled(path, table, stat.st_mtime_ns, stat.st_size).copy()


@functools.lru_cache(maxsize=8)
def _read_bundled(path: Path, table: str, mtime_ns: int, size: int) -> pd.DataFrame:
    return read_csv_table(path, table)


#: The catalog columns added after the first data contract, which a tools table written
#: before them may lack: the bundled catalog's values stand in for the tools it lists.
_LATER_COLUMNS = ("aliases", "suite", "modes")


def _with_bundled_facts(tools: pd.DataFrame, notices: list[str] | None) -> pd.DataFrame:
    """A portfolio's own tools table with the bundled catalog's ``aliases``, ``suite`` and
    ``modes`` for the tools both list, where the table lacks those columns altogether.

    An older tools table then still knows Yammer for Viva Engage and which tools work
    live. A bundled alias that the table itself uses as a tool's name is left out, so the
    table's own rows never clash with facts it did not write.
    """
    missing = [c for c in _LATER_COLUMNS if c not in tools.columns]
    if not missing or "tool" not in tools.columns:
        return tools
    bundled = read_defaults("tools")
    keys = tools["tool"].map(name_key, na_action="ignore")
    by_key = bundled.assign(_key=bundled["tool"].map(name_key)).drop_duplicates("_key")
    by_key = by_key.set_index("_key")
    out = tools.copy()
    taken = set(keys.dropna())
    for column in missing:
        values = keys.map(by_key[column])
        if column == "aliases":
            values = values.map(
                lambda cell: (
                    ";".join(a for a in cell.split(";") if a.strip() and name_key(a) not in taken)
                    or None
                ),
                na_action="ignore",
            )
        out[column] = values.astype("str")
    if notices is not None and keys.isin(by_key.index).any():
        said = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " or " + missing[-1]
        notices.append(
            f"tools: no {said} column; for the tools the bundled catalog also lists, "
            "its values are used"
        )
    return out


def with_defaults(
    tables: dict[str, pd.DataFrame], notices: list[str] | None = None
) -> dict[str, pd.DataFrame]:
    """Fill absent ``tools``/``organisations`` from the bundled catalog and context.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        A portfolio's tables as read (see :func:`read_tables`).
    notices : list of str, optional
        Where a remark for the user goes.

    Returns
    -------
    dict of str to pandas.DataFrame
        A new dict: ``tables`` with ``tools`` and ``organisations`` filled.

    Notes
    -----

    The bundled ``default`` organisation is added to a portfolio's own organisations
    when they do not name one, so that a course with a blank organisation has a context
    (one that assumes nothing: no platforms, no blocks, no preference). A ``tools``
    table taken from the bundled catalog is flagged
    (:data:`socialkit.contract.tool_names.BUNDLED_ATTR`)
    so that advice can tell a portfolio without a catalog of its own. A tools table of
    the portfolio's own that lacks the later columns gets them for the tools the bundled
    catalog also lists (see :func:`_with_bundled_facts`), with a line in ``notices``.
    """
    out = dict(tables)
    if "tools" not in out:
        bundled = read_defaults("tools")
        bundled.attrs[BUNDLED_ATTR] = True
        out["tools"] = bundled
    else:
        out["tools"] = _with_bundled_facts(out["tools"], notices)
    defaults = read_defaults("organisations")
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
        :attr:`Portfolio.invalid <socialkit.contract.schema.Portfolio.invalid>`.

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
    _import_meanwhile("socialkit.contract.validation")
    tables, notices = read_tables(path)
    notices = list(notices)
    from socialkit.contract.validation import validate

    try:
        filled = with_defaults(tables, notices)
        checked = validate(filled, source=path, notices=tuple(notices), partial=partial)
    except ValidationError as exc:
        raise ValidationError(exc.issues, exc.notices) from None
    # keep the tables exactly as read, without the defaults added for validation
    return dataclasses.replace(checked, raw=tables)


# --------------------------------------------------------------------------- writing
# in socialkit.contract.writers, which imports this module; re-exported here, where they
# have always been, and imported on first use: a command that only reads does not pay
# for them
_LATER = {
    "convert": "socialkit.contract.writers",
    "write_tables": "socialkit.contract.writers",
}


def __getattr__(name: str) -> object:
    if name not in _LATER:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LATER[name]), name)
    globals()[name] = value
    return value
