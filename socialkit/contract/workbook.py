"""Saving edits into an existing workbook cell by cell, keeping everything else.

The editor reads a workbook as tables of text; writing those tables out as a new
workbook would drop what it does not model (cell formatting, comments, column widths,
frozen panes, data validations, formulas of other rows, the user's other sheets). Here
the workbook is loaded with openpyxl, only the cells whose text changed are set (a row
added is filled in below the last one, a row deleted is emptied, so no formula or range
elsewhere shifts), and the result is saved to a temporary file renamed into place.
openpyxl saves formulas without their last results; these are put back from the
workbook as it was, so that socialkit (which reads results, as Excel shows them) reads
the same values after the save, and Excel recalculates them when it opens the file.
Parts of a workbook that openpyxl cannot carry over (pictures, charts, shapes, threaded
comments, slicers, controls; extensions it warns about) make the save refuse, naming
them, before anything is written.
"""

from __future__ import annotations

import re
import shutil
import warnings
import zipfile
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import escape

import pandas as pd

from socialkit._compat import drops_on_save, stored_cells
from socialkit.base.files import atomic, temp_beside
from socialkit.contract.writers import NUMERIC, PLAIN_WHOLE, xlsx_text
from socialkit.errors import PortfolioWriteError

__all__ = ["update_workbook"]

#: Parts of an .xlsx package that openpyxl drops when it saves, by what the user calls them.
_LOST_PARTS = (
    ("xl/drawings/drawing", "pictures, charts or shapes"),
    ("xl/charts/", "charts"),
    ("xl/media/", "pictures"),
    ("xl/threadedComments/", "threaded comments"),
    ("xl/slicers/", "slicers"),
    ("xl/timelines/", "timelines"),
    ("xl/ctrlProps/", "form controls"),
    ("xl/activeX/", "ActiveX controls"),
    ("xl/embeddings/", "embedded objects"),
    ("xl/model/", "a data model"),
    ("xl/vbaProject.bin", "macros"),
)


