"""Files socialkit writes: temporary names it can recognise, and moves that work across disks.

Every file socialkit writes goes first to a temporary file beside its destination and is
renamed into place once complete. The temporary names follow one pattern,
``.<name>.socialkit-<host>-<pid>-<token><suffix>.tmp``, so that a later run can recognise
what an earlier, killed run left behind, and never takes a user's file for one of its own
(a user's ``.meeting-notes.tmp`` does not match it).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = [
    "JOURNAL_NAME",
    "LOCK_NAME",
    "atomic",
    "dead_link",
    "is_own_file",
    "is_own_temp",
    "lock_file_for",
    "move",
    "real_path",
    "remove_stale_temps",
    "temp_beside",
    "temp_name",
]

#: A short, stable name for this machine, so that a folder shared by several machines
#: tells whose temporary file is whose.
_HOST = hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]
_OWN = re.compile(
    r"^\..+\.socialkit-(?P<host>[0-9a-f]{8})-(?P<pid>[0-9]+)-[0-9a-f]{8}[^/]*\.tmp$", re.DOTALL
)
#: A temporary file of another machine is taken for a leftover only when this old.
_FOREIGN_AGE = 24 * 3600.0
#: The lock a CSV-folder portfolio's readers and writers take, inside the folder.
LOCK_NAME = ".socialkit.lock"
#: The commit record of a multi-file write in a CSV folder (see ``socialkit.contract.transact``).
JOURNAL_NAME = ".socialkit-journal.json"
#: The lock beside a workbook: ``.<name>.socialkit.lock``.
_WORKBOOK_LOCK = re.compile(r"^\..+\.socialkit\.lock$", re.DOTALL)


def lock_file_for(portfolio: Path) -> Path:
    """Where the lock of a portfolio lives: ``.socialkit.lock`` inside a CSV folder,
    ``.<name>.socialkit.lock`` beside a workbook (as Excel's ``~$<name>`` owner file)."""
    portfolio = real_path(portfolio)  # one lock whichever link the portfolio is reached by
    if portfolio.suffix.lower() == ".xlsx" and not portfolio.is_dir():
        return portfolio.parent / f".{portfolio.name}.socialkit.lock"
    return portfolio / LOCK_NAME


def real_path(path: str | os.PathLike[str]) -> Path:
    """``path`` with every symbolic link resolved: the file a write must replace, so that
    writing through a link updates the file it points to instead of replacing the link."""
    return Path(os.path.realpath(path))


def dead_link(path: str | os.PathLike[str]) -> str | None:
    """A message when ``path`` is a symbolic link to nothing (a write there is refused)."""
    path = Path(path)
    if path.is_symlink() and not path.exists():
        try:
            target = os.readlink(path)
        except OSError:  # pragma: no cover - removed meanwhile
            target = "?"
        return (
            f"cannot write {str(path)!r}: it is a symbolic link to {target!r}, which does "
            "not exist; nothing was written. Fix or remove the link"
        )
    return None


def is_own_file(path: Path) -> bool:
    """Whether ``path`` is named like a file socialkit keeps for itself: a temporary file,
    a lock or a commit journal. Such a file is never a user's table or document."""
    name = Path(path).name
    return (
        name in (LOCK_NAME, JOURNAL_NAME)
        or _WORKBOOK_LOCK.match(name) is not None
        or _OWN.match(name) is not None
    )


def temp_name(dest: Path, *, suffix: str = "") -> str:
    """The name of a new temporary file for ``dest``, in socialkit's own pattern."""
    return f".{dest.name}.socialkit-{_HOST}-{os.getpid()}-{secrets.token_hex(4)}{suffix}.tmp"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def temp_beside(dest: Path, *, suffix: str = "") -> Path:
    """Create a new empty file beside ``dest``, with the permissions ``dest`` has or would get.

    Parameters
    ----------
    dest : pathlib.Path
        The file the temporary file will replace; its folder is created if needed.
    suffix : str, default ""
        Put before ``.tmp`` (``".xlsx"``: some writers look at the ending).
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    mode = dest.stat().st_mode & 0o7777 if dest.is_file() else 0o666 & ~_umask()
    while True:
        tmp = dest.parent / temp_name(dest, suffix=suffix)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # pragma: no cover - a 32-bit token collided
            continue
        os.close(fd)
        os.chmod(tmp, mode)
        return tmp


def move(src: Path, dest: Path, *, follow_links: bool = True) -> None:
    """Move the file or folder ``src`` to ``dest``, replacing a file at ``dest`` atomically.

    A rename when both are on one file system; otherwise (a temporary folder on tmpfs, an
    output folder on a USB drive or a network share) ``src`` is first copied to a temporary
    file beside ``dest``, which is then renamed over it, so ``dest`` is never seen half
    written. ``src`` is removed once ``dest`` is in place. A ``dest`` that is a symbolic
    link is written through (the user's file it points to is updated) unless
    ``follow_links`` is false: then the link itself is replaced (what socialkit makes in
    an output folder never writes outside it).
    """
    src, dest = Path(src), (real_path(dest) if follow_links else Path(dest))
    try:
        os.replace(src, dest)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    if src.is_dir():
        staging = dest.parent / temp_name(dest)
        try:
            shutil.copytree(src, staging)
            os.replace(staging, dest)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        shutil.rmtree(src, ignore_errors=True)
        return
    tmp = temp_beside(dest)
    try:
        shutil.copyfile(src, tmp)
        shutil.copymode(src, tmp)
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    src.unlink(missing_ok=True)


@contextmanager
def atomic(dest: Path, *, suffix: str = "", follow_links: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``dest``; rename it over ``dest`` on success.

    On any failure (an exception, Ctrl-C) the temporary file is removed and ``dest`` is
    left as it was. A ``dest`` that is a symbolic link is written through, unless
    ``follow_links`` is false (see :func:`move`).
    """
    if follow_links:  # through a symbolic link: the file it points to is replaced
        dest = real_path(dest)
    tmp = temp_beside(dest, suffix=suffix)
    try:
        yield tmp
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    except OverflowError:
        return False
    return True


def is_own_temp(path: Path) -> bool:
    """Whether ``path`` is named like a temporary file socialkit makes."""
    return _OWN.match(Path(path).name) is not None


def _journaled(folder: Path) -> set[str]:
    """The temporary files a committed journal in ``folder`` still has to move into place."""
    try:
        record = json.loads((Path(folder) / JOURNAL_NAME).read_text(encoding="utf-8"))
        return {str(tmp) for tmp, _ in record.get("replace", [])}
    except (OSError, ValueError, TypeError, AttributeError, RecursionError, MemoryError):
        return set()


def remove_stale_temps(folder: Path, *, of: str | None = None) -> list[Path]:
    """Remove what earlier, killed socialkit runs left behind in ``folder`` (not below it).

    Only names in socialkit's own pattern are considered, and only those whose process has
    ended (made on this machine) or that are older than a day (made on another machine
    sharing the folder). A user's file is never touched, nor a temporary file that a
    committed journal of the folder (``.socialkit-journal.json``) still has to move into
    place: the next reader or writer of that portfolio completes the write with it.

    Parameters
    ----------
    folder : pathlib.Path
        The folder to clean.
    of : str, optional
        Only the temporary files made for the file of this name (``"designs.xlsx"``).

    Returns
    -------
    list of pathlib.Path
        What was removed.
    """
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    keep = _journaled(folder) if any(e.name == JOURNAL_NAME for e in entries) else set()
    for entry in entries:
        match = _OWN.match(entry.name)
        if match is None or entry.name in keep:
            continue
        if of is not None and not entry.name.startswith(f".{of}.socialkit-"):
            continue
        if match["host"] == _HOST:
            if _alive(int(match["pid"])):
                continue
        else:
            try:
                if now - entry.stat(follow_symlinks=False).st_mtime < _FOREIGN_AGE:
                    continue
            except OSError:
                continue
        path = Path(entry.path)
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError:
            continue
        removed.append(path)
    return removed
