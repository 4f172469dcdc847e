"""Which files a portfolio is made of: the CSV file of each table in a folder, or one workbook.

Every place that reads, writes, locks, fingerprints or ships a portfolio's files takes
the list from here.
"""

from __future__ import annotations

import os
from pathlib import Path

from socialkit.contract.schema import TABLE_ORDER

__all__ = [
    "STATEMENTS_FOLDER",
    "STATEMENT_SUFFIXES",
    "TABLE_FILES",
    "portfolio_files",
    "statement_files",
    "table_file",
]

#: The file of each table in a CSV folder, in table order: file name -> table.
TABLE_FILES: dict[str, str] = {f"{t}.csv": t for t in TABLE_ORDER}


def table_file(folder: str | os.PathLike[str], table: str) -> Path:
    """The CSV file of ``table`` in a portfolio folder (``<folder>/<table>.csv``)."""
    return Path(folder) / f"{table}.csv"


#: The folder of a CSV-folder portfolio that holds its xAPI statements.
STATEMENTS_FOLDER = "statements"
#: How the name of a statement file ends: a JSON array, or one statement a line; each may
#: be gzip-compressed.
STATEMENT_SUFFIXES = (".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz", ".ndjson.gz")


def statement_files(path: str | os.PathLike[str]) -> list[Path]:
    """The statement files of a CSV-folder portfolio.

    Parameters
    ----------
    path : path-like
        A CSV folder (anything else has none).

    Returns
    -------
    list of pathlib.Path
        Every file under ``<path>/statements/``, at any depth, whose name ends as one of
        :data:`STATEMENT_SUFFIXES` (in any case), sorted by path.
    """
    folder = Path(path) / STATEMENTS_FOLDER
    if not folder.is_dir():
        return []
    return sorted(
        f for f in folder.rglob("*") if f.name.lower().endswith(STATEMENT_SUFFIXES) and f.is_file()
    )


def portfolio_files(path: str | os.PathLike[str], *, statements: bool = True) -> list[Path]:
    """The files the portfolio at ``path`` is made of.

    Parameters
    ----------
    path : path-like
        A CSV folder or a workbook.
    statements : bool, default True
        Include the statement files (what a report reads); False gives the table files
        alone (what the design editor reads and writes: statements arriving from an LRS
        while a design is edited are no change to the design).

    Returns
    -------
    list of pathlib.Path
        For a folder, the CSV file of every table in table order, whether it exists or
        not (:data:`TABLE_FILES`), then its statement files (:func:`statement_files`); for
        anything else, ``path`` itself (the workbook).
    """
    path = Path(path)
    if not path.is_dir():
        return [path]
    tables = [path / name for name in TABLE_FILES]
    return tables + statement_files(path) if statements else tables
