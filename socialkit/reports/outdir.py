"""The output folder of a report batch: made ready, checked, and read back.

Everything here runs before the first notebook, so that a folder that cannot take the
reports is refused before any work is done, with one line naming the path and the cause.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import nbformat

from socialkit.base.files import remove_stale_temps, temp_beside
from socialkit.errors import (
    NotebookNotFoundError,
    NotebookReadError,
    OutputFolderError,
    ReportWriteError,
)
from socialkit.reports.export import PLOTLY_JS, course_href, course_slug, write_failure
from socialkit.reports.kernels import load_notebook

__all__ = [
    "COURSES_DIR",
    "FAILED_DIR",
    "MANIFEST",
    "OVERVIEW_FAILED",
    "RUN_FILE",
    "STATE_DIR",
    "check_files",
    "check_slugs",
    "prepare_out",
    "read_manifest",
    "read_notebook",
]

STATE_DIR = ".socialkit"
MANIFEST = "manifest.json"
RUN_FILE = "run.json"
FAILED_DIR = "failed"
COURSES_DIR = "courses"
#: Stem of the overview's failed notebook in ``failed/``: no course slug starts with ``_``.
OVERVIEW_FAILED = "_overview"
#: A state file larger than this is not socialkit's (a few hundred bytes per course).
_MAX_STATE = 64 * 1024 * 1024


def read_manifest(path: Path) -> dict[str, dict]:
    """The courses of the state file, course id → entry; ``{}`` for any other shape."""
    try:
        if not path.is_file() or path.stat().st_size > _MAX_STATE:  # a pipe would block
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
    # missing, a folder, not UTF-8, not JSON, nested too deeply to parse
    except (OSError, ValueError, RecursionError, MemoryError):
        return {}
    courses = data.get("courses") if isinstance(data, dict) else None
    if not isinstance(courses, dict):
        return {}
    kept = {}
    for cid, entry in courses.items():
        if isinstance(entry, dict):
            error = entry.get("error")
            kept[cid] = {**entry, "error": error if isinstance(error, str) else None}
    return kept


def prepare_out(out: Path) -> Path:
    """Make ``out`` ready for a batch, before any notebook runs; its resolved path.

    Makes the folder, refuses a ``courses/``, ``failed/`` or ``.socialkit/`` in it that is
    not a plain folder, checks that a file can be written, and removes what killed runs
    left (socialkit's own temporary files only).

    Raises
    ------
    OutputFolderError
        If ``out`` cannot be a folder (it or a folder above it is a file).
    ReportWriteError
        If it cannot be written (read-only, no space...) or a folder in it is unusable.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        raise OutputFolderError(str(write_failure(out, exc, doing="make the folder"))) from None
    except OSError as exc:
        raise write_failure(out, exc, doing="make the folder") from None
    if not out.is_dir():
        raise OutputFolderError(f"the output folder {str(out)!r} is not a folder")
    out = out.resolve()
    for name in (COURSES_DIR, FAILED_DIR, STATE_DIR):
        folder = out / name
        if folder.is_symlink():
            raise ReportWriteError(
                f"{str(folder)!r} is a symbolic link; socialkit writes only inside the output "
                f"folder {str(out)!r}: expected a plain folder there, or nothing"
            )
        if folder.exists() and not folder.is_dir():
            raise ReportWriteError(
                f"cannot write reports in {str(out)!r}: {str(folder)!r} is a file, expected a "
                "folder (socialkit keeps its own files there); move it away"
            )
    for folder in (out, out / COURSES_DIR, out / FAILED_DIR, out / STATE_DIR):
        remove_stale_temps(folder)
    for name in (MANIFEST, RUN_FILE):
        _clear_state_file(out / STATE_DIR / name)
    check_files([out / "index.html", out / PLOTLY_JS])
    for folder in (out, out / COURSES_DIR, out / FAILED_DIR, out / STATE_DIR):
        if folder.is_dir():  # a read-only folder is refused before the work, not after it
            try:
                temp_beside(folder / "index.html").unlink()
            except OSError as exc:
                raise write_failure(folder, exc, doing="write in") from None
    return out


def check_files(paths: Sequence[Path]) -> None:
    """Refuse a folder where the batch will write a file (a page, a notebook, plotly.js).

    Raises
    ------
    ReportWriteError
        Naming the first such folder.
    """
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            raise ReportWriteError(
                f"cannot write {str(path)!r}: it is a folder, expected a file (socialkit "
                "writes its own file there); move it away"
            )


def _clear_state_file(path: Path) -> None:
    """Make way for a state file where a folder stands: removed if empty, else renamed
    aside (``manifest.json.moved-1``), so that nothing in it is lost."""
    if path.is_symlink() or not path.is_dir():
        return
    try:
        path.rmdir()
        return
    except OSError:
        pass
    n = 1
    while (aside := path.with_name(f"{path.name}.moved-{n}")).exists():
        n += 1
    try:
        path.rename(aside)
    except OSError as exc:
        raise write_failure(path, exc) from None


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """The notebook at ``path``, checked to be one, with a ``parameters`` cell.

    Raises
    ------
    NotebookNotFoundError, NotebookReadError
    """
    if not path.is_file():
        raise NotebookNotFoundError(f"notebook {str(path)!r} not found (expected an .ipynb file)")
    try:
        nb = load_notebook(path)
        nbformat.validate(nb)
    except Exception as exc:  # nbformat's NotJSONError, schema errors, bad encodings...
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:120]
        raise NotebookReadError(
            f"{str(path)!r} is not a Jupyter notebook ({reason}); expected an .ipynb file"
        ) from None
    if not any("parameters" in c.metadata.get("tags", []) for c in nb.cells):
        raise NotebookReadError(
            f"notebook {str(path)!r} has no cell tagged 'parameters'; expected one, where "
            "socialkit puts the portfolio and the course id"
        )
    return nb


def check_slugs(course_ids: Sequence[str]) -> None:
    """Refuse two course ids that would share a file (also where case is not told apart)."""
    seen: dict[str, str] = {}
    for cid in course_ids:
        slug = course_slug(cid).casefold()
        other = seen.setdefault(slug, cid)
        if other != cid:
            raise ReportWriteError(
                f"course ids {other!r} and {cid!r} would share the report file "
                f"{course_href(cid)!r}; expected ids that differ: rename one"
            )