def _would_lose(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as package:
            names = package.namelist()
    except (OSError, zipfile.BadZipFile) as exc:
        raise PortfolioWriteError(f"{path.name}: cannot be opened as a workbook ({exc})") from None
    lost = []
    for prefix, what in _LOST_PARTS:
        if any(name.startswith(prefix) for name in names) and what not in lost:
            lost.append(what)
    return lost


def _header_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _value(ws, text: object, column: str, where: str) -> tuple[object, bool]:
    """The value to put in a cell, and whether it must be stored as text (``=…``, ``#…``)."""
    if not isinstance(text, str):
        return None, False
    if column in NUMERIC and PLAIN_WHOLE.fullmatch(text):
        return int(text), False
    stored = xlsx_text(text, where=where)
    return stored, stored[:1] in ("=", "#")


def _plan_sheet(ws, table: str, new: pd.DataFrame, old: pd.DataFrame | None) -> list[tuple]:
    """The cell assignments ``(row, column index, value, as_text)`` that turn ``old`` into
    ``new`` in the sheet; every value is checked here, before anything changes."""
    header: dict[str, int] = {}
    last = 0
    for cell in ws[1] if ws.max_row >= 1 else ():
        name = _header_text(cell.value)
        if name:
            header.setdefault(name, cell.column)
            last = max(last, cell.column)
    plan: list[tuple] = []
    for column in new.columns:
        if column not in header:  # a contract column the editor filled in
            last += 1
            header[column] = last
            plan.append((1, last, *_value(ws, column, "", f"{table}, row 1, column {column!r}")))
    old = old if old is not None else new.iloc[0:0]
    for row in old.index.difference(new.index):  # deleted: emptied, nothing shifts
        plan += [(int(row), header[c], None, False) for c in old.columns if c in header]
    for row, values in zip(new.index, new.itertuples(index=False, name=None), strict=True):
        known = row in old.index
        for column, value in zip(new.columns, values, strict=True):
            before = old.at[row, column] if known and column in old.columns else None
            if isinstance(value, str) and isinstance(before, str) and value == before:
                continue
            if not isinstance(value, str) and not isinstance(before, str):
                continue
            where = f"{table}, row {int(row)}, column {column!r}"
            plan.append((int(row), header[column], *_value(ws, value, column, where)))
    return plan


def update_workbook(
    path: Path, tables: dict[str, pd.DataFrame], as_read: dict[str, pd.DataFrame]
) -> None:
    """Write the tables that differ from ``as_read`` into the workbook at ``path``, in place.

    Rows are matched by their row number (the index of the tables, as the reader gives
    it); only cells whose text changed are set. Nothing is written when a cell cannot be
    held or the workbook has parts that saving would lose.

    Raises
    ------
    PortfolioWriteError
        Naming the cell, or what would be lost.
    """
    from openpyxl import load_workbook

    path = Path(path)
    lost = _would_lose(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            wb = load_workbook(path, rich_text=True)
        except Exception as exc:  # a workbook calamine reads but openpyxl does not
            raise PortfolioWriteError(f"{path.name}: cannot be opened for saving ({exc})") from None
    lost += [str(w.message) for w in caught if drops_on_save(str(w.message))]
    if lost:
        raise PortfolioWriteError(
            f"{path.name} holds {'; '.join(lost)}, which saving through socialkit would "
            "lose; nothing was written. Make these edits in Excel, or save a copy of the "
            "workbook without them and edit that"
        )
    sheets = {ws.title.strip().lower(): ws for ws in wb.worksheets}
    plans = []
    for table, df in tables.items():
        old = as_read.get(table)
        if old is not None and df.equals(old):
            continue
        ws = sheets.get(table) or wb.create_sheet(table)
        plans.append((ws, _plan_sheet(ws, table, df, old)))
    if not any(plan for _, plan in plans):
        return
    for ws, plan in plans:
        for row, col, value, as_text in plan:
            cell = ws.cell(row=row, column=col)
            cell.value = value
            if as_text:
                cell.data_type = "s"  # text stays text: never a formula or an error
    cached = _cached_results(path, wb)
    with atomic(path, suffix=".xlsx") as tmp:
        wb.save(tmp)
        _put_results_back(tmp, cached)


def _cached_results(path: Path, wb) -> dict[str, dict[str, tuple[str, str]]]:
    """The last results of the formulas still in ``wb``, by sheet title and cell.

    Each result is taken as the workbook stores it, its type (``t``) and its ``<v>``
    text, so that text stays text (``="#TEAM"``), a date stays a date (a serial number
    the cell's style shows as a date) and only a real error stays an error.
    """
    formulas = {
        ws.title: {c.coordinate for c in stored_cells(ws) if c.data_type == "f"}
        for ws in wb.worksheets
    }
    if not any(formulas.values()):
        return {}
    results: dict[str, dict[str, tuple[str, str]]] = {}
    with zipfile.ZipFile(path) as package:
        names = set(package.namelist())
        for title, part in _sheet_parts(package).items():
            cells = formulas.get(title)
            if not cells or part not in names:
                continue
            found = results[title] = {}
            for _, cell in ElementTree.iterparse(package.open(part)):
                if cell.tag != f"{{{_NS['m']}}}c":
                    continue
                ref = cell.get("r")
                shown = cell.find("m:v", _NS)
                if ref in cells and shown is not None and shown.text is not None:
                    found[ref] = (cell.get("t", "n"), shown.text)
                cell.clear()
    return results


_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "p": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_FORMULA_CELL = re.compile(
    r'<c r="(?P<ref>[A-Z]+[0-9]+)"(?P<attrs>[^>]*)>(?P<f><f(?: [^>]*)?(?:/>|>.*?</f>))<v\s*/>',
    re.DOTALL,
)


def _sheet_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> the part of the package that holds it."""
    book = ElementTree.fromstring(package.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("p:Relationship", _NS)}
    parts = {}
    for sheet in book.findall("m:sheets/m:sheet", _NS):
        target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        parts[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return parts


#: The error values a cell can hold; any other text starting with ``#`` is text.
EXCEL_ERRORS = frozenset(
    (
        "#NULL!",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#N/A",
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
    )
)


def _result_xml(result: tuple[str, str] | None) -> tuple[str, str] | None:
    """The ``t`` attribute and ``<v>`` text of a formula's cached result, as it was."""
    if result is None:
        return None
    kind, text = result
    if kind == "e" and text not in EXCEL_ERRORS:
        kind = "str"  # not an error Excel knows: kept as the text it shows
    if kind == "n":
        return "", escape(text)
    if kind in ("b", "e", "str", "d"):
        return f' t="{kind}"', escape(text)
    return None  # a shared-string index would not survive the save: Excel recalculates it


def _put_results_back(book: Path, cached: dict[str, dict[str, tuple[str, str]]]) -> None:
    if not cached:
        return
    out = temp_beside(book, suffix=".xlsx")
    try:
        with zipfile.ZipFile(book) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            parts = {
                part: cached[title] for title, part in _sheet_parts(src).items() if title in cached
            }
            for item in src.infolist():
                data = src.read(item.filename)
                results = parts.get(item.filename)
                if results:
                    data = _with_results(data.decode("utf-8"), results).encode("utf-8")
                dst.writestr(item, data)
        shutil.move(out, book)
    except BaseException:
        out.unlink(missing_ok=True)
        raise


def _with_results(xml: str, results: dict[str, tuple[str, str]]) -> str:
    def put(match: re.Match) -> str:
        shown = _result_xml(results.get(match["ref"]))
        if shown is None:
            return match[0]
        kind, text = shown
        attrs = re.sub(r'\st="[^"]*"', "", match["attrs"])
        return f'<c r="{match["ref"]}"{attrs}{kind}>{match["f"]}<v>{text}</v>'

    return _FORMULA_CELL.sub(put, xml)
