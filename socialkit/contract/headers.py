"""The header and the rows of a table as read, whether from a CSV file or a workbook's sheet.

What the CSV reader (:mod:`socialkit.contract.readers`) and the workbook reader
(:mod:`socialkit.contract.xlsx_read`) both check and say: a header that names a column
twice or has too many columns, a blank header cell with values under it, the column
letters messages use, and the rows numbered as the user sees them.
"""

from __future__ import annotations

import pandas as pd

from socialkit.contract.limits import MAX_COLUMNS
from socialkit.errors import PortfolioReadError

__all__ = [
    "SHOWN",
    "check_header",
    "column_letter",
    "drop_blank_headed",
    "finish_table",
    "shown_value",
]

#: Characters of a value a message shows.
SHOWN = 60


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index (0 → ``A``, 26 → ``AA``)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def shown_value(value: str) -> str:
    """``repr`` of a value as a message shows it: cut after :data:`SHOWN` characters."""
    return repr(value if len(value) <= SHOWN else value[:SHOWN] + "…")


def finish_table(df: pd.DataFrame, *, first_row: int = 2) -> pd.DataFrame:
    """Index rows by the number the user sees and drop rows that are entirely blank."""
    df.index = pd.RangeIndex(first_row, first_row + len(df))
    df.columns = [str(c).strip() for c in df.columns]
    return df.dropna(how="all").astype("str")


def check_header(header: list[str], where: str, *, cell: str = "column {n}") -> None:
    """Refuse a header with too many columns or one name given twice.

    Parameters
    ----------
    header : list of str
        The header cells as written ("" for a blank cell).
    where : str
        The file or sheet, as messages name it.
    cell : str
        How a message names header cell ``n`` (1-based) and its ``letter``.
    """
    if len(header) > MAX_COLUMNS:
        raise PortfolioReadError(
            f"{where}: the header has {len(header):,} columns; socialkit reads at most "
            f"{MAX_COLUMNS:,} (column {column_letter(MAX_COLUMNS - 1)})",
            file=where,
            row=1,
        )
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        key = name.strip().casefold()
        if not key:
            continue
        if key in seen:
            j = seen[key]
            first = cell.format(n=j + 1, letter=column_letter(j))
            second = cell.format(n=i + 1, letter=column_letter(i))
            raise PortfolioReadError(
                f"{where}, row 1: {first} ({header[j]!r}) and {second} ({name!r}) name the "
                "same column (names are compared without case and outer spaces); rename "
                "or delete one",
                file=where,
                row=1,
                column=name.strip(),
            )
        seen[key] = i


def drop_blank_headed(
    df: pd.DataFrame, header: list[str], where: str, *, cell: str = "column {n}"
) -> pd.DataFrame:
    """Name ``df``'s columns by ``header``; drop blank-headed columns that hold nothing.

    A blank header cell with a value under it is refused: that value has no column.
    ``df`` has one column per header cell, in order, and the user's row numbers as index.
    """
    df.columns = range(len(header))
    blank = [i for i, name in enumerate(header) if not name.strip()]
    for i in blank:
        filled = df[i].notna()
        if filled.any():
            row = int(filled.idxmax())
            raise PortfolioReadError(
                f"{where}: {cell.format(n=i + 1, letter=column_letter(i))} has no header "
                f"but holds values (row {row}: {shown_value(str(df.at[row, i]))}); give it a "
                "name in row 1 or delete the column",
                file=where,
                row=row,
                column=column_letter(i),
            )
    df = df.drop(columns=blank)
    df.columns = [header[i] for i in df.columns]
    return df
