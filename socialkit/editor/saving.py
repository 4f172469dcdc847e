"""Saving a :class:`socialkit.editor.draft.DesignDraft`: what is on disk, and the locked write."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from socialkit.contract.schema import TABLE_ORDER
from socialkit.contract.writers import CsvStyle, csv_style, formula_risks, write_tables
from socialkit.errors import DesignChangedError

if TYPE_CHECKING:
    from socialkit.editor.draft import DesignDraft

__all__ = ["csv_styles", "fingerprint", "is_new_path", "write_draft"]


def fingerprint(path: Path) -> tuple:
    """What the portfolio's files hold now: a content digest per table file."""
    files = [path / f"{t}.csv" for t in TABLE_ORDER] if path.is_dir() else [path]
    out = []
    for file in files:
        try:
            digest = hashlib.blake2b(file.read_bytes(), digest_size=16).hexdigest()
        except FileNotFoundError:
            digest = None
        out.append((file.name, digest))
    return tuple(out)


def same(df: pd.DataFrame, read: pd.DataFrame | None) -> bool:
    """Whether a table is exactly as it was read."""
    return read is not None and df.equals(read)


def is_new_path(path: Path) -> bool:
    """A path where a new portfolio may start: missing, or a folder with no table in it."""
    if not path.exists():
        return True
    return path.is_dir() and not any((path / f"{t}.csv").exists() for t in TABLE_ORDER)


def csv_styles(path: Path, tables: dict[str, pd.DataFrame]) -> dict[str, CsvStyle]:
    """The byte-order mark, line endings and separator of each CSV file of a folder, kept
    when it is rewritten; a new table file takes those of ``courses.csv``."""
    if not Path(path).is_dir():
        return {}
    styles = {t: csv_style(Path(path) / f"{t}.csv") for t in tables}
    first = styles.get("courses", CsvStyle())
    return {t: styles.get(t, first) for t in TABLE_ORDER}


def write_draft(draft: DesignDraft) -> None:
    """Check for changes on disk, validate and write ``draft``; call it holding the lock."""
    if draft.changed_on_disk():
        raise DesignChangedError(
            f"{str(draft.path)!r} changed on disk since the editor read it (someone else "
            "saved, or the file was edited in Excel); nothing was written and your edits "
            "are still in the form. Reload to see the other changes (this drops your "
            "edits), or copy your edits elsewhere first"
        )
    draft.check()
    out = {n: draft._to_write(n) for n in draft.tables}
    workbook = draft.path.suffix.lower() == ".xlsx"
    if not draft.is_new:
        # only the tables whose content changed: the other files stay as they are
        out = {n: df for n, df in out.items() if not same(df, draft._as_read.get(n))}
    warned = [] if workbook else formula_risks(out)
    if workbook and not draft.is_new:
        from socialkit.contract.workbook import update_workbook

        update_workbook(draft.path, out, draft._as_read)
    elif out or draft.is_new:
        write_tables(out, draft.path, styles=draft._styles)
    draft.save_warnings = warned
    draft.is_new = False
    draft._fingerprint = fingerprint(draft.path)
    draft._as_read = {n: df.copy() for n, df in out.items()} | {
        n: df for n, df in draft._as_read.items() if n not in out
    }
    draft.extra_sheets = draft._extra_sheets()
    draft.dirty = False
