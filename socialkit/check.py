"""One call that checks a portfolio and gathers what ``socialkit check`` reports."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
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

    @property
    def valid(self) -> bool:
        """True when the portfolio meets the data contract (warnings allowed)."""
        return self.portfolio is not None

    def to_json(self) -> str:
        """The JSON document of ``socialkit check --json``, as text.

        It is assembled with vectorised string operations over whole columns (every
        string escaped by :func:`json.dumps`), which is several times faster on a large
        portfolio than building nested Python objects first.
        """
        courses = "" if self.portfolio is None else _courses_json(self.portfolio, self.warnings)
        return (
            f'{{"valid": {json.dumps(self.valid)}, "source": {json.dumps(str(self.source))}, '
            f'"notices": {json.dumps(list(self.notices), ensure_ascii=False)}, '
            f'"errors": [{_join(_objects_of(self.errors))}], '
            f'"warnings": [{_join(_objects_of(self.warnings))}], '
            f'"courses": [{courses}]}}'
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``socialkit check --json``, as Python objects."""
        return json.loads(self.to_json())

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
            where = w["course_id"] + (" / " + w["activity_id"]).fillna("")
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
            exc.notices,
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


def _join(items: pd.Series) -> str:
    return ", ".join(items.tolist())


def _literal(s: pd.Series) -> pd.Series:
    """Each value as a JSON string literal; missing values as null.

    Backslashes and quotes are escaped with whole-column string operations; a value
    holding a control character (rare) is escaped by :func:`json.dumps` instead.
    """
    s = s.astype("str").reset_index(drop=True)
    fast = '"' + s.str.replace("\\", "\\\\", regex=False).str.replace('"', '\\"', regex=False) + '"'
    control = s.str.contains(r"[\x00-\x1f]", regex=True).fillna(False).astype(bool)
    if control.any():
        escape = partial(json.dumps, ensure_ascii=False)
        fast = fast.mask(control, s[control].map(escape))
    return fast.fillna("null").astype("str")


def _number(s: pd.Series) -> pd.Series:
    """Each value as a JSON number; missing values as null."""
    if s.dtype.kind != "f":  # whole numbers print as JSON wants them
        return s.astype("str").fillna("null").reset_index(drop=True)
    text = s.astype("float64").to_numpy().astype(str)  # shortest repr, as json.dumps
    return pd.Series(text, dtype="str").where(s.notna().to_numpy(), "null")


def _object(fields: dict[str, pd.Series]) -> pd.Series:
    """One JSON object per row from columns of JSON literals."""
    out = None
    for i, (key, values) in enumerate(fields.items()):
        piece = ("{" if i == 0 else ", ") + json.dumps(key) + ": "
        out = piece + values if out is None else out + piece + values
    return out + "}"


def _objects_of(df: pd.DataFrame) -> pd.Series:
    if df.empty:
        return pd.Series([], dtype="str")
    return _object(
        {
            col: _number(df[col]) if pd.api.types.is_numeric_dtype(df[col]) else _literal(df[col])
            for col in df.columns
        }
    )


def _grid_json(cube: np.ndarray, outer: list[str], inner: list[str]) -> pd.Series:
    """``{outer: {inner: n}}`` per course from an array shaped (courses, outer, inner)."""
    return _object(
        {
            o: _object(
                {d: pd.Series(cube[:, i, j].astype(str), dtype="str") for j, d in enumerate(inner)}
            )
            for i, o in enumerate(outer)
        }
    )


def _courses_json(p: Portfolio, warnings: pd.DataFrame) -> str:
    ids = pd.Series(p.course_ids, dtype="str")
    if ids.empty:
        return ""
    m = timing_direction_matrix(p)
    t_names = list(m["timing"].cat.categories)
    d_names = list(m["direction"].cat.categories)
    shape = (len(ids), len(t_names), len(d_names))  # rows come in course, timing, direction order
    counts = m["activities"].to_numpy().reshape(shape)
    minutes = m["minutes"].to_numpy().reshape(shape)

    gaps = checklist_gaps(p)
    literals = gaps.assign(gap=_literal(gaps["gap"]).to_numpy())
    joined = {k: ", ".join(items) for k, items in gap_lists(literals).items()}
    by_question = (
        pd.Series(joined, dtype="str").unstack().reindex(index=ids, columns=list(QUESTIONS))
        if joined
        else pd.DataFrame(index=ids, columns=list(QUESTIONS), dtype="str")
    )
    entries = []
    for q, text in QUESTIONS.items():  # six questions, each over every course at once
        listed = by_question[q].reset_index(drop=True)
        entries.append(
            _object(
                {
                    "question": pd.Series(str(q), index=ids.index, dtype="str"),
                    "text": pd.Series(json.dumps(text), index=ids.index, dtype="str"),
                    "ok": listed.isna().map({True: "true", False: "false"}).astype("str"),
                    "gaps": "[" + listed.fillna("") + "]",
                }
            )
        )
    checklist = "[" + entries[0]
    for entry in entries[1:]:
        checklist = checklist + ", " + entry
    share = outside_class_share(p)
    n_warn = ids.map(warnings["course_id"].value_counts()).fillna(0).astype("int64")
    return _join(
        _object(
            {
                "course_id": _literal(ids),
                "title": _literal(p.courses["title"]),
                "matrix": _grid_json(counts, t_names, d_names),
                "minutes": _grid_json(minutes, t_names, d_names),
                "checklist": checklist + "]",
                "flipped_share": _number(share["share_outside"]),
                "minutes_share_outside": _number(share["share_minutes_outside"]),
                "n_warnings": n_warn.astype("str"),
            }
        )
    )
