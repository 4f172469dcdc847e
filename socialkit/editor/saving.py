"""Saving a :class:`socialkit.editor.draft.DesignDraft`: what is on disk, and the locked write.

The draft keeps its own state; these functions see only paths and tables.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from socialkit.contract.layout import portfolio_files, table_file
from socialkit.contract.schema import TABLE_ORDER
from socialkit.contract.writers import CsvStyle, csv_style, formula_risks, write_tables
from socialkit.errors import DesignChangedError

__all__ = [
    "changed_error",
    "csv_styles",
    "fingerprint",
    "is_new_path",
    "same",
    "write_changes",
]


def fingerprint(path: Path) -> tuple:
    """What the portfolio's table files hold now: a content digest per file (statement
    files are left out: they are no part of the design being edited)."""
    out = []
    for file in portfolio_files(path, statements=False):
        try:
            digest = hashlib.blake2b(file.read_bytes(), digest_size=16).hexdigest()
        except FileNotFoundError:
            digest = None
        out.append((file.relative_to(path).as_posix() if path.is_dir() else file.name, digest))
    return tuple(out)


def same(df: pd.DataFrame, read: pd.DataFrame | None) -> bool:
    """Whether a table is exactly as it was read."""
    return read is not None and df.equals(read)


def is_new_path(path: Path) -> bool:
    """A path where a new portfolio may start: missing, or a folder with no table in it."""
    if not path.exists():
        return True
    return path.is_dir() and not any(f.exists() for f in portfolio_files(path, statements=False))


def csv_styles(path: Path, tables: dict[str, pd.DataFrame]) -> dict[str, CsvStyle]:
    """The byte-order mark, line endings and separator of each CSV file of a folder, kept
    when it is rewritten; a new table file takes those of ``courses.csv``."""
    if not Path(path).is_dir():
        return {}
    styles = {t: csv_style(table_file(path, t)) for t in tables}
    first = styles.get("courses", CsvStyle())
    return {t: styles.get(t, first) for t in TABLE_ORDER}


def changed_error(path: Path) -> DesignChangedError:
    """The error of a save that finds the portfolio at ``path`` changed since it was read."""
    return DesignChangedError(
        f"{str(path)!r} changed on disk since the editor read it (someone else "
        "saved, or the file was edited in Excel); nothing was written and your edits "
        "are still in the form. Reload to see the other changes (this drops your "
        "edits), or copy your edits elsewhere first"
    )


def write_changes(
    path: Path,
    tables: dict[str, pd.DataFrame],
    as_read: dict[str, pd.DataFrame],
    *,
    is_new: bool,
    styles: Mapping[str, CsvStyle],
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Write the tables whose content changed since they were read; call it holding the lock.

    Parameters
    ----------
    path : pathlib.Path
        The portfolio's folder or workbook.
    tables : dict of str to pandas.DataFrame
        Every table as it is to be written.
    as_read : dict of str to pandas.DataFrame
        The tables as they were read (or last written).
    is_new : bool
        A new portfolio: every table is written.
    styles : mapping of str to CsvStyle
        The CSV style of each table file (see :func:`csv_styles`).

    Returns
    -------
    written : dict of str to pandas.DataFrame
        The tables written; the other files stay as they are.
    warnings : list of str
        The cells of a CSV folder that Excel would run as formulas.
    """
    workbook = path.suffix.lower() == ".xlsx"
    out = tables
    if not is_new:
        # only the tables whose content changed: the other files stay as they are
        out = {n: df for n, df in out.items() if not same(df, as_read.get(n))}
    warned = [] if workbook else formula_risks(out)
    if workbook and not is_new:
        from socialkit.contract.workbook import update_workbook

        update_workbook(path, out, as_read)
    elif out or is_new:
        write_tables(out, path, styles=styles)
    return out, warned
