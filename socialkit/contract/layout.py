"""Which files a portfolio is made of: the CSV file of each table in a folder, or one workbook.

Every place that reads, writes, locks, fingerprints or ships a portfolio's files takes
the list from here.
"""

from __future__ import annotations

import os
from pathlib import Path

from socialkit.contract.schema import TABLE_ORDER

__all__ = ["TABLE_FILES", "portfolio_files", "table_file"]

#: The file of each table in a CSV folder, in table order: file name -> table.
TABLE_FILES: dict[str, str] = {f"{t}.csv": t for t in TABLE_ORDER}


def table_file(folder: str | os.PathLike[str], table: str) -> Path:
    """The CSV file of ``table`` in a portfolio folder (``<folder>/<table>.csv``)."""
    return Path(folder) / f"{table}.csv"


def portfolio_files(path: str | os.PathLike[str]) -> list[Path]:
    """The files the portfolio at ``path`` is made of.

    Parameters
    ----------
    path : path-like
        A CSV folder or a workbook.

    Returns
    -------
    list of pathlib.Path
        For a folder, the CSV file of every table in table order, whether it exists or
        not (:data:`TABLE_FILES`); for anything else, ``path`` itself (the workbook).
    """
    path = Path(path)
    return [path / name for name in TABLE_FILES] if path.is_dir() else [path]
