"""The delivery analysis of a portfolio as ``socialkit delivery`` shows it: JSON and text."""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from socialkit.delivery.placing import Placed, place_statements
from socialkit.delivery.realised import delivery_courses, delivery_matrix, summarise_delivery
from socialkit.delivery.warnings import delivery_warnings
from socialkit.errors import StatementsNotFoundError

__all__ = [
    "ACTIVITY_KEYS",
    "COURSE_KEYS",
    "DeliveryResult",
    "analyse_delivery",
    "delivery_report",
    "delivery_result",
]

#: The keys of each entry of the JSON ``activities`` list.
ACTIVITY_KEYS = (
    "course_id",
    "run_id",
    "activity_id",
    "seq",
    "title",
    "learners",
    "participants",
    "before",
    "during",
    "after",
    "planned_timing",
    "realised_timing",
    "planned_direction",
    "realised_direction",
    "expected",
    "tracked",
    "as_planned",
)
#: The keys of each entry of the JSON ``courses`` list (one per course and run).
COURSE_KEYS = (
    "course_id",
    "run_id",
    "learners",
    "activities",
    "expected",
    "tracked",
    "done",
    "prework_done",
    "as_planned",
    "tools_used",
)


def _native(value: Any) -> Any:
    """A JSON value: NA and NaN as None, numpy scalars as Python ones, tuples as lists."""
    if isinstance(value, tuple | list):
        return [_native(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _records(frame: pd.DataFrame, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    columns = [frame[k].tolist() for k in keys]
    return [dict(zip(keys, map(_native, row), strict=True)) for row in zip(*columns, strict=True)]


@dataclass(frozen=True)
class DeliveryResult:
    """What the delivery analysis found.

    Attributes
    ----------
    read, used : int
        Statements seen by the reader, and placed on an activity and run.
    skipped : dict of str to int
        Statements left out, by reason (the reader's and ``no-run``, ``no-activity``).
    summary, courses, matrix, warnings : pandas.DataFrame
        :func:`~socialkit.delivery.realised.summarise_delivery`,
        :func:`~socialkit.delivery.realised.delivery_courses`,
        :func:`~socialkit.delivery.realised.delivery_matrix` and
        :func:`~socialkit.delivery.warnings.delivery_warnings`.
    placed : Placed or None
        The placed statements the summary counts (what
        :func:`~socialkit.delivery.store.write_parquet` keeps).
    invalid_courses : tuple of str
        Courses left out because they break the data contract (their runs and statements
        are not analysed; ``socialkit check`` lists their errors).
    """

    read: int
    used: int
    skipped: dict[str, int]
    summary: pd.DataFrame
    courses: pd.DataFrame
    matrix: pd.DataFrame
    warnings: pd.DataFrame
    placed: Placed | None = field(default=None, repr=False, compare=False)
    invalid_courses: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``socialkit delivery --json``: ``statements`` (``read``,
        ``used``, ``skipped``), ``activities``, ``warnings`` and ``courses``."""
        return {
            "statements": {"read": self.read, "used": self.used, "skipped": dict(self.skipped)},
            "activities": _records(self.summary, ACTIVITY_KEYS),
            "warnings": _records(
                self.warnings, ("code", "course_id", "run_id", "activity_id", "message")
            ),
            "courses": _records(self.courses, COURSE_KEYS),
            "invalid_courses": list(self.invalid_courses),
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as a JSON document."""
        return json.dumps(self.to_dict(), ensure_ascii=False)

    def format_text(self) -> str:
        """A text summary: the statements, a line per course and run, the warnings."""
        skipped = ", ".join(f"{k} {v:,}" for k, v in sorted(self.skipped.items()) if v)
        lines = [
            f"statements: {self.read:,} read, {self.used:,} used"
            + (f", skipped: {skipped}" if skipped else "")
        ]
        for c in self.courses.itertuples(index=False):
            pre = "-" if pd.isna(c.prework_done) else f"{c.prework_done:.0%}"
            planned = "-" if pd.isna(c.as_planned) else f"{c.as_planned:.0%}"
            lines.append(
                f"{c.course_id} / {c.run_id}: {c.learners} learners, {c.done} of {c.tracked} "
                f"tracked activities done, pre-work before class {pre}, as planned {planned}"
            )
        if self.invalid_courses:
            lines.append(
                f"left out as invalid ({len(self.invalid_courses)}; their errors: socialkit "
                "check): " + ", ".join(map(repr, self.invalid_courses))
            )
        if not len(self.courses):
            lines.append(
                "no runs: the valid courses have no delivery data"
                if self.invalid_courses
                else "no runs: the portfolio has no delivery data"
            )
        lines.append(f"{len(self.warnings)} warning(s)")
        lines += [f"  {w.code}: {w.message}" for w in self.warnings.itertuples(index=False)]
        return "\n".join(lines)


def analyse_delivery(
    portfolio: Any, statements: Any, *, prework_threshold: float = 0.5
) -> DeliveryResult:
    """The whole delivery analysis of a portfolio (``activities``, ``runs``, ``people``)
    and the statements read (``frame``, ``activity_ids``, ``read``, ``skipped``).

    Parameters
    ----------
    portfolio, statements : object
        A :class:`~socialkit.contract.schema.Portfolio` and the reader's ``Statements``
        (anything with those attributes).
    prework_threshold : float, default 0.5
        See :func:`~socialkit.delivery.warnings.delivery_warnings`.

    Returns
    -------
    DeliveryResult
    """
    placed = place_statements(portfolio, statements)
    summary = summarise_delivery(portfolio.activities, portfolio.runs, portfolio.people, placed)
    skipped = dict(statements.skipped)
    for reason, n in placed.skipped.items():
        skipped[reason] = skipped.get(reason, 0) + n
    return DeliveryResult(
        read=int(statements.read),
        used=placed.used,
        skipped=skipped,
        summary=summary,
        courses=delivery_courses(summary),
        matrix=delivery_matrix(summary),
        warnings=delivery_warnings(summary, prework_threshold=prework_threshold),
        placed=placed,
    )


def delivery_result(
    portfolio: Any, statements: Any, *, prework_threshold: float = 0.5
) -> dict[str, Any]:
    """The JSON object of ``socialkit delivery --json`` (see :meth:`DeliveryResult.to_dict`)."""
    return analyse_delivery(portfolio, statements, prework_threshold=prework_threshold).to_dict()


def _statements_source(path: Path, statements: str | os.PathLike[str] | None) -> Path:
    if statements is not None:
        src = Path(statements)
        if not src.exists():
            raise StatementsNotFoundError(f"no statements at {str(src)!r}: no such file or folder")
        return src
    src = path / "statements"
    if not src.is_dir():
        raise StatementsNotFoundError(
            f"no statements for the portfolio at {str(path)!r}: no 'statements' folder in it; "
            "give them with --statements"
        )
    return src


def delivery_report(
    path: str | os.PathLike[str] | None = None,
    *,
    statements: str | os.PathLike[str] | None = None,
    prework_threshold: float = 0.5,
) -> DeliveryResult:
    """Read a portfolio and its statements and analyse the delivery.

    Parameters
    ----------
    path : path-like, optional
        A CSV folder or ``.xlsx`` workbook; the bundled sample when omitted. Its courses
        that break the data contract are left out.
    statements : path-like, optional
        A statements file or folder; by default the ``statements`` folder of the portfolio.
    prework_threshold : float, default 0.5
        See :func:`~socialkit.delivery.warnings.delivery_warnings`.

    Returns
    -------
    DeliveryResult

    Raises
    ------
    PortfolioNotFoundError, PortfolioReadError, ValidationError
        When the portfolio cannot be read (see
        :func:`~socialkit.contract.io.load_portfolio`).
    StatementsNotFoundError
        When ``statements`` does not exist, or, without it, the portfolio has no
        ``statements`` folder.
    """
    from socialkit.contract.io import load_portfolio, sample_path

    path = Path(path) if path is not None else sample_path()
    portfolio = load_portfolio(path, partial=True)
    source = _statements_source(path, statements)
    from socialkit.delivery.statements import read_statements

    read = read_statements(source)
    result = analyse_delivery(portfolio, read, prework_threshold=prework_threshold)
    invalid = tuple(portfolio.invalid_courses["course_id"].astype("str"))
    return replace(result, invalid_courses=invalid) if invalid else result
