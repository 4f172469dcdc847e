"""What a destination holds that socialkit would not have written.

``convert`` and ``generate`` look here before they write: a workbook with the user's
sheets, charts, comments, defined names or columns, or a folder with the user's files, is
refused unless forced, and a link to nothing is named for what it is.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from socialkit.base.files import dead_link, is_own_file
from socialkit.contract.layout import TABLE_FILES, portfolio_files
from socialkit.contract.schema import TABLE_ORDER
from socialkit.errors import DestinationNotEmptyError, PortfolioWriteError

__all__ = ["ensure_empty", "foreign_content", "refuse_dead_links", "refuse_foreign"]

#: Files an operating system drops into folders; never a user's content.
_OS_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})

_USER_PARTS = (
    ("xl/charts/", "charts"),
    ("xl/drawings/drawing", "drawings (pictures, charts or shapes)"),
    ("xl/media/", "images"),
    ("xl/comments", "comments"),
    ("xl/threadedComments/", "threaded comments"),
    ("xl/pivotTables/", "pivot tables"),
    ("xl/pivotCache/", "pivot tables"),
    ("xl/tables/", "Excel tables"),
    ("xl/slicers/", "slicers"),
    ("xl/timelines/", "timelines"),
    ("xl/ctrlProps/", "form controls"),
    ("xl/activeX/", "ActiveX controls"),
    ("xl/embeddings/", "embedded objects"),
    ("xl/model/", "a data model"),
    ("xl/vbaProject.bin", "macros"),
)
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _header(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _workbook_content(dest: Path, tables: Mapping[str, pd.DataFrame] | None) -> list[str]:
    """What a workbook holds beyond the portfolio's tables (see :func:`foreign_content`)."""
    import zipfile
    from xml.etree import ElementTree

    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(dest))
        names = book.sheet_names
        with zipfile.ZipFile(dest) as package:
            parts = package.namelist()
            defined = ElementTree.fromstring(package.read("xl/workbook.xml")).iter(
                f"{_MAIN_NS}definedName"
            )
            defined = [d.get("name", "") for d in defined]
    except Exception:  # not a workbook at all: the whole file is the user's
        return [f"the file {dest.name!r}, which is not a workbook socialkit can read"]
    found = [f"sheet {n!r}" for n in names if n.strip().lower() not in TABLE_ORDER]
    for prefix, what in _USER_PARTS:
        if any(p.startswith(prefix) for p in parts) and what not in found:
            found.append(what)
    found += [f"the defined name {n!r}" for n in defined if n and not n.startswith("_xlnm.")]
    if tables is None:
        return found
    for name in names:
        table = name.strip().lower()
        if table not in TABLE_ORDER:
            continue
        source = tables.get(table)
        known = set() if source is None else {str(c) for c in source.columns}
        try:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception:  # pragma: no cover - read above
            continue
        width = max((len(r) for r in rows), default=0)
        for col in range(width):
            cells = [_header(r[col]) if col < len(r) else "" for r in rows]
            head = cells[0] if cells else ""
            if head in known or (not head and not any(cells)):
                continue
            shown = f"{head!r}" if head else "without a header"
            found.append(f"column {_column_letter(col)} {shown} of sheet {name!r}")
    return found


def foreign_content(
    dest: str | os.PathLike[str], tables: Mapping[str, pd.DataFrame] | None = None
) -> list[str]:
    """What ``dest`` holds that writing a portfolio there would replace without having made it.

    For a workbook: its sheets that are not portfolio tables (or the whole file, when it
    is not a readable workbook), the parts socialkit never writes (charts, drawings,
    images, comments, pivot tables...), its defined names and, given the ``tables`` to be
    written, the columns of its table sheets that these tables do not have. For a folder:
    every entry but the portfolio's table files and socialkit's own lock, journal and
    temporary files.
    """
    dest = Path(dest)
    if not dest.exists():
        return []
    if dest.suffix.lower() == ".xlsx" and dest.is_file():
        return _workbook_content(dest, tables)
    if not dest.is_dir():
        return []  # writing refuses it: it exists and is not a folder
    found = []
    for entry in sorted(os.scandir(dest), key=lambda e: e.name):
        if (entry.name in TABLE_FILES and entry.is_file()) or entry.name in _OS_FILES:
            continue
        if is_own_file(Path(entry.name)):
            continue
        kind = "folder" if entry.is_dir() else "file"
        found.append(f"the {kind} {entry.name!r}")
    return found


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:5])
    return shown + (f" and {len(items) - 5} more" if len(items) > 5 else "")


def ensure_empty(dest: str | os.PathLike[str]) -> None:
    """Refuse a destination that is not empty: an existing file, or a folder holding any
    file but socialkit's own lock and leftovers (and ``.DS_Store``-like system files).

    Raises
    ------
    DestinationNotEmptyError
        Naming what is there.
    """
    dest = Path(dest)
    if not dest.exists():
        return
    if dest.is_dir():
        held = [
            e.name
            for e in os.scandir(dest)
            if not is_own_file(Path(e.name)) and e.name not in _OS_FILES
        ]
        if not held:
            return
        raise DestinationNotEmptyError(
            f"{str(dest)!r} is not empty (it holds {_listed(sorted(map(repr, held)))}); "
            "nothing was written. Give a new or empty folder"
        )
    raise DestinationNotEmptyError(
        f"{str(dest)!r} already exists; nothing was written. Give a path that does not exist yet"
    )


def refuse_dead_links(dest: Path) -> None:
    """A clear message when the destination, or a table file in it, is a link to nothing."""
    files = portfolio_files(dest) if dest.is_dir() else []
    for path in (dest, *files):
        dead = dead_link(path)
        if dead:
            raise PortfolioWriteError(dead)


def refuse_foreign(dest: Path, tables: Mapping[str, pd.DataFrame], *, force: bool) -> None:
    found = [] if force else foreign_content(dest, tables)
    if found:
        raise DestinationNotEmptyError(
            f"{str(dest)!r} holds {_listed(found)}, which convert would not have written; "
            "nothing was written. Convert to a new path, or use --force to replace it anyway"
        )
