"""One call that checks a portfolio and gathers what ``socialkit check`` reports."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .advice import strategic_warnings
from .analysis import (
    QUESTIONS,
    checklist_gaps,
    course_summary,
    gap_lists,
    outside_class_share,
    timing_direction_matrix,
)
from .errors import ValidationError, format_issues
from .io import load_portfolio, sample_path
from .schema import ISSUE_COLUMNS, Portfolio

__all__ = ["CheckResult", "check_portfolio"]


@dataclass(frozen=True, eq=False)
class CheckResult:
    """What checking a portfolio found.

    Attributes
    ----------
    source : pathlib.Path
    errors : pandas.DataFrame
        Contract violations (``table``, ``row``, ``column``, ``value``, ``message``).
    warnings : pandas.DataFrame
        Strategic warnings (see :func:`socialkit.advice.strategic_warnings`); empty when
        the portfolio is invalid.
    portfolio : Portfolio or None
        The validated portfolio, or None when invalid.
    notices : tuple of str
        Reader remarks such as unknown columns.
    """

    source: Path
    errors: pd.DataFrame
    warnings: pd.DataFrame
    portfolio: Portfolio | None
    notices: tuple[str, ...] = ()
    _courses: list[dict[str, Any]] | None = field(default=None, repr=False)

    @property
    def valid(self) -> bool:
        """True when the portfolio meets the data contract (warnings allowed)."""
        return self.portfolio is not None

    def courses(self) -> list[dict[str, Any]]:
        """Per course: id, title, matrix, checklist, shares outside class, warning count."""
        if self._courses is not None:
            return self._courses
        courses = [] if self.portfolio is None else _course_records(self.portfolio, self.warnings)
        object.__setattr__(self, "_courses", courses)
        return courses

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``socialkit check --json``."""
        return {
            "valid": self.valid,
            "source": str(self.source),
            "notices": list(self.notices),
            "errors": _records(self.errors),
            "warnings": _records(self.warnings),
            "courses": self.courses(),
        }

    def format_text(self, *, limit: int | None = 100) -> str:
        """A readable report: errors, then warnings, then a line per course.

        Parameters
        ----------
        limit : int or None, default 100
            At most this many error lines and warning lines are shown, with a count of
            the rest; None shows all.
        """
        out = [f"Portfolio {str(self.source)!r}"]
        out += [f"note: {n}" for n in self.notices]
        if len(self.errors):
            out.append(f"\nErrors ({len(self.errors)}):")
            shown = self.errors if limit is None else self.errors.head(limit)
            out += [f"  {line}" for line in format_issues(shown)]
            out += _more(len(self.errors) - len(shown), "error")
        if len(self.warnings):
            out.append(f"\nWarnings ({len(self.warnings)}):")
            w = self.warnings if limit is None else self.warnings.head(limit)
            where = w["course_id"] + ("" + " / " + w["activity_id"]).fillna("")
            out += ("  [" + w["code"] + "] " + where + ": " + w["message"]).tolist()
            out += _more(len(self.warnings) - len(w), "warning")
        if self.valid:
            out.append(f"\nCourses ({len(self.portfolio.courses)}):")
            out += _course_lines(course_summary(self.portfolio))
            out.append(
                f"\nvalid: {len(self.portfolio.courses)} course(s), {len(self.warnings)} warning(s)"
            )
        else:
            out.append(f"\ninvalid: {len(self.errors)} error(s); nothing was analysed")
        return "\n".join(out)


def _more(hidden: int, what: str) -> list[str]:
    if hidden <= 0:
        return []
    return [f"  … and {hidden:,} more {what}{'s' if hidden != 1 else ''} (--limit 0 shows all)"]


def check_portfolio(path: str | os.PathLike[str] | None = None) -> CheckResult:
    """Validate a portfolio and, when valid, find its strategic warnings.

    Parameters
    ----------
    path : path-like, optional
        A CSV folder or ``.xlsx`` workbook; the bundled sample when omitted.

    Returns
    -------
    CheckResult

    Raises
    ------
    PortfolioNotFoundError, PortfolioReadError
        When the portfolio cannot be read at all (validation errors are returned, not raised).
    """
    path = Path(path) if path is not None else sample_path()
    try:
        portfolio = load_portfolio(path)
    except ValidationError as exc:
        return CheckResult(
            path,
            exc.issues,
            pd.DataFrame(columns=["code", "course_id", "activity_id", "message"]),
            None,
        )
    return CheckResult(
        path,
        pd.DataFrame(columns=ISSUE_COLUMNS),
        strategic_warnings(portfolio),
        portfolio,
        portfolio.notices,
    )


def _course_lines(summary: pd.DataFrame) -> list[str]:
    """One aligned line per course: id, checklist score, share outside class, warnings."""
    width = max(6, int(summary["course_id"].str.len().max()) if len(summary) else 6)
    share = summary["share_outside"]
    shown = (share * 100).round().astype("Int64").astype("str").str.pad(4) + "%"
    shown = shown.where(share.notna(), "  n/a")
    return (
        "  "
        + summary["course_id"].str.pad(width, side="right")
        + "  checklist "
        + summary["checklist_ok"].astype("str")
        + "/6"
        + "  outside class "
        + shown
        + "  warnings "
        + summary["warnings"].astype("str").str.pad(3)
        + "  "
        + summary["title"]
    ).tolist()


def _plain(s: pd.Series) -> list[Any]:
    """A column as a list of plain Python values, missing values as None."""
    values = s.astype(object).tolist()
    return [None if v is None or v is pd.NA or v != v else v for v in values]


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    cols = list(df.columns)
    return [
        dict(zip(cols, row, strict=True))
        for row in zip(*(_plain(df[c]) for c in cols), strict=True)
    ]


def _course_records(p: Portfolio, warnings: pd.DataFrame) -> list[dict[str, Any]]:
    ids = p.course_ids
    n = len(ids)
    m = timing_direction_matrix(p)
    t_names = list(m["timing"].cat.categories)
    d_names = list(m["direction"].cat.categories)
    # the grid comes back in course, timing, direction order: reshape, no loop needed
    counts = m["activities"].to_numpy().reshape(n, len(t_names), len(d_names)).tolist()
    minutes = m["minutes"].to_numpy().reshape(n, len(t_names), len(d_names)).tolist()

    gaps = checklist_gaps(p)
    collected = gap_lists(gaps)
    share = outside_class_share(p)
    flipped = _plain(share["share_outside"])
    mshare = _plain(share["share_minutes_outside"])
    n_warn = pd.Series(ids).map(warnings["course_id"].value_counts()).fillna(0).astype(int).tolist()
    titles = p.courses["title"].tolist()
    questions = [(q, text) for q, text in QUESTIONS.items()]
    empty: list[str] = []
    return [
        {
            "course_id": cid,
            "title": titles[i],
            "matrix": {
                t: dict(zip(d_names, row, strict=True))
                for t, row in zip(t_names, counts[i], strict=True)
            },
            "minutes": {
                t: dict(zip(d_names, row, strict=True))
                for t, row in zip(t_names, minutes[i], strict=True)
            },
            "checklist": [
                {
                    "question": q,
                    "text": text,
                    "ok": (cid, q) not in collected,
                    "gaps": collected.get((cid, q), empty),
                }
                for q, text in questions
            ],
            "flipped_share": flipped[i],
            "minutes_share_outside": mshare[i],
            "n_warnings": n_warn[i],
        }
        for i, cid in enumerate(ids)
    ]
