"""The delivery analysis as the report notebooks use it: once per kernel, then per course.

A report kernel makes page after page of one portfolio. :func:`delivery` reads the
portfolio's statement files (:func:`socialkit.contract.layout.statement_files`) and
analyses the whole portfolio's delivery once per portfolio object and unchanged set of
statement files (path, size, modification time); :func:`course_delivery` then hands out
one course's rows of it cheaply. :func:`local_time` words a run's start or end in the
run's own time zone.
"""

from __future__ import annotations

import os
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from socialkit.base.frames import RowIndex
from socialkit.contract.io import sample_path
from socialkit.contract.layout import statement_files
from socialkit.contract.schema import Portfolio
from socialkit.delivery.result import DeliveryResult, analyse_delivery
from socialkit.delivery.statements import read_statements

__all__ = [
    "DELIVERY_WARNINGS",
    "CourseDelivery",
    "course_delivery",
    "delivery",
    "delivery_by_course",
    "local_time",
]

#: What each delivery warning code means, in a report's words (see
#: :mod:`socialkit.delivery.warnings`).
DELIVERY_WARNINGS = {
    "untracked": "Activities without xAPI ids: list the ids that stand for them",
    "not-done": "Nobody did it: check that learners knew of it and could reach the tool",
    "prework-skipped": "Pre-work skipped: remind learners, or give it time before class",
    "no-peer-exchange": "No peer exchange: prompt learners to answer each other",
    "other-phase": "Done in another phase than planned: plan it then, or move it back",
}

_store: weakref.WeakKeyDictionary[Portfolio, tuple[tuple, Any]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class _Whole:
    """The whole portfolio's delivery, and where each course's rows are."""

    files: tuple[Path, ...]
    result: DeliveryResult
    index: dict[str, RowIndex] = field(default_factory=dict)


@dataclass(frozen=True)
class CourseDelivery:
    """One course's delivery data, as its report shows it.

    Attributes
    ----------
    runs : pandas.DataFrame
        The course's rows of ``portfolio.runs``, in file order (none: no delivery data).
    files : int
        The portfolio's statement files (0: the section says none is recorded).
    read : int
        Statements read from them, for the whole portfolio.
    summary, courses, warnings : pandas.DataFrame
        The course's rows of the delivery summary, of the per-run table
        (:func:`socialkit.delivery.realised.delivery_courses`) and of the delivery warnings.
    """

    runs: pd.DataFrame
    files: int
    read: int
    summary: pd.DataFrame
    courses: pd.DataFrame
    warnings: pd.DataFrame

    @property
    def has_data(self) -> bool:
        """Whether the course has runs and the portfolio statement files."""
        return bool(len(self.runs)) and self.files > 0


def _identity(files: list[Path]) -> tuple:
    out = []
    for f in files:
        st = os.stat(f)
        out.append((str(f), st.st_size, st.st_mtime_ns))
    return tuple(out)


def delivery(portfolio: Portfolio, path: str | os.PathLike[str] | None = None) -> Any:
    """The delivery analysis of the whole portfolio, computed once per kernel.

    Parameters
    ----------
    portfolio : Portfolio
        As :func:`socialkit.reports.display.load` gives it.
    path : path-like, optional
        Where the portfolio was read from (its ``statements`` folder holds the
        statements); the bundled sample when omitted or empty.

    Returns
    -------
    object
        The remembered analysis (used through :func:`course_delivery`); made again when a
        statement file is added, removed or changed.
    """
    folder = Path(path) if path else sample_path()
    files = statement_files(folder) if len(portfolio.runs) else []
    identity = _identity(files)
    hit = _store.get(portfolio)
    if hit is not None and hit[0] == identity:
        return hit[1]
    result = analyse_delivery(portfolio, read_statements(files))
    index = {
        name: RowIndex(getattr(result, name)["course_id"])
        for name in ("summary", "courses", "warnings")
    }
    whole = _Whole(tuple(files), result, index)
    _store[portfolio] = (identity, whole)
    return whole


def course_delivery(
    portfolio: Portfolio, course_id: str, path: str | os.PathLike[str] | None = None
) -> CourseDelivery:
    """One course's rows of :func:`delivery`.

    Parameters
    ----------
    portfolio : Portfolio
    course_id : str
    path : path-like, optional
        As for :func:`delivery`.

    Returns
    -------
    CourseDelivery
    """
    whole = delivery(portfolio, path)
    runs = portfolio.runs[portfolio.runs["course_id"].eq(course_id)].reset_index(drop=True)
    r = whole.result
    rows = {
        name: whole.index[name].take(getattr(r, name), course_id).reset_index(drop=True)
        for name in ("summary", "courses", "warnings")
    }
    return CourseDelivery(runs=runs, files=len(whole.files), read=r.read, **rows)


def delivery_by_course(
    portfolio: Portfolio, path: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """Per course of the portfolio, how its delivery went over all its runs.

    Parameters
    ----------
    portfolio : Portfolio
    path : path-like, optional
        As for :func:`delivery`.

    Returns
    -------
    pandas.DataFrame
        One row per course, in the portfolio's order: ``course_id``, ``runs``,
        ``prework_done`` (the share of (learner, pre-work activity) pairs, over every run,
        where the learner first engaged before the class; NaN without any, or without
        statement files), ``as_planned`` (the share of the judged activity runs realised
        as planned; NaN without any) and ``delivery_warnings`` (their number, an ``Int64``:
        NA for a course without runs, or without statement files).
    """
    ids = pd.Index(portfolio.course_ids, name="course_id")
    runs = portfolio.runs.groupby("course_id").size().reindex(ids, fill_value=0)
    whole = delivery(portfolio, path)
    s = whole.result.summary
    if not whole.files:
        s = s.iloc[:0]
    pre = s["expected"] & s["tracked"] & s["planned_timing"].eq("before")
    judged = s["as_planned"].notna()
    parts = pd.DataFrame(
        {
            "course_id": s["course_id"],
            "pairs": s["learners"].where(pre, 0),
            "before": s["before"].where(pre, 0),
            "judged": judged.astype("int64"),
            "planned": s["as_planned"].fillna(False).astype("int64"),
        }
    )
    sums = parts.groupby("course_id").sum().reindex(ids, fill_value=0)
    warned = whole.result.warnings.groupby("course_id").size().reindex(ids, fill_value=0)
    out = pd.DataFrame(
        {
            "runs": runs.astype("int64"),
            "prework_done": sums["before"] / sums["pairs"].where(sums["pairs"] > 0),
            "as_planned": sums["planned"] / sums["judged"].where(sums["judged"] > 0),
            "delivery_warnings": warned.astype("Int64").where(runs.gt(0) & bool(whole.files)),
        },
        index=ids,
    )
    return out.reset_index()


def local_time(when: pd.Timestamp, timezone: str) -> str:
    """A run's start or end in its own time zone: ``Mon 2 Mar 2026, 09:00 (Europe/Paris)``.

    Parameters
    ----------
    when : pandas.Timestamp
        A time with a time zone (the ``runs`` table holds UTC).
    timezone : str
        An IANA time zone name.
    """
    local = when.tz_convert(timezone)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} ({timezone})"
