"""Locks and all-or-nothing writes of several files in a CSV-folder portfolio.

A CSV folder is several files, and a rename replaces one file at a time. A write of
several tables is therefore a small transaction:

1. every new table is written to a temporary file in the folder (``_files.temp_beside``);
2. a commit record, ``.socialkit-journal.json``, naming each temporary file, its table and
   the tables to delete, is written to a temporary file and renamed into place: from this
   instant the write has happened;
3. the temporary files are renamed over their tables, the stale tables deleted, and the
   journal removed.

A process killed before step 2 leaves only temporary files of its own, removed as
leftovers by the next reader or writer (roll back); one killed after it leaves a journal,
which the next reader or writer carries out first (roll forward). Readers and writers
hold the folder's lock (``.socialkit.lock``, a ``filelock`` lock in the folder, removed
when its last holder lets it go) while they read, write or recover, so that a reader
never sees some tables moved and others not.

A folder that cannot be written to (the sample installed in site-packages, a read-only
share) is read without a lock: nobody can be writing it through socialkit.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TypeVar

from filelock import FileLock, Timeout

from socialkit.base.files import (
    JOURNAL_NAME,
    atomic,
    dead_link,
    is_own_temp,
    lock_file_for,
    move,
    real_path,
    remove_stale_temps,
)
from socialkit.contract.layout import TABLE_FILES
from socialkit.errors import (
    PortfolioBusyError,
    PortfolioReadError,
    PortfolioWriteError,
    SocialkitError,
)

__all__ = [
    "READ_TIMEOUT",
    "WRITE_TIMEOUT",
    "commit_files",
    "consistent_read",
    "portfolio_lock",
    "reading",
    "recover",
]

#: Seconds a reader waits for a writer to finish (a large conversion takes a while).
READ_TIMEOUT = 120.0
#: Seconds a writer waits for the lock before giving up.
WRITE_TIMEOUT = 120.0
_LOCKS: dict[str, FileLock] = {}

F = TypeVar("F", bound=Callable)


def _lock(lock_file: Path) -> FileLock:
    """One lock object per lock file and process: re-entrant within a thread, exclusive
    between threads (each thread has its own hold) and between processes."""
    key = os.path.abspath(lock_file)
    lock = _LOCKS.get(key)
    if lock is None:
        lock = _LOCKS[key] = FileLock(key, thread_local=True, poll_interval=0.01)
    return lock


def _writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK | os.X_OK)


@contextmanager
def portfolio_lock(
    path: str | os.PathLike[str], *, timeout: float = WRITE_TIMEOUT
) -> Iterator[None]:
    """Hold the lock of the portfolio at ``path`` (a CSV folder or a workbook).

    A missing folder is created (its lock lives inside it). Re-entrant: a function that
    holds it may call another that takes it again.

    Raises
    ------
    PortfolioBusyError
        If another process holds the lock for longer than ``timeout`` seconds.
    PortfolioWriteError
        If the lock file cannot be made (a read-only folder).
    """
    path = Path(path)
    dead = dead_link(path)
    if dead:
        raise PortfolioWriteError(dead)
    lock_file = lock_file_for(path)
    _refuse_a_file_for_a_folder(path, lock_file.parent)
    try:
        lock_file.parent.mkdir(parents=True, exist_ok=True)
        lock = _lock(lock_file)
        lock.acquire(timeout=timeout)
    except Timeout:
        raise PortfolioBusyError(
            f"{str(path)!r} is being written by another process (a save or a conversion) "
            f"and stayed locked for {timeout:g} s; nothing was done, try again"
        ) from None
    except OSError as exc:
        raise PortfolioWriteError(
            f"cannot lock {str(path)!r} for writing: {exc.strerror or exc} ({lock_file.name!r})"
        ) from None
    try:
        yield
    finally:
        if lock.lock_counter == 1:
            # removed while still held, so the folder keeps only the user's files: a
            # process waiting on this file finds it unlinked once it gets it, and
            # filelock then takes a new one (two holders never overlap in their work)
            with suppress(OSError):
                os.unlink(lock_file)
        lock.release()


def _refuse_a_file_for_a_folder(path: Path, folder: Path) -> None:
    """A clear message when the folder to write in, or one above it, is a file."""
    for above in (folder, *folder.parents):
        if above.exists():
            if not above.is_dir():
                what = "exists and is not a folder" if above == path else "is a file, not a folder"
                raise PortfolioWriteError(f"cannot write {str(path)!r}: {str(above)!r} {what}")
            return


def _check_record(folder: Path, record: object) -> tuple[list[tuple[str, str]], list[str]]:
    """The moves and deletions of a journal, refused unless they name only socialkit's
    own temporary files and the portfolio's table files of this folder."""
    try:
        replace = [(str(a), str(b)) for a, b in record["replace"]]  # type: ignore[index]
        remove = [str(name) for name in record["remove"]]  # type: ignore[index]
    except (TypeError, KeyError, ValueError):
        replace = remove = None  # type: ignore[assignment]
    ok = replace is not None and all(
        is_own_temp(folder / a) and "/" not in a and b in TABLE_FILES for a, b in replace
    )
    if not ok or not all(name in TABLE_FILES for name in remove):
        raise PortfolioReadError(
            f"{str(folder / JOURNAL_NAME)!r}: not a journal socialkit wrote; it was left "
            "as it is. Delete it if no socialkit write of this folder was interrupted"
        )
    return replace, remove


