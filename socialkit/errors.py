"""The exceptions socialkit raises: one base class, one subclass per kind of failure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DesignChangedError",
    "DestinationNotEmptyError",
    "EditError",
    "InvalidCourseError",
    "LrsAnswerError",
    "LrsAuthError",
    "LrsConnectionLostError",
    "LrsError",
    "LrsUnreachableError",
    "NotebookFailed",
    "NotebookNotFoundError",
    "NotebookReadError",
    "OutputFolderError",
    "PortfolioBusyError",
    "PortfolioNotFoundError",
    "PortfolioReadError",
    "PortfolioWriteError",
    "ReportWriteError",
    "SchedulerError",
    "SocialkitError",
    "StatementsNotFoundError",
    "StatementsReadError",
    "UnknownCourseError",
    "UnknownRunError",
    "ValidationError",
    "unknown_course",
]


class SocialkitError(Exception):
    """Base class of every error socialkit raises on purpose."""


class PortfolioNotFoundError(SocialkitError, FileNotFoundError):
    """The portfolio path does not exist or holds no portfolio."""


class StatementsNotFoundError(SocialkitError, FileNotFoundError):
    """No xAPI statements where they were looked for (a path that does not exist, or no
    ``statements`` folder beside the portfolio's tables)."""


class PortfolioReadError(SocialkitError):
    """A portfolio file exists but cannot be read as a table.

    Parameters
    ----------
    message : str
        What is wrong and where, in words.
    file, sheet : str, optional
        The file (and, in a workbook, the sheet) at fault.
    row : int, optional
        The row as the user sees it (header = row 1), when one row is at fault.
    column : str, optional
        The column (header name, or letter in a workbook), when one column is at fault.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(message)
        self.file, self.sheet, self.row, self.column = file, sheet, row, column


class PortfolioWriteError(SocialkitError):
    """A portfolio cannot be written where it was asked to go."""


class DestinationNotEmptyError(PortfolioWriteError):
    """A destination holds something a write would replace without having made it (a
    user's sheet or file, an existing portfolio); nothing was written."""


class PortfolioBusyError(SocialkitError):
    """Another process kept the portfolio's lock for too long (a save or a conversion)."""


class NotebookNotFoundError(SocialkitError, FileNotFoundError):
    """A report notebook path that does not exist."""


class NotebookReadError(SocialkitError):
    """A report notebook path that is not a usable notebook (not JSON, no ``parameters``)."""


class NotebookFailed(SocialkitError):
    """A report notebook that raised, timed out or lost its kernel.

    Like papermill's ``PapermillExecutionError``, it says which cell failed and what
    it raised, beside the one-line message.

    Parameters
    ----------
    message : str
        Why, in one line (``"ValueError: no objective for c1"``, ``"timed out: ..."``).
    nb : nbformat.NotebookNode
        The notebook as far as it ran, outputs and the error included.
    cell : int, optional
        Index in ``nb.cells`` of the cell that raised or was running when the notebook
        timed out or its kernel died; None when no cell was running.
    ename, evalue : str, optional
        The name and the value (its ``str``) of the exception a cell raised; None
        when the notebook timed out or lost its kernel.
    """

    def __init__(
        self,
        message: str,
        nb: Any,
        *,
        cell: int | None = None,
        ename: str | None = None,
        evalue: str | None = None,
    ) -> None:
        super().__init__(message)
        self.nb = nb
        self.cell, self.ename, self.evalue = cell, ename, evalue

    def __reduce__(self) -> tuple[Any, ...]:  # keyword fields survive pickling (Dask)
        fields = {"cell": self.cell, "ename": self.ename, "evalue": self.evalue}
        return _notebook_failed, (self.args[0], self.nb, fields)


def _notebook_failed(message: str, nb: Any, fields: dict[str, Any]) -> NotebookFailed:
    return NotebookFailed(message, nb, **fields)


class ReportWriteError(SocialkitError):
    """A report or the batch's state cannot be written in the output folder."""


class OutputFolderError(ReportWriteError):
    """The output folder asked for cannot be one (a file, under a file...)."""


class EditError(SocialkitError, ValueError):
    """An edit of a design that cannot be made (a bad new id, an unknown activity...)."""


class DesignChangedError(SocialkitError):
    """The portfolio's files changed on disk since the editor read them."""


class SchedulerError(SocialkitError):
    """A Dask scheduler that cannot be used: not reachable, without workers, lost during a
    batch, or dask not installed."""


class LrsError(SocialkitError):
    """A pull from a Learning Record Store that cannot start or cannot finish; the pages
    already written are kept, and the next pull goes on from the last of them."""


class LrsAuthError(LrsError):
    """The LRS refused the credentials (HTTP 401 or 403), or none were given."""


class LrsUnreachableError(LrsError):
    """No LRS answers at the address: connection refused, name unknown, or a timeout."""


class LrsAnswerError(LrsError):
    """The LRS answered, but not with an xAPI statement result (not JSON, no
    ``statements`` list, or an HTTP error)."""


class LrsConnectionLostError(LrsError):
    """The connection to the LRS was lost after a pull had begun."""


class StatementsReadError(SocialkitError):
    """Statement files that cannot be read: a path that does not exist, a file of another
    kind than ``.json``, ``.jsonl`` or ``.ndjson`` (optionally ``.gz``), or one that
    cannot be opened."""


class UnknownCourseError(SocialkitError, KeyError):
    """A course id that the portfolio does not hold.

    Raised through :func:`unknown_course`, which names the ids and the courses the
    portfolio holds; ``course_ids`` are the unknown ids (empty when made by hand).
    """

    course_ids: tuple[str, ...] = ()

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class UnknownRunError(SocialkitError, KeyError):
    """A course and run that the delivery data does not hold."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


def unknown_course(
    unknown: Sequence[str], known: Sequence[str], *, asked_several: bool = False
) -> UnknownCourseError:
    """The error for course ids that a portfolio does not hold, to raise.

    Parameters
    ----------
    unknown : sequence of str
        The ids asked for that the portfolio does not hold (at least one).
    known : sequence of str
        The portfolio's course ids, in its order; the first five are shown as examples.
    asked_several : bool, default False
        Whether the caller took a list of ids (a batch's ``--course`` options): the
        message then says "id(s)" and names every unknown one; otherwise it names the
        first.

    Returns
    -------
    UnknownCourseError
        ``"unknown course id 'x'; the portfolio holds 2 course(s), e.g. 'a', 'b'"``; its
        ``course_ids`` are the unknown ids named.
    """
    known = list(known)
    named = list(unknown) if asked_several else list(unknown)[:1]
    ids = f"id(s) {', '.join(map(repr, named))}" if asked_several else f"id {named[0]!r}"
    shown = ", ".join(map(repr, known[:5]))
    holds = f"{len(known)} course(s), e.g. {shown}" if len(known) else "no course yet"
    error = UnknownCourseError(f"unknown course {ids}; the portfolio holds {holds}")
    error.course_ids = tuple(named)
    return error


class ValidationError(SocialkitError):
    """A portfolio breaks the data contract.

    Every failure found is collected before this is raised.

    Parameters
    ----------
    issues : pandas.DataFrame
        One row per failure, columns ``table``, ``row``, ``column``, ``value``,
        ``message``, ``course_id`` (the course it belongs to; missing for a failure
        that concerns the whole portfolio) and ``code`` (the kind of failure). ``row``
        is the row number as the user sees it in the file or sheet (the header is row
        1); it is missing for failures about a whole table.
    notices : tuple of str
        Remarks made while reading (such as unknown columns), kept for the report.
    """

    def __init__(self, issues: pd.DataFrame, notices: tuple[str, ...] = ()) -> None:
        missing = [c for c in ("course_id", "code") if c not in issues.columns]
        if missing:  # built by hand: nothing says whose it is, nor what kind
            issues = issues.assign(**dict.fromkeys(missing))
        self.issues = issues
        self.notices = tuple(notices)
        n = len(issues)
        super().__init__(f"{n} error{'s' if n != 1 else ''} in the portfolio")

    @property
    def codes(self) -> list[str | None]:
        """The stable ``code`` of each issue, in the order of :attr:`issues`.

        Each is a key of :data:`socialkit.contract.issues.ISSUE_CODES` (None only for
        an issue table built by hand without codes).
        """
        import pandas as pd

        return [None if pd.isna(c) else str(c) for c in self.issues["code"]]

    def __str__(self) -> str:
        lines = [self.args[0] + ":"]
        lines += [f"  {line}" for line in format_issues(self.issues)]
        return "\n".join(lines)


class InvalidCourseError(ValidationError):
    """A course that was left out of a portfolio because it breaks the data contract.

    Parameters
    ----------
    course_id : str
    issues : pandas.DataFrame
        The course's issues, as :attr:`ValidationError.issues`.
    """

    def __init__(self, course_id: str, issues: pd.DataFrame) -> None:
        super().__init__(issues)
        self.course_id = course_id
        n = len(issues)
        self.args = (
            f"course {course_id!r} breaks the data contract "
            f"({n} error{'s' if n != 1 else ''}); fix it to make its report",
        )


def format_issues(issues: pd.DataFrame) -> list[str]:
    """Render validation issues as one human-readable line each."""
    import pandas as pd

    out = []
    for rec in issues.to_dict("records"):
        where = str(rec["table"])
        row = rec.get("row")
        if row is not None and pd.notna(row):
            where += f", row {int(row)}"
        col = rec.get("column")
        if isinstance(col, str) and col:
            where += f", column {col!r}"
        value = rec.get("value")
        shown = f" value {value!r}:" if isinstance(value, str) else ""
        out.append(f"{where}:{shown} {rec['message']}")
    return out