def _carry_out(folder: Path, replace: list[tuple[str, str]], remove: list[str]) -> None:
    """Move the staged files into place and delete the stale tables; safe to repeat."""
    for tmp, target in replace:
        if (folder / tmp).exists():  # else: moved before the process was stopped
            # a table file that is a symbolic link: the file it points to is replaced
            move(folder / tmp, folder / target)
    for name in remove:
        (folder / name).unlink(missing_ok=True)
    _sync_folder(folder)
    (folder / JOURNAL_NAME).unlink(missing_ok=True)


def _pending(folder: Path, exc: OSError) -> str:
    """What a committed write that could not be carried out left, and what to do."""
    which = f" ({Path(exc.filename).name!r})" if getattr(exc, "filename", None) else ""
    return (
        f"{str(folder)!r}: a socialkit write of this folder was committed but could not be "
        f"completed: {exc.strerror or exc}{which}. The new tables are kept, with the record "
        f"{JOURNAL_NAME!r}, and are put in place by the next socialkit command on this "
        "folder; close any program that holds its table files open, then run any socialkit "
        "command (check, for one) on it again. Do not delete the record or socialkit's "
        "temporary files in the folder"
    )


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - a platform without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some network file systems
        pass
    finally:
        os.close(fd)


def recover(
    folder: str | os.PathLike[str], *, error: type[SocialkitError] = PortfolioReadError
) -> None:
    """Finish or undo what an interrupted write left in a CSV folder; call it holding the lock.

    A committed journal is carried out (roll forward); temporary files of ended socialkit
    processes are removed (roll back of an uncommitted write).

    Raises
    ------
    PortfolioReadError
        If the journal is not one socialkit wrote; also (or ``error``) when carrying
        it out fails (a table file held open elsewhere): the message says what is pending.
    """
    folder = Path(folder)
    journal = folder / JOURNAL_NAME
    if journal.exists():
        try:
            record = json.loads(journal.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):  # too deeply nested: damaged too
            record = None
        replace, remove = _check_record(folder, record)
        try:
            _carry_out(folder, replace, remove)
        except OSError as exc:
            raise error(_pending(folder, exc)) from None
    remove_stale_temps(folder)


def commit_files(folder: Path, staged: list[tuple[Path, str]], remove: list[str]) -> None:
    """Move staged temporary files over their tables and delete ``remove``, all or nothing.

    Call it holding :func:`portfolio_lock`. ``staged`` pairs a temporary file of the
    folder (made by ``_files.temp_beside``, complete and flushed) with its table file name.
    """
    folder = Path(folder)
    record = {
        "version": 1,
        "replace": [[tmp.name, target] for tmp, target in staged],
        "remove": list(remove),
    }
    with atomic(folder / JOURNAL_NAME) as tmp:
        with open(tmp, "w", encoding="utf-8") as out:
            json.dump(record, out)
            out.flush()
            os.fsync(out.fileno())
    # committed: from here on, a stopped process is rolled forward by the next one
    try:
        _carry_out(folder, record["replace"], record["remove"])
    except OSError as exc:
        raise PortfolioWriteError(_pending(folder, exc)) from None


@contextmanager
def reading(path: str | os.PathLike[str]) -> Iterator[None]:
    """Hold what a reader of the portfolio at ``path`` needs while it reads.

    A CSV folder that can be written to: its lock, after finishing or undoing an
    interrupted write. A read-only folder: nothing (no lock file is made), unless an
    interrupted write is pending, which cannot be finished there. A workbook: nothing
    but the removal of socialkit's own leftovers beside it (one file, replaced by one
    rename, is never seen half written), and of a lock a killed writer left beside it.
    """
    path = Path(path)
    if path.is_dir():
        if not _writable(path):
            if (path / JOURNAL_NAME).exists():
                raise PortfolioReadError(
                    f"{str(path)!r}: a socialkit write of this folder was interrupted and "
                    "cannot be completed, because the folder is read-only; open it once "
                    "with write access (any socialkit command completes it)"
                )
            yield
            return
        try:
            held = portfolio_lock(path, timeout=READ_TIMEOUT)
            held.__enter__()
        except PortfolioWriteError:  # a lock file of another account: read as read-only
            yield
            return
        except PortfolioBusyError as exc:
            raise PortfolioReadError(str(exc).replace("nothing was done, ", "")) from None
        try:
            recover(path)
            yield
        finally:
            held.__exit__(None, None, None)
        return
    if path.is_file() and _writable(real_path(path).parent):
        real = real_path(path)
        remove_stale_temps(real.parent, of=real.name)
        if lock_file_for(path).exists():  # left by a killed writer, unless one holds it now
            with suppress(PortfolioBusyError, PortfolioWriteError), portfolio_lock(path, timeout=0):
                pass  # taken and let go: removed
    yield


def consistent_read(func: F) -> F:
    """Decorate a reader whose first argument is a portfolio path: it runs in
    :func:`reading`, so it never sees a write of several files half done."""

    @functools.wraps(func)
    def read(path, *args, **kwargs):
        with reading(path):
            return func(path, *args, **kwargs)

    return read  # type: ignore[return-value]
